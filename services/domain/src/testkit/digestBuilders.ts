import type { EventOf } from '@gopy/schemas';
import type { DigestEvent } from '../digest';
import { accounts, ids } from './builders';

// Test support only: named builders for the digest specifications.

export const themeIds = {
  fees: 'd1000001-0000-4000-8000-000000000001',
  uniforms: 'd1000002-0000-4000-8000-000000000002',
} as const;

export const commentIds = {
  first: 'e1000001-0000-4000-8000-000000000001',
  second: 'e1000002-0000-4000-8000-000000000002',
  third: 'e1000003-0000-4000-8000-000000000003',
} as const;

type Data<T extends DigestEvent['type']> = EventOf<T>['data'];

export const digestEvent = {
  started: (round = 1): DigestEvent => ({
    type: 'DigestStarted',
    data: { digestId: ids.digest, policyId: ids.policy, round, startedBy: accounts.staff },
  }),
  themeDefined: (over: Partial<Data<'ThemeDefined'>> = {}): DigestEvent => ({
    type: 'ThemeDefined',
    data: {
      digestId: ids.digest,
      themeId: themeIds.fees,
      title: 'Mức thu học phí',
      description: 'Ý kiến về mức thu.',
      ...over,
    },
  }),
  assigned: (over: Partial<Data<'CommentsAssignedToTheme'>> = {}): DigestEvent => ({
    type: 'CommentsAssignedToTheme',
    data: {
      digestId: ids.digest,
      themeId: themeIds.fees,
      commentIds: [commentIds.first, commentIds.second],
      unassignedCommentIds: [],
      ...over,
    },
  }),
  answered: (over: Partial<Data<'ThemeAnswered'>> = {}): DigestEvent => ({
    type: 'ThemeAnswered',
    data: {
      digestId: ids.digest,
      themeId: themeIds.fees,
      decision: 'partly_accepted',
      explanation: 'Giữ mức thu, bổ sung miễn giảm cho hộ nghèo.',
      sectionsChanged: [ids.article1],
      ...over,
    },
  }),
  approved: (): DigestEvent => ({
    type: 'DigestApproved',
    data: { digestId: ids.digest, approvedBy: accounts.spokesperson },
  }),
  published: (): DigestEvent => ({
    type: 'DigestPublished',
    data: {
      digestId: ids.digest,
      publishedBy: accounts.spokesperson,
      coveredCount: 2,
      visibleCount: 2,
      countedAtPosition: '42',
    },
  }),
};

export const aStartedDigest = (): DigestEvent[] => [digestEvent.started()];
export const aDigestWithTheme = (): DigestEvent[] => [
  ...aStartedDigest(),
  digestEvent.themeDefined(),
  digestEvent.assigned(),
];
export const anAnsweredDigest = (): DigestEvent[] => [...aDigestWithTheme(), digestEvent.answered()];
export const anApprovedDigest = (): DigestEvent[] => [...anAnsweredDigest(), digestEvent.approved()];
export const aPublishedDigest = (): DigestEvent[] => [...anApprovedDigest(), digestEvent.published()];
