/**
 * One glossary of the words users read for the platform's enums, in Vietnamese and English: the site (its messages
 * are generated from here, `node --import tsx schemas/src/glossarySync.ts`, and checked by glossary.unit.test.ts),
 * every export (CSV, XLSX, DOCX, PDF) and every mail use these and no others. The education sector's own terms win
 * where they differ from everyday ones: "cha mẹ học sinh" (as in Ban đại diện cha mẹ học sinh), "người dân" (not
 * "công dân", which states a nationality), "đồng ý / không đồng ý" as consultation forms ask, "thư, công văn".
 */
import type { Channel, Stance, StakeholderCategory } from './common';
import type { ThemeDecisions } from './events/digest';

export type GlossaryLocale = 'vi' | 'en';
export interface Label {
  vi: string;
  en: string;
}

/** The stages of a policy, as the API names them (lower case here, upper case in GraphQL). */
export const PolicyStatuses = ['proposed', 'drafting', 'consultation', 'review', 'enacted', 'withdrawn'] as const;
export type PolicyStatusName = (typeof PolicyStatuses)[number];

/**
 * Where a consultation round stands: the API's RoundPhase (opens later, open, over), and answered once its digest is
 * published.
 */
export const RoundStates = ['scheduled', 'open', 'over', 'answered'] as const;
export type RoundState = (typeof RoundStates)[number];

/** What an export says of a comment's visibility. */
export const CommentStatuses = ['visible', 'hidden', 'withdrawn', 'redacted'] as const;
export type CommentStatusName = (typeof CommentStatuses)[number];

export type Outcome = (typeof ThemeDecisions)[number];

export const stanceLabels: Record<Stance, Label> = {
  support: { vi: 'Đồng ý', en: 'Support' },
  oppose: { vi: 'Không đồng ý', en: 'Oppose' },
  neutral: { vi: 'Trung lập', en: 'Neutral' },
  suggestion: { vi: 'Đề xuất', en: 'Suggestion' },
};

export const stakeholderCategoryLabels: Record<StakeholderCategory, Label> = {
  student: { vi: 'Học sinh', en: 'Student' },
  parent: { vi: 'Cha mẹ học sinh', en: 'Parent' },
  teacher: { vi: 'Giáo viên', en: 'Teacher' },
  school_manager: { vi: 'Cán bộ quản lý trường học', en: 'School manager' },
  press: { vi: 'Báo chí', en: 'Press' },
  citizen: { vi: 'Người dân', en: 'Citizen' },
  organization: { vi: 'Tổ chức', en: 'Organisation' },
};

export const channelLabels: Record<Channel, Label> = {
  web: { vi: 'Cổng thông tin', en: 'Portal' },
  email: { vi: 'Thư điện tử', en: 'Email' },
  letter: { vi: 'Thư, công văn', en: 'Letter' },
  meeting: { vi: 'Cuộc họp', en: 'Meeting' },
  conference: { vi: 'Hội nghị, hội thảo', en: 'Conference' },
  phone: { vi: 'Điện thoại', en: 'Phone' },
  press: { vi: 'Báo chí', en: 'Press' },
  social_media: { vi: 'Mạng xã hội', en: 'Social media' },
};

/** A theme's (or a comment's) outcome in the digest: tiếp thu / tiếp thu một phần / không tiếp thu, or only noted. */
export const outcomeLabels: Record<Outcome, Label> = {
  accepted: { vi: 'Tiếp thu', en: 'Accepted' },
  partly_accepted: { vi: 'Tiếp thu một phần', en: 'Partly accepted' },
  not_accepted: { vi: 'Không tiếp thu', en: 'Not accepted' },
  noted: { vi: 'Ghi nhận', en: 'Noted' },
};

export const policyStatusLabels: Record<PolicyStatusName, Label> = {
  proposed: { vi: 'Đề xuất', en: 'Proposed' },
  drafting: { vi: 'Đang soạn thảo', en: 'Drafting' },
  consultation: { vi: 'Đang lấy ý kiến', en: 'Open for comment' },
  review: { vi: 'Đang tổng hợp ý kiến', en: 'Under review' },
  enacted: { vi: 'Đã ban hành', en: 'Enacted' },
  withdrawn: { vi: 'Đã rút', en: 'Withdrawn' },
};

export const roundStateLabels: Record<RoundState, Label> = {
  scheduled: { vi: 'Sắp mở', en: 'Scheduled' },
  open: { vi: 'Đang mở', en: 'Open' },
  over: { vi: 'Đã kết thúc', en: 'Closed' },
  answered: { vi: 'Đã công bố bản tổng hợp', en: 'Digest published' },
};

export const commentStatusLabels: Record<CommentStatusName, Label> = {
  visible: { vi: 'Hiển thị', en: 'Visible' },
  hidden: { vi: 'Đã ẩn', en: 'Hidden' },
  withdrawn: { vi: 'Đã rút', en: 'Withdrawn' },
  redacted: { vi: 'Đã xoá nội dung', en: 'Redacted' },
};

/**
 * Every group, with the prefix of the site's message keys for it (`stance_support`, `c7_channel_web`…) where the site
 * shows it. The site's words are generated from these.
 */
export const glossary = {
  stance: { labels: stanceLabels, siteKey: 'stance_' },
  stakeholderCategory: { labels: stakeholderCategoryLabels, siteKey: 'category_' },
  channel: { labels: channelLabels, siteKey: 'c7_channel_' },
  outcome: { labels: outcomeLabels, siteKey: 'digest_decision_' },
  policyStatus: { labels: policyStatusLabels, siteKey: 'status_' },
  roundState: { labels: roundStateLabels, siteKey: 'round_state_' },
  commentStatus: { labels: commentStatusLabels, siteKey: null },
} as const satisfies Record<string, { labels: Record<string, Label>; siteKey: string | null }>;
export type GlossaryGroup = keyof typeof glossary;

/**
 * The word for a value in a language. A value the glossary does not know (a newer event read by an older build)
 * is shown as it is rather than failing an export.
 */
export function glossaryLabel(group: GlossaryGroup, value: string, locale: GlossaryLocale): string {
  const labels = glossary[group].labels as Record<string, Label>;
  return Object.hasOwn(labels, value) ? labels[value]![locale] : value;
}

/** The site's messages for the glossary: key → word, per language. */
export function siteMessages(locale: GlossaryLocale): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { labels, siteKey } of Object.values(glossary)) {
    if (siteKey === null) continue;
    for (const [value, label] of Object.entries(labels as Record<string, Label>))
      out[`${siteKey}${value}`] = label[locale];
  }
  return out;
}
