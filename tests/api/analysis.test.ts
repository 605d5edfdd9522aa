/**
 * Feedback analysis over HTTP: the figures of a round (who may read them), candidate near-duplicate groups, and the
 * confirm / undo mutations, each called by the roles that may and by roles that may not.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  client,
  demoAccount,
  expectRefusal,
  ok,
  signIn,
  signInAs,
  stopPlatform,
  type Client,
  type ResultUnion,
} from './support';

const FIGURES = `round comments participants distinctArguments confirmedGroups
  byStance { stance comments } byCategory { category comments } byChannel { channel comments } byDay { day comments }
  byNode { nodeId label comments } heat { nodeId label depth comments total }
  topThemes { title comments } responseCoverage { answered visible share } duplicateGroups { id commentIds }`;
const ANALYSIS = `query($id: ID!, $filter: AnalysisFilter) { policy(id: $id) { analysis(filter: $filter) {
  ${ERROR_FIELDS} ... on PolicyAnalysisSuccess { data { ${FIGURES} } } } } }`;
const CANDIDATES = `query($id: ID!, $round: Int!) { duplicateCandidates(policyId: $id, round: $round) {
  ${ERROR_FIELDS} ... on QueryDuplicateCandidatesSuccess { data { commentIds representativeCommentId similarity } } } }`;
const CONFIRM = `mutation($input: ConfirmDuplicateGroupInput!) { confirmDuplicateGroup(input: $input) {
  ${ERROR_FIELDS} ... on MutationConfirmDuplicateGroupSuccess { data { group { id commentIds status } } } } }`;
const UNDO = `mutation($id: ID!, $reason: String!) { undoDuplicateGroup(groupId: $id, reason: $reason) {
  ${ERROR_FIELDS} ... on MutationUndoDuplicateGroupSuccess { data { group { id status undoneReason } } } } }`;
const SUBMIT = `mutation($input: SubmitCommentInput!) { submitComment(input: $input) { ${ERROR_FIELDS} ... on MutationSubmitCommentSuccess { data { comment { id } } } } }`;

interface Figures {
  round: number;
  comments: number;
  participants: number;
  distinctArguments: number;
  confirmedGroups: number;
  byStance: { stance: string; comments: number }[];
  byCategory: { category: string; comments: number }[];
  byChannel: { channel: string; comments: number }[];
  byDay: { day: string; comments: number }[];
  byNode: { nodeId: string | null; comments: number }[];
  heat: { nodeId: string; depth: number; comments: number; total: number }[];
  responseCoverage: { answered: number; visible: number; share: number };
  duplicateGroups: { id: string; commentIds: string[] }[];
}

const LETTER =
  'Chúng tôi là phụ huynh học sinh, đề nghị Phòng Giáo dục không thu thêm khoản phí bán trú trong năm học này vì nhiều gia đình còn khó khăn.';

describe('analysis of a round', () => {
  let platform: Platform;
  let anonymous: Client;
  let parent: Client;
  let teacher: Client;
  let staff: Client;
  let policymaker: Client;
  let auditor: Client;
  let admin: Client;
  let moderator: Client;
  let spokesperson: Client;
  let policyId: string;
  let otherPolicyId: string;
  const campaign: string[] = [];
  let nodeComment: { topNodeId: string };

  const analysisOf = async (who: Client, filter: Record<string, unknown> | null = null) =>
    (await who.gql<{ policy: { analysis: ResultUnion } }>(ANALYSIS, { id: policyId, filter })).policy.analysis;
  const figures = async (who: Client, filter: Record<string, unknown> | null = null) =>
    ok<Figures>(await analysisOf(who, filter));
  const confirm = async (who: Client, input: Record<string, unknown>) =>
    (await who.gql<{ confirmDuplicateGroup: ResultUnion }>(CONFIRM, { input })).confirmDuplicateGroup;
  const undo = async (who: Client, id: string, reason = 'Hai ý kiến nói hai việc khác nhau') =>
    (await who.gql<{ undoDuplicateGroup: ResultUnion }>(UNDO, { id, reason })).undoDuplicateGroup;
  const submit = async (who: Client, body: string, nodeId: string | null = null) =>
    ok<{ comment: { id: string } }>(
      (
        await who.gql<{ submitComment: ResultUnion }>(SUBMIT, {
          input: { policyId, body, stance: 'OPPOSE', idempotencyKey: randomUUID(), nodeId },
        })
      ).submitComment,
    ).comment.id;

  beforeAll(async () => {
    platform = await startPlatform();
    anonymous = client(platform.baseUrl);
    const parentAccount = platform.demoAccounts.find((a) => a.email === 'parent@demo.gopy.vn')!;
    parent = await signIn(platform, parentAccount.email, parentAccount.password);
    const teacherAccount = platform.demoAccounts.find((a) => a.email === 'teacher@demo.gopy.vn')!;
    teacher = await signIn(platform, teacherAccount.email, teacherAccount.password);
    staff = await signInAs(platform, 'staff');
    policymaker = await signInAs(platform, 'policymaker');
    auditor = await signInAs(platform, 'auditor');
    admin = await signInAs(platform, 'admin');
    moderator = await signInAs(platform, 'moderator');
    spokesperson = await signInAs(platform, 'spokesperson');
    expect(demoAccount(platform, 'staff')).toBeTruthy();
    const list = await anonymous.gql<{ policies: { edges: { node: { id: string } }[] } }>(
      '{ policies(status: CONSULTATION) { edges { node { id } } } }',
    );
    policyId = list.policies.edges[0]!.node.id;
    const all = await anonymous.gql<{
      policies: { edges: { node: { id: string; currentRound: { round: number } | null } }[] };
    }>('{ policies { edges { node { id currentRound { round } } } } }');
    otherPolicyId = all.policies.edges.find((e) => e.node.id !== policyId && e.node.currentRound)!.node.id;
    campaign.push(await submit(parent, LETTER));
    campaign.push(await submit(teacher, `${LETTER} Xin cảm ơn.`));
    campaign.push(await submit(parent, LETTER.normalize('NFD').toUpperCase()));
    // A comment on a node below the top of the draft, so the heat strip has a top-level node whose total counts it.
    const tree = await anonymous.gql<{
      policy: { currentVersion: { nodes: { id: string; children: { id: string }[] }[] } };
    }>('query($id: ID!) { policy(id: $id) { currentVersion { nodes { id children { id } } } } }', { id: policyId });
    const top = tree.policy.currentVersion.nodes[0]!;
    nodeComment = { topNodeId: top.id };
    await submit(teacher, 'Đề nghị làm rõ đối tượng được miễn giảm ở điều này.', top.children[0]?.id ?? top.id);
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('shows the figures to staff, admins, policymakers and auditors, consistent with the comment list', async () => {
    const mine = await figures(staff);
    const count = await anonymous.gql<{ policy: { comments: { totalCount: number }; rounds: unknown[] } }>(
      'query($id: ID!) { policy(id: $id) { rounds { round } comments { totalCount } } }',
      { id: policyId },
    );
    expect(count.policy.rounds).toHaveLength(1);
    expect(mine.comments).toBe(count.policy.comments.totalCount);
    expect(mine.comments).toBeGreaterThanOrEqual(3);
    for (const list of [mine.byStance, mine.byCategory, mine.byChannel, mine.byDay, mine.byNode]) {
      expect(list.reduce((s, b) => s + b.comments, 0)).toBe(mine.comments);
    }
    // The heat strip: a node's total is its own comments and its children's totals.
    const onNodes = mine.byNode.filter((b) => b.nodeId !== null).reduce((s, b) => s + b.comments, 0);
    expect(mine.heat.filter((n) => n.depth === 0).reduce((s, n) => s + n.total, 0)).toBe(onNodes);
    expect(mine.participants).toBeLessThanOrEqual(mine.comments);
    expect(mine.responseCoverage.visible).toBe(mine.comments);
    expect(await figures(policymaker)).toEqual(mine);
    expect(await figures(auditor)).toEqual(mine);
    expect(await figures(admin)).toEqual(mine);
  });

  it('refuses the figures to participants, moderators, spokespeople and anonymous visitors, as typed errors', async () => {
    for (const who of [parent, moderator, spokesperson]) {
      expectRefusal(await analysisOf(who), { typename: 'ForbiddenError', code: 'FORBIDDEN' });
    }
    expectRefusal(await analysisOf(anonymous), { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
  });

  it('filters every figure by channel, category and node', async () => {
    const all = await figures(staff);
    const web = await figures(staff, { channel: 'WEB' });
    const parents = await figures(staff, { category: 'PARENT' });
    expect(web.comments).toBe(all.byChannel.find((b) => b.channel === 'WEB')?.comments ?? 0);
    expect(parents.comments).toBe(all.byCategory.find((b) => b.category === 'PARENT')?.comments ?? 0);
    // The parent's campaign letters are in the round, so the category filter has something to keep.
    expect(parents.comments).toBeGreaterThan(0);
    expect(parents.byCategory.map((b) => b.category)).toEqual(['PARENT']);
    const top = all.heat.find((n) => n.depth === 0 && n.nodeId === nodeComment.topNodeId);
    expect(top, JSON.stringify(all.heat)).toBeDefined();
    expect(top!.total).toBeGreaterThan(0);
    expect((await figures(staff, { nodeId: top!.nodeId })).comments).toBe(top!.total);
    const none = await figures(staff, { channel: 'PRESS', category: 'STUDENT' });
    expect(none.comments).toBe(none.byStance.reduce((s, b) => s + b.comments, 0));
  });

  it('proposes the campaign as a candidate group; staff confirm it and it counts once', async () => {
    const before = await figures(staff);
    const candidates = ok<{ commentIds: string[]; representativeCommentId: string; similarity: number }[]>(
      (await staff.gql<{ duplicateCandidates: ResultUnion }>(CANDIDATES, { id: policyId, round: before.round }))
        .duplicateCandidates,
    );
    const found = candidates.find((c) => campaign.every((id) => c.commentIds.includes(id)));
    expect(found, JSON.stringify(candidates)).toBeTruthy();
    expect(found!.representativeCommentId).toBe(campaign[0]);
    const group = ok<{ group: { id: string; commentIds: string[]; status: string } }>(
      await confirm(staff, {
        policyId,
        round: before.round,
        commentIds: campaign,
        representativeCommentId: campaign[0],
      }),
    ).group;
    expect(group.status).toBe('confirmed');
    const after = await figures(staff);
    expect(after.comments).toBe(before.comments);
    expect(after.distinctArguments).toBe(before.distinctArguments - 2);
    expect(after.confirmedGroups).toBe(before.confirmedGroups + 1);
    expect(after.duplicateGroups.map((g) => g.id)).toContain(group.id);
    // Grouped comments are not proposed again.
    const again = ok<{ commentIds: string[] }[]>(
      (await staff.gql<{ duplicateCandidates: ResultUnion }>(CANDIDATES, { id: policyId, round: before.round }))
        .duplicateCandidates,
    );
    expect(again.flatMap((c) => c.commentIds).filter((id) => campaign.includes(id))).toEqual([]);
    for (const who of [parent, moderator]) {
      expectRefusal(
        (await who.gql<{ duplicateCandidates: ResultUnion }>(CANDIDATES, { id: policyId, round: before.round }))
          .duplicateCandidates,
        { typename: 'ForbiddenError', code: 'FORBIDDEN' },
      );
    }
  });

  it('refuses confirmation to every role but staff, admins and policymakers, and refuses bad groups with a reason', async () => {
    const round = (await figures(staff)).round;
    const a = await submit(parent, 'Ý kiến thứ nhất về sĩ số lớp học ở bậc mầm non.');
    const b = await submit(teacher, 'Ý kiến thứ hai về phụ cấp cho giáo viên dạy buổi chiều.');
    const input = { policyId, round, commentIds: [a, b], representativeCommentId: a };
    for (const who of [parent, moderator, spokesperson, auditor]) {
      expectRefusal(await confirm(who, input), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'ANALYST_ONLY' });
    }
    expectRefusal(await confirm(anonymous, input), { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    expectRefusal(await confirm(staff, { ...input, commentIds: [a] }), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'commentIds',
    });
    expectRefusal(await confirm(staff, { ...input, representativeCommentId: campaign[0] }), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'representativeCommentId',
    });
    expectRefusal(await confirm(staff, { ...input, commentIds: [a, randomUUID()] }), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'commentIds',
    });
    expectRefusal(await confirm(staff, { ...input, commentIds: [a, campaign[1]!] }), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'COMMENT_ALREADY_GROUPED',
    });
    expectRefusal(await confirm(staff, { ...input, policyId: randomUUID() }), {
      typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
    expectRefusal(await confirm(staff, { ...input, round: 99 }), { typename: 'NotFoundError', code: 'NOT_FOUND' });
    expectRefusal(await confirm(staff, { ...input, policyId: otherPolicyId }), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'commentIds',
    });
    // A policymaker may group, and an admin of the organisation standing in for its staff.
    const group = ok<{ group: { id: string; status: string } }>(await confirm(policymaker, input)).group;
    expect(group.status).toBe('confirmed');
    ok(await undo(policymaker, group.id));
    const byAdmin = ok<{ group: { id: string; status: string } }>(await confirm(admin, input)).group;
    expect(byAdmin.status).toBe('confirmed');
    ok(await undo(admin, byAdmin.id));
  });

  it('undoes a group with a reason, by staff or policymakers only, once', async () => {
    const round = (await figures(staff)).round;
    const a = await submit(parent, 'Đề nghị nhà trường công khai các khoản thu chi trên bảng tin.');
    const b = await submit(teacher, 'Đề nghị công khai khoản thu chi của nhà trường trên bảng tin.');
    const group = ok<{ group: { id: string } }>(
      await confirm(staff, { policyId, round, commentIds: [a, b], representativeCommentId: b }),
    ).group;
    const grouped = await figures(staff);
    for (const who of [parent, moderator, spokesperson, auditor]) {
      expectRefusal(await undo(who, group.id), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'ANALYST_ONLY' });
    }
    expectRefusal(await undo(anonymous, group.id), { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    expectRefusal(await undo(staff, group.id, '   '), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'reason',
    });
    expectRefusal(await undo(staff, randomUUID()), { typename: 'NotFoundError', code: 'NOT_FOUND' });
    const undone = ok<{ group: { status: string; undoneReason: string } }>(await undo(staff, group.id)).group;
    expect(undone).toEqual({ id: group.id, status: 'undone', undoneReason: 'Hai ý kiến nói hai việc khác nhau' });
    expectRefusal(await undo(staff, group.id), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'GROUP_ALREADY_UNDONE',
    });
    const after = await figures(staff);
    expect(after.distinctArguments).toBe(grouped.distinctArguments + 1);
    expect(after.duplicateGroups.map((g) => g.id)).not.toContain(group.id);
  });

  it('answers refusals in English when asked', async () => {
    const english = client(platform.baseUrl, parent.token, 'en');
    expectRefusal(
      (await english.gql<{ policy: { analysis: ResultUnion } }>(ANALYSIS, { id: policyId, filter: null })).policy
        .analysis,
      {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        locale: 'en',
      },
    );
  });
});
