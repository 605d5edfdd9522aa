import { ConflictError, ForbiddenError, IllegalStateError, type LocalisedMessage } from './errors';

/**
 * Every rule a decider can refuse with, and what the person sees. The rule names are a contract with clients
 * (they travel in GraphQL error extensions), so a name, once shipped, is never renamed.
 */
export const illegalStateRules = {
  TERMINAL_STATE: {
    vi: 'Chính sách đã được ban hành hoặc đã rút. Muốn sửa đổi chính sách đã ban hành, hãy đăng dự thảo sửa đổi: một chu trình mới bắt đầu trên chính sách này.',
    en: 'The policy has been enacted or withdrawn. To amend an enacted policy, publish an amending draft: a new cycle starts on this policy.',
  },
  POLICY_ALREADY_EXISTS: { vi: 'Chính sách này đã được đề xuất.', en: 'This policy has already been proposed.' },
  NOT_PROPOSED: {
    vi: 'Chỉ bắt đầu soạn thảo được khi chính sách đang ở trạng thái đề xuất.',
    en: 'Drafting can only start while the policy is proposed.',
  },
  DRAFTING_NOT_STARTED: {
    vi: 'Chưa bắt đầu soạn thảo nên chưa thể đăng dự thảo.',
    en: 'Drafting has not started, so no draft version can be published.',
  },
  ROUND_STILL_OPEN: {
    vi: 'Đợt lấy ý kiến hiện tại chưa kết thúc.',
    en: 'The current consultation round has not ended.',
  },
  ROUND_NOT_ANSWERED: {
    vi: 'Đợt lấy ý kiến gần nhất chưa được tổng hợp, tiếp thu, giải trình.',
    en: 'The last consultation round has not been answered yet.',
  },
  NO_PUBLISHED_VERSION: {
    vi: 'Cần đăng ít nhất một bản dự thảo trước khi lấy ý kiến.',
    en: 'A draft version must be published before a consultation can open.',
  },
  ROUND_NOT_OPEN: {
    vi: 'Hiện không có đợt lấy ý kiến nào đang mở.',
    en: 'No consultation round is open at this time.',
  },
  DEADLINE_NOT_REACHED: {
    vi: 'Chưa đến hạn kết thúc lấy ý kiến.',
    en: 'The consultation deadline has not been reached.',
  },
  NO_ROUND: { vi: 'Chính sách chưa có đợt lấy ý kiến nào.', en: 'The policy has had no consultation round.' },
  ROUND_ALREADY_ANSWERED: {
    vi: 'Đợt lấy ý kiến này đã được trả lời.',
    en: 'This consultation round has already been answered.',
  },
  ROUND_MISMATCH: {
    vi: 'Bản tổng hợp không thuộc đợt lấy ý kiến gần nhất.',
    en: 'The digest does not belong to the last consultation round.',
  },
  DIGEST_INCOMPLETE: {
    vi: 'Bản tổng hợp chưa bao quát hết các ý kiến đang hiển thị của đợt.',
    en: 'The digest does not cover every visible comment of the round.',
  },
  NO_ANSWERED_THEME: {
    vi: 'Đợt lấy ý kiến đã nhận được góp ý nên bản tổng hợp phải có ít nhất một nhóm vấn đề đã được trả lời.',
    en: 'The round received comments, so the digest must answer at least one theme.',
  },
  DIGEST_ALREADY_STARTED: {
    vi: 'Đợt lấy ý kiến này đã có bản tổng hợp, tiếp thu, giải trình.',
    en: 'A response digest has already been started for this round.',
  },
  DIGEST_NOT_STARTED: {
    vi: 'Chưa bắt đầu lập bản tổng hợp, tiếp thu, giải trình cho đợt này.',
    en: 'The response digest of this round has not been started.',
  },
  DIGEST_PUBLISHED: {
    vi: 'Bản tổng hợp, tiếp thu, giải trình đã được công bố; không thể thay đổi nữa.',
    en: 'The response digest has been published; it can no longer change.',
  },
  DIGEST_ALREADY_APPROVED: {
    vi: 'Bản tổng hợp, tiếp thu, giải trình đã được duyệt.',
    en: 'The response digest has already been approved.',
  },
  THEMES_UNANSWERED: {
    vi: 'Còn nhóm ý kiến chưa có nội dung tiếp thu, giải trình.',
    en: 'Some themes have not been answered yet.',
  },
  DIGEST_NOT_APPROVED: {
    vi: 'Bản tổng hợp, tiếp thu, giải trình phải được người phát ngôn duyệt trước khi công bố.',
    en: 'The response digest must be approved by a spokesperson before it is published.',
  },
  DIGEST_APPROVED: {
    vi: 'Bản tổng hợp, tiếp thu, giải trình của đợt đã được duyệt; không ghi nhận thêm ý kiến.',
    en: 'The response digest of this round has been approved; no more feedback is recorded.',
  },
  NOT_IN_REVIEW: {
    vi: 'Chỉ ban hành được khi chính sách đang ở giai đoạn xem xét sau lấy ý kiến.',
    en: 'A policy can only be enacted while it is in review after a consultation.',
  },
  VERSION_NOT_UNDER_CONSULTATION: {
    vi: 'Phiên bản dự thảo này không phải là phiên bản đang lấy ý kiến.',
    en: 'This draft version is not the one under consultation.',
  },
  ROUND_ANSWERED: {
    vi: 'Đợt lấy ý kiến đã được trả lời; không nhận thêm ý kiến.',
    en: 'The consultation round has been answered; no more feedback is accepted.',
  },
  RECEIVED_BEFORE_OPEN: {
    vi: 'Ý kiến được nhận trước khi đợt lấy ý kiến mở.',
    en: 'The feedback was received before the consultation round opened.',
  },
  RECEIVED_AFTER_CLOSE: {
    vi: 'Ý kiến được nhận sau khi đợt lấy ý kiến kết thúc.',
    en: 'The feedback was received after the consultation round ended.',
  },
  COMMENT_ALREADY_EXISTS: { vi: 'Góp ý này đã tồn tại.', en: 'This comment already exists.' },
  COMMENT_WITHDRAWN: { vi: 'Góp ý đã được rút.', en: 'The comment has been withdrawn.' },
  COMMENT_HIDDEN: { vi: 'Góp ý đang bị ẩn.', en: 'The comment is hidden.' },
  COMMENT_REDACTED: { vi: 'Nội dung góp ý đã bị xoá vĩnh viễn.', en: 'The comment has been redacted.' },
  PARENT_NOT_FOUND: {
    vi: 'Góp ý được trả lời không tồn tại.',
    en: 'The comment being replied to does not exist.',
  },
  PARENT_IN_OTHER_POLICY: {
    vi: 'Chỉ được trả lời góp ý của cùng dự thảo.',
    en: 'A reply can only answer a comment on the same policy.',
  },
  PARENT_IN_OTHER_ROUND: {
    vi: 'Chỉ được trả lời góp ý của đợt lấy ý kiến đang mở.',
    en: 'A reply can only answer a comment of the round that is open.',
  },
  PARENT_NOT_VISIBLE: {
    vi: 'Góp ý được trả lời đã bị ẩn, đã rút hoặc đã bị xoá nội dung.',
    en: 'The comment being replied to is hidden, withdrawn or redacted.',
  },
  ALREADY_FLAGGED: { vi: 'Bạn đã báo cáo góp ý này.', en: 'You have already flagged this comment.' },
  ALREADY_HIDDEN: { vi: 'Góp ý đã bị ẩn từ trước.', en: 'The comment is already hidden.' },
  NOT_HIDDEN: { vi: 'Góp ý không bị ẩn nên không cần khôi phục.', en: 'The comment is not hidden.' },
  ALREADY_REDACTED: { vi: 'Góp ý đã bị xoá nội dung từ trước.', en: 'The comment is already redacted.' },
  ALREADY_ENDORSED: { vi: 'Bạn đã tán thành góp ý này.', en: 'You have already endorsed this comment.' },
  ACCOUNT_ALREADY_EXISTS: { vi: 'Tài khoản đã tồn tại.', en: 'The account already exists.' },
  ACCOUNT_ERASED: { vi: 'Tài khoản đã bị xoá.', en: 'The account has been erased.' },
  ORGANIZATION_ALREADY_EXISTS: { vi: 'Tổ chức đã được đăng ký.', en: 'The organisation is already registered.' },
  ALREADY_MEMBER: { vi: 'Tài khoản đã là thành viên của tổ chức.', en: 'The account is already a member.' },
  NOT_A_MEMBER: { vi: 'Tài khoản không phải thành viên của tổ chức.', en: 'The account is not a member.' },
  LAST_ADMIN: {
    vi: 'Không thể bỏ quản trị viên cuối cùng của tổ chức.',
    en: 'The last administrator of an organisation cannot be removed.',
  },
  NOT_ISSUED_BY_SCHOOL: {
    vi: 'Chỉ tài khoản do chính trường cấp mới được ghi danh là học sinh của trường.',
    en: 'Only an account the school itself issued can be enrolled as its pupil.',
  },
  ALREADY_ENROLLED: { vi: 'Học sinh đã được ghi danh.', en: 'The pupil is already enrolled.' },
  NOT_A_PUPIL: { vi: 'Tài khoản này không phải tài khoản học sinh.', en: 'This is not a pupil’s account.' },
  CONSENT_ALREADY_RECORDED: { vi: 'Sự đồng ý này đã được ghi nhận.', en: 'This consent has already been recorded.' },
  CONSENT_ALREADY_WITHDRAWN: { vi: 'Sự đồng ý này đã được rút lại.', en: 'This consent has already been withdrawn.' },
  PUPIL_TOO_YOUNG_TO_CONSENT: {
    vi: 'Học sinh dưới 7 tuổi; chỉ cần sự đồng ý của cha mẹ hoặc người giám hộ.',
    en: 'The pupil is under 7; only a parent’s or guardian’s consent is needed.',
  },
  CHANNEL_ALREADY_EXISTS: { vi: 'Kênh thông tin này đã có.', en: 'This channel already exists.' },
  CHANNEL_ALREADY_RETIRED: { vi: 'Kênh thông tin này đã ngừng sử dụng.', en: 'This channel is already retired.' },
  ALERT_ALREADY_ACKNOWLEDGED: { vi: 'Cảnh báo này đã được xác nhận.', en: 'This alert has already been acknowledged.' },
  INCIDENT_ALREADY_REPORTED: { vi: 'Sự việc này đã được báo cáo.', en: 'This incident has already been reported.' },
  REPORT_NOT_COMPILED: {
    vi: 'Báo cáo học kỳ chưa được tổng hợp nên chưa thể nộp.',
    en: 'The semester report has not been compiled, so it cannot be submitted.',
  },
  REPORT_ALREADY_SUBMITTED: {
    vi: 'Báo cáo học kỳ đã được nộp; không thể sửa hay nộp lại.',
    en: 'The semester report has already been submitted; it can no longer change.',
  },
} as const satisfies Record<string, LocalisedMessage>;
export type IllegalStateRule = keyof typeof illegalStateRules;

