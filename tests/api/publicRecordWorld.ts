/**
 * A consultation acted out up to its published digest (issue 17): a parent's comment on Điều 1 not accepted, another on
 * the whole draft accepted, and another participant's comment (with a phone number in it) in the accepted theme.
 * Shared by the API and browser tests of the public record.
 */
import type { Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ERROR_FIELDS,
  ok,
  openPolicy,
  signInAs,
  staffOrganizationId,
  submitComment,
  type Client,
  type ResultUnion,
} from './support';

const ok1 = (name: string) =>
  `... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { position theme { id } } }`;
const digestCall = (name: string, args: string, call: string) =>
  `mutation(${args}) { ${name}(${call}) { ${ERROR_FIELDS} ${ok1(name)} } }`;
const ROUND = '$policyId: ID!, $round: Int!';
const AT = 'policyId: $policyId, round: $round';
const START = digestCall('startDigest', ROUND, AT);
const DEFINE = digestCall('defineTheme', `${ROUND}, $title: String!`, `${AT}, title: $title`);
const ASSIGN = digestCall(
  'assignCommentsToTheme',
  `${ROUND}, $themeIds: [ID!]!, $commentIds: [ID!]!`,
  `${AT}, themeIds: $themeIds, commentIds: $commentIds`,
);
const ANSWER = digestCall(
  'answerTheme',
  `${ROUND}, $themeId: ID!, $decision: ThemeDecision!, $explanation: String`,
  `${AT}, themeId: $themeId, decision: $decision, explanation: $explanation`,
);
const APPROVE = digestCall('approveDigest', ROUND, AT);
const PUBLISH = digestCall('publishDigest', ROUND, AT);

export interface ConsultationIds {
  notAccepted: string;
  accepted: string;
  teacher: string;
}

export async function publishedConsultation(
  platform: Platform,
  parent: Client,
): Promise<{ policyId: string; ids: ConsultationIds }> {
  const staff = await signInAs(platform, 'staff');
  const spokesperson = await signInAs(platform, 'spokesperson');
  const teacher = await signInAs(platform, 'participant');
  let policyId = '';
  const ids: ConsultationIds = { notAccepted: '', accepted: '', teacher: '' };
  const call = async (who: Client, mutation: string, vars: Record<string, unknown> = {}) =>
    Object.values(await who.gql<Record<string, ResultUnion>>(mutation, { policyId, round: 1, ...vars }))[0]!;
  const comment = async (who: Client, body: string, nodeId: string | null = null) =>
    ok<{ comment: { id: string } }>(await submitComment(who, { policyId, body, stance: 'SUGGESTION', nodeId })).comment
      .id;
  const policy = await openPolicy(staff, await staffOrganizationId(staff));
  policyId = policy.id;
  const article = policy.currentVersion!.nodes[0]!.children![0]!.id;
  ids.notAccepted = await comment(
    parent,
    'Đề nghị bỏ hẳn khoản thu quỹ lớp vì nhiều gia đình còn khó khăn, nhất là ở các thôn xa trung tâm.',
    article,
  );
  ids.accepted = await comment(parent, 'Nên công khai các khoản thu trên bảng tin.');
  ids.teacher = await comment(teacher, 'Số điện thoại của tôi là 0912 345 678, xin liên hệ.');

  ok(await call(staff, START, { policyId, round: 1 }));
  const theme = async (title: string) => ok<{ theme: { id: string } }>(await call(staff, DEFINE, { title })).theme.id;
  const refused = await theme('Bỏ khoản thu quỹ lớp');
  const taken = await theme('Công khai các khoản thu');
  ok(await call(staff, ASSIGN, { themeIds: [refused], commentIds: [ids.notAccepted] }));
  ok(await call(staff, ASSIGN, { themeIds: [taken], commentIds: [ids.accepted, ids.teacher] }));
  ok(
    await call(staff, ANSWER, {
      themeId: refused,
      decision: 'NOT_ACCEPTED',
      explanation: 'Quỹ lớp do cha mẹ học sinh tự nguyện, không thuộc phạm vi quy định.',
    }),
  );
  ok(await call(staff, ANSWER, { themeId: taken, decision: 'ACCEPTED', explanation: '' }));
  ok(
    (await staff.gql<Record<string, ResultUnion>>(CLOSE_CONSULTATION, { policyId, reason: 'Đủ ý kiến' }))
      .closeConsultation!,
  );
  ok(await call(spokesperson, APPROVE));
  ok(await call(spokesperson, PUBLISH));
  return { policyId, ids };
}
