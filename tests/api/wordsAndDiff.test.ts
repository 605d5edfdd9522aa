/**
 * What people read, over HTTP (issue 17): the diff between versions word by word inside long nodes (a clause changed
 * in a 5,000-character article answers as just that change, Vietnamese words whole whether the draft was typed
 * composed or decomposed), and VALIDATION refusals naming the field in words, never its code name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  PUBLISH_DRAFT_VERSION,
  ERROR_FIELDS,
  client,
  draftedPolicy,
  ok,
  signInAs,
  staffOrganizationId,
  stopPlatform,
  type Client,
  type PolicyView,
  type ResultUnion,
} from './support';

/** Article 5 of a school-fees regulation: 28 numbered clauses in one text, about 5,000 characters. */
export function longArticleText(clause7: string): string {
  return Array.from({ length: 28 }, (_, i) =>
    i === 6
      ? clause7
      : `${i + 1}. Nhà trường công khai các khoản thu, chi của năm học ${2020 + i} trên bảng tin và trang thông tin điện tử của trường, bảo đảm cha mẹ học sinh được biết và góp ý trước ngày ${i + 1} tháng 9.`,
  ).join('\n');
}
const CLAUSE_BEFORE = '7. Học sinh được miễn học phí theo quy định của Hội đồng nhân dân tỉnh.';
const CLAUSE_AFTER = '7. Học sinh được miễn, giảm học phí theo quy định của Hội đồng nhân dân tỉnh.';

const DIFF = `query($id: ID!) { policy(id: $id) { diff(from: 1, to: 2) {
  nodeId changes before { text } after { text } textDiff { kind text } headingDiff { kind text } } } }`;
interface Part {
  kind: 'SAME' | 'ADDED' | 'REMOVED';
  text: string;
}
interface DiffView {
  nodeId: string;
  changes: string[];
  before: { text: string } | null;
  after: { text: string } | null;
  textDiff: Part[];
  headingDiff: Part[];
}
const side = (parts: Part[], kind: 'REMOVED' | 'ADDED') =>
  parts
    .filter((p) => p.kind === 'SAME' || p.kind === kind)
    .map((p) => p.text)
    .join('');

describe('the word diff of a long article, and field names in words', () => {
  let platform: Platform;
  let staff: Client;
  let policyId: string;
  let articleId: string;

  beforeAll(async () => {
    platform = await startPlatform();
    staff = await signInAs(platform, 'staff');
    policyId = await draftedPolicy(staff, await staffOrganizationId(staff), { publish: false });
    const tree = (text: string, heading: string, id?: string) => [
      { id, kind: 'ARTICLE', number: '5', heading, text, children: [] },
    ];
    const publish = async (nodes: unknown[], changeNote: string) =>
      ok<{ policy: PolicyView }>(
        (
          await staff.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
            input: { policyId, title: 'Quy định thu, chi trong trường học', changeNote, nodes },
          })
        ).publishDraftVersion,
      ).policy;
    // Version 1 typed decomposed (NFD), as some keyboards send it; version 2 composed.
    const v1 = await publish(
      tree(longArticleText(CLAUSE_BEFORE).normalize('NFD'), 'Miễn học phí'.normalize('NFD')),
      'Bản dự thảo lần 1',
    );
    articleId = v1.currentVersion!.nodes[0]!.id;
    await publish(tree(longArticleText(CLAUSE_AFTER), 'Miễn, giảm học phí', articleId), 'Tiếp thu ý kiến');
  }, 180_000);

  afterAll(() => stopPlatform(platform));

  it('answers a changed clause in a 5,000-character article as just that change', async () => {
    const { policy } = await client(platform.baseUrl).gql<{ policy: { diff: DiffView[] } }>(DIFF, { id: policyId });
    const article = policy.diff.find((d) => d.nodeId === articleId)!;
    expect(article.changes).toEqual(['REWORDED']);
    expect(article.after!.text.length).toBeGreaterThan(4_900);
    expect(article.textDiff.filter((p) => p.kind !== 'SAME')).toEqual([{ kind: 'ADDED', text: ', giảm' }]);
    expect(side(article.textDiff, 'REMOVED')).toBe(article.before!.text);
    expect(side(article.textDiff, 'ADDED')).toBe(article.after!.text);
    expect(article.headingDiff.filter((p) => p.kind !== 'SAME')).toEqual([{ kind: 'ADDED', text: ', giảm' }]);
  });

  const CODE_NAME = /\b[a-z]+[A-Z]\w*|\b[a-z]{2,}\.[a-z]{2,}/;
  const ENACT = `mutation($input: EnactPolicyInput!) { enactPolicy(input: $input) { __typename } }`;

  it('names a malformed date "Ngày có hiệu lực" at the GraphQL VALIDATION error', async () => {
    const res = await staff.raw(ENACT, {
      input: { policyId, decisionNumber: '15/QĐ-PGDĐT', effectiveDate: '15/12/2026' },
    });
    const error = res.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'VALIDATION', field: 'input.effectiveDate' });
    expect(error?.message.startsWith('Ngày có hiệu lực phải là')).toBe(true);
    expect(String(error?.extensions?.messageEn).startsWith('Effective date must be')).toBe(true);
    for (const m of [error?.message, error?.extensions?.messageEn]) expect(m).not.toMatch(CODE_NAME);
  });

  it("names the field in words in a mutation's ValidationError, in both languages", async () => {
    const PROPOSE = `mutation($input: ProposePolicyInput!) { proposePolicy(input: $input) { ${ERROR_FIELDS} } }`;
    const { proposePolicy } = await staff.gql<{
      proposePolicy: ResultUnion & { messageVi: string; messageEn: string };
    }>(PROPOSE, { input: { organizationId: await staffOrganizationId(staff), title: ' ', summary: 'Tóm tắt.' } });
    expect(proposePolicy).toMatchObject({ code: 'VALIDATION', field: 'title' });
    expect(proposePolicy.messageVi.startsWith('Tiêu đề ')).toBe(true);
    expect(proposePolicy.messageEn.startsWith('Title ')).toBe(true);
    for (const m of [proposePolicy.messageVi, proposePolicy.messageEn]) expect(m).not.toMatch(CODE_NAME);
  });
});