export const forbiddenRules = {
  STAFF_ONLY: { vi: 'Chỉ cán bộ soạn thảo được làm việc này.', en: 'Only staff may do this.' },
  POLICYMAKER_ONLY: { vi: 'Chỉ lãnh đạo có thẩm quyền được ban hành.', en: 'Only a policymaker may enact.' },
  SPOKESPERSON_ONLY: { vi: 'Chỉ người phát ngôn được làm việc này.', en: 'Only a spokesperson may do this.' },
  STAFF_OR_POLICYMAKER_ONLY: {
    vi: 'Chỉ cán bộ soạn thảo hoặc lãnh đạo được rút chính sách.',
    en: 'Only staff or a policymaker may withdraw a policy.',
  },
  MODERATOR_ONLY: { vi: 'Chỉ người kiểm duyệt được làm việc này.', en: 'Only a moderator may do this.' },
  ADMIN_ONLY: { vi: 'Chỉ quản trị viên được làm việc này.', en: 'Only an administrator may do this.' },
  CONSENT_REQUIRED: {
    vi: 'Tài khoản học sinh cần có sự đồng ý của cha mẹ hoặc người giám hộ (và của học sinh từ 7 tuổi) trước khi góp ý, tán thành hay báo cáo góp ý.',
    en: 'A pupil’s account needs a parent’s or guardian’s consent (and the pupil’s own from age 7) before commenting, endorsing or flagging.',
  },
  EMAIL_NOT_VERIFIED: {
    vi: 'Bạn cần xác nhận địa chỉ email trước khi góp ý, tán thành hay báo cáo góp ý.',
    en: 'Please confirm your email address before commenting, endorsing or flagging a comment.',
  },
  STAFF_OR_SPOKESPERSON_ONLY: {
    vi: 'Chỉ cán bộ hoặc người phát ngôn của đơn vị được làm việc này.',
    en: "Only the organisation's staff or spokesperson may do this.",
  },
  AUTHOR_ONLY: { vi: 'Chỉ tác giả của góp ý được làm việc này.', en: 'Only the author of the comment may do this.' },
  AUTHOR_MUST_BE_ACTOR: {
    vi: 'Chỉ được gửi góp ý bằng chính tài khoản của mình.',
    en: 'A comment can only be submitted under your own account.',
  },
  OWN_COMMENT: { vi: 'Không thể tán thành góp ý của chính mình.', en: 'You cannot endorse your own comment.' },
  SELF_OR_ADMIN: {
    vi: 'Chỉ chủ tài khoản hoặc quản trị viên được xoá tài khoản.',
    en: 'Only the account holder or an administrator may erase an account.',
  },
} as const satisfies Record<string, LocalisedMessage>;
export type ForbiddenRule = keyof typeof forbiddenRules;

export const conflictRules = {
  IDEMPOTENCY_KEY_REUSED: {
    vi: 'Khoá chống gửi trùng đã được dùng cho một góp ý có nội dung khác.',
    en: 'The idempotency key was already used for a comment with different content.',
  },
} as const satisfies Record<string, LocalisedMessage>;
export type ConflictRule = keyof typeof conflictRules;

export const illegalState = (rule: IllegalStateRule) => new IllegalStateError(rule, illegalStateRules[rule]);
export const forbidden = (rule: ForbiddenRule) => new ForbiddenError(rule, forbiddenRules[rule]);
export const conflict = (rule: ConflictRule) => new ConflictError(rule, conflictRules[rule]);
