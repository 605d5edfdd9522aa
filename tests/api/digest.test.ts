/**
 * The response digest over HTTP ("bản tổng hợp, tiếp thu, giải trình ý kiến"): comments arrive, staff start the digest,
 * define themes, assign comments in bulk and answer each theme; a spokesperson approves and publishes; publishing
 * records RoundAnswered with the covered count, and only then can the policymaker enact. Each mutation is called by the
 * roles that may and by those that may not.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ENACT_POLICY,
  ERROR_FIELDS,
  client,
  expectRefusal,
  inDays,
  ok,
  openPolicy,
  signIn,
  signInAs,
  stopPlatform,
  submitComment,
  staffOrganizationId,
  type Client,
  type PolicyView,
  type ResultUnion,
} from './support';

const DIGEST_FIELDS = `id round status coveredCount visibleCount countedAtPosition
  themes { id number title description decision explanation commentCount sectionsChanged { nodeId label } comments(first: 50) { edges { node { id } } } }`;
const digestMutation = (name: string, args: string, call: string) =>
  `mutation(${args}) { ${name}(${call}) { ${ERROR_FIELDS} ... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { position theme { id } digest { ${DIGEST_FIELDS} } } } } }`;
const START = digestMutation('startDigest', '$policyId: ID!, $round: Int!', 'policyId: $policyId, round: $round');
const DEFINE = digestMutation(
  'defineTheme',
  '$policyId: ID!, $round: Int!, $themeId: ID, $title: String!, $description: String',
  'policyId: $policyId, round: $round, themeId: $themeId, title: $title, description: $description',
);
const ASSIGN = digestMutation(
  'assignCommentsToTheme',
  '$policyId: ID!, $round: Int!, $themeIds: [ID!]!, $commentIds: [ID!]!, $unassignedCommentIds: [ID!]',
  'policyId: $policyId, round: $round, themeIds: $themeIds, commentIds: $commentIds, unassignedCommentIds: $unassignedCommentIds',
);
const ANSWER = digestMutation(
  'answerTheme',
  '$policyId: ID!, $round: Int!, $themeId: ID!, $decision: ThemeDecision!, $explanation: String, $sectionsChanged: [ID!]',
  'policyId: $policyId, round: $round, themeId: $themeId, decision: $decision, explanation: $explanation, sectionsChanged: $sectionsChanged',
);
const APPROVE = digestMutation('approveDigest', '$policyId: ID!, $round: Int!', 'policyId: $policyId, round: $round');
const PUBLISH = digestMutation('publishDigest', '$policyId: ID!, $round: Int!', 'policyId: $policyId, round: $round');
const HIDE = `mutation($id: ID!) { hideComment(commentId: $id, reasonCode: ABUSE, reason: "Ngôn từ xúc phạm") { ${ERROR_FIELDS} ... on MutationHideCommentSuccess { data { position } } } }`;
const OFFLINE = `mutation($input: RecordOfflineFeedbackInput!) { recordOfflineFeedback(input: $input) { ${ERROR_FIELDS} ... on MutationRecordOfflineFeedbackSuccess { data { comment { id } } } } }`;
const PUBLIC_DIGEST = `query($id: ID!) { policy(id: $id) { currentRound { answered } digest(round: 1) { ${DIGEST_FIELDS} } } }`;
const ANSWERS = `query($id: ID!) { policy(id: $id) { comments(first: 100) { totalCount edges { node { id answer { decision explanation round theme { title } } } } } } }`;

type Result = Record<string, ResultUnion>;
interface DigestView {
  id: string;
  status: string;
  coveredCount: number | null;
  visibleCount: number | null;
  countedAtPosition: string | null;
  themes: {
    id: string;
    number: number;
    title: string;
    decision: string | null;
    commentCount: number;
    sectionsChanged: { nodeId: string; label: string }[];
    comments: { edges: { node: { id: string } }[] };
  }[];
}

describe('the response digest of a round', () => {
  let platform: Platform;
  let anonymous: Client;
  let staff: Client;
  let spokesperson: Client;
  let policymaker: Client;
  let moderator: Client;
  let auditor: Client;
  let parent: Client;
  let teacher: Client;
  let policy: PolicyView;
  let policyId: string;
  const comments: string[] = [];
  let hidden: string;
  let fees: string;
  let uniforms: string;

  const vars = (extra: Record<string, unknown> = {}) => ({ policyId, round: 1, ...extra });
  const call = async (who: Client, mutation: string, name: string, extra: Record<string, unknown> = {}) =>
    (await who.gql<Result>(mutation, vars(extra)))[name]!;
  const digestOf = (r: ResultUnion) => ok<{ digest: DigestView; theme: { id: string } | null; position: string }>(r);

  beforeAll(async () => {
    platform = await startPlatform();
    anonymous = client(platform.baseUrl);
    staff = await signInAs(platform, 'staff');
    spokesperson = await signInAs(platform, 'spokesperson');
    policymaker = await signInAs(platform, 'policymaker');
    moderator = await signInAs(platform, 'moderator');
    auditor = await signInAs(platform, 'auditor');
    const demo = (email: string) => platform.demoAccounts.find((a) => a.email === email)!;
    parent = await signIn(platform, demo('parent@demo.gopy.vn').email, demo('parent@demo.gopy.vn').password);
    teacher = await signIn(platform, demo('teacher@demo.gopy.vn').email, demo('teacher@demo.gopy.vn').password);
    policy = await openPolicy(staff, await staffOrganizationId(staff));
    policyId = policy.id;
    const article = policy.currentVersion!.nodes[0]!.children![0]!.id;
    const bodies: [Client, string, string | null][] = [
      [parent, 'Đề nghị giữ nguyên mức thu, miễn cho hộ nghèo.', article],
      [teacher, 'Mức thu cao so với các xã vùng khó khăn.', article],
      [parent, 'Đồng phục nên cho phép mặc áo cũ của anh chị.', null],
      [teacher, 'Cần công khai các khoản thu trên bảng tin nhà trường.', null],
    ];
    for (const [who, body, nodeId] of bodies) {
      const r = await submitComment(who, { policyId, body, stance: 'SUGGESTION', nodeId });
      comments.push(ok<{ comment: { id: string } }>(r).comment.id);
    }
    const abusive = await submitComment(teacher, {
      policyId,
      body: 'Một ý kiến sẽ bị ẩn vì lời lẽ.',
      stance: 'OPPOSE',
    });
    hidden = ok<{ comment: { id: string } }>(abusive).comment.id;
    ok((await moderator.gql<Result>(HIDE, { id: hidden })).hideComment!);
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('only staff start the digest; a start retried is acknowledged', async () => {
    expectRefusal(await call(anonymous, START, 'startDigest'), {
      typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
    for (const who of [parent, spokesperson, policymaker, moderator]) {
      expectRefusal(await call(who, START, 'startDigest'), {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'STAFF_ONLY',
      });
    }
    expectRefusal(await call(auditor, START, 'startDigest'), { typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expectRefusal(await call(staff, START, 'startDigest', { round: 2 }), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'ROUND_MISMATCH',
    });
    expectRefusal(await call(staff, START, 'startDigest', { policyId: randomUUID() }), {
      typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
    const started = digestOf(await call(staff, START, 'startDigest'));
    expect(started.digest).toMatchObject({ status: 'STARTED', themes: [], coveredCount: null });
    expect(digestOf(await call(staff, START, 'startDigest')).digest.id).toBe(started.digest.id);
  });

  it('keeps a draft digest from the public and from participants', async () => {
    const asPublic = await anonymous.gql<{ policy: { digest: DigestView | null } }>(PUBLIC_DIGEST, { id: policyId });
    expect(asPublic.policy.digest).toBeNull();
    expect(
      (await parent.gql<{ policy: { digest: DigestView | null } }>(PUBLIC_DIGEST, { id: policyId })).policy.digest,
    ).toBeNull();
    expect(
      (await auditor.gql<{ policy: { digest: DigestView | null } }>(PUBLIC_DIGEST, { id: policyId })).policy.digest
        ?.status,
    ).toBe('STARTED');
  });

  it('only staff define and rename themes', async () => {
    for (const who of [parent, spokesperson, policymaker]) {
      expectRefusal(await call(who, DEFINE, 'defineTheme', { title: 'Học phí' }), {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'STAFF_ONLY',
      });
    }
    expectRefusal(await call(staff, DEFINE, 'defineTheme', { title: '   ' }), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'title',
    });
    fees = digestOf(await call(staff, DEFINE, 'defineTheme', { title: 'Mức thu', description: 'Ý kiến về mức thu.' }))
      .theme!.id;
    uniforms = digestOf(await call(staff, DEFINE, 'defineTheme', { title: 'Đồng phục và công khai' })).theme!.id;
    const renamed = digestOf(
      await call(staff, DEFINE, 'defineTheme', {
        themeId: fees,
        title: 'Mức thu và miễn giảm',
        description: 'Ý kiến về mức thu.',
      }),
    );
    expect(renamed.digest.themes.map((t) => [t.number, t.title])).toEqual([
      [1, 'Mức thu và miễn giảm'],
      [2, 'Đồng phục và công khai'],
    ]);
  });

  it('only staff assign comments, in bulk, to one or several themes, and only comments of the round', async () => {
    const [c1, c2, c3] = comments;
    expectRefusal(await call(parent, ASSIGN, 'assignCommentsToTheme', { themeIds: [fees], commentIds: [c1] }), {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'STAFF_ONLY',
    });
    expectRefusal(await call(spokesperson, ASSIGN, 'assignCommentsToTheme', { themeIds: [fees], commentIds: [c1] }), {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'STAFF_ONLY',
    });
    expectRefusal(
      await call(staff, ASSIGN, 'assignCommentsToTheme', { themeIds: [fees], commentIds: [randomUUID()] }),
      { typename: 'ValidationError', code: 'VALIDATION', field: 'commentIds[0]' },
    );
    expectRefusal(await call(staff, ASSIGN, 'assignCommentsToTheme', { themeIds: [randomUUID()], commentIds: [c1] }), {
      typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
    ok(await call(staff, ASSIGN, 'assignCommentsToTheme', { themeIds: [fees], commentIds: [c1, c2] }));
    const both = digestOf(
      await call(staff, ASSIGN, 'assignCommentsToTheme', { themeIds: [fees, uniforms], commentIds: [c3] }),
    );
    const byTitle = Object.fromEntries(
      both.digest.themes.map((t) => [t.id, t.comments.edges.map((e) => e.node.id).sort()]),
    );
    expect(byTitle[fees]).toEqual([c1, c2, c3].sort());
    expect(byTitle[uniforms]).toEqual([c3]);
    // Taken out again of the first theme: it stays in the second.
    const out = digestOf(
      await call(staff, ASSIGN, 'assignCommentsToTheme', {
        themeIds: [fees],
        commentIds: [],
        unassignedCommentIds: [c3],
      }),
    );
    expect(out.digest.themes.find((t) => t.id === fees)!.commentCount).toBe(2);
    // The filtered list staff assign from, with the themes each comment is in; participants see no draft themes.
    const LIST = `query($id: ID!) { policy(id: $id) { comments(first: 50) { edges { node { id digestThemeIds } } } digest(round: 1) { comments(first: 50, filter: { unassignedOnly: true }) { edges { node { id } } } } } }`;
    type List = {
      policy: {
        comments: { edges: { node: { id: string; digestThemeIds: string[] } }[] };
        digest: { comments: { edges: { node: { id: string } }[] } } | null;
      };
    };
    const listed = await staff.gql<List>(LIST, { id: policyId });
    expect(listed.policy.digest!.comments.edges.map((e) => e.node.id)).toEqual([comments[3]]);
    const themesOf = (l: List, id: string) =>
      l.policy.comments.edges.find((e) => e.node.id === id)!.node.digestThemeIds;
    expect(themesOf(listed, c1!)).toEqual([fees]);
    expect(themesOf(listed, c3!)).toEqual([uniforms]);
    const asParent = await parent.gql<List>(LIST, { id: policyId });
    expect(asParent.policy.digest).toBeNull();
    expect(themesOf(asParent, c1!)).toEqual([]);
  });

  it('only staff answer themes; a refusal without a reason names the field', async () => {
    const article = policy.currentVersion!.nodes[0]!.children![0]!.id;
    for (const who of [parent, spokesperson, policymaker]) {
      expectRefusal(await call(who, ANSWER, 'answerTheme', { themeId: fees, decision: 'ACCEPTED' }), {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'STAFF_ONLY',
      });
    }
    expectRefusal(
      await call(staff, ANSWER, 'answerTheme', { themeId: fees, decision: 'NOT_ACCEPTED', explanation: '' }),
      {
        typename: 'ValidationError',
        code: 'VALIDATION',
        field: 'explanation',
      },
    );
    const answered = digestOf(
      await call(staff, ANSWER, 'answerTheme', {
        themeId: fees,
        decision: 'PARTLY_ACCEPTED',
        explanation: 'Giữ mức thu; bổ sung miễn giảm cho hộ nghèo tại Điều 1.',
        sectionsChanged: [article],
      }),
    );
    const theme = answered.digest.themes.find((t) => t.id === fees)!;
    expect(theme.decision).toBe('PARTLY_ACCEPTED');
    expect(theme.sectionsChanged).toEqual([{ nodeId: article, label: 'Điều 1. Phạm vi điều chỉnh' }]);
  });

  it('only a spokesperson approves, once the round is closed and every theme answered', async () => {
    for (const who of [staff, policymaker, parent, moderator]) {
      expectRefusal(await call(who, APPROVE, 'approveDigest'), {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'SPOKESPERSON_ONLY',
      });
    }
    expectRefusal(await call(spokesperson, APPROVE, 'approveDigest'), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'ROUND_STILL_OPEN',
    });
    ok((await staff.gql<Result>(CLOSE_CONSULTATION, { policyId, reason: 'Đã đủ ý kiến' })).closeConsultation!);
    expectRefusal(await call(spokesperson, APPROVE, 'approveDigest'), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'THEMES_UNANSWERED',
    });
    ok(await call(staff, ANSWER, 'answerTheme', { themeId: uniforms, decision: 'ACCEPTED', explanation: '' }));
    expect(digestOf(await call(spokesperson, APPROVE, 'approveDigest')).digest.status).toBe('APPROVED');
    expectRefusal(await call(spokesperson, APPROVE, 'approveDigest'), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DIGEST_ALREADY_APPROVED',
    });
  });

  it('takes no more offline feedback once the digest is approved', async () => {
    const { recordOfflineFeedback } = await staff.gql<Result>(OFFLINE, {
      input: {
        policyId,
        channel: 'LETTER',
        receivedAt: policy.currentRound!.opensAt,
        body: 'Thư góp ý gửi trước hạn, đến muộn.',
        stance: 'NEUTRAL',
        stakeholderCategory: 'PARENT',
        idempotencyKey: randomUUID(),
      },
    });
    expectRefusal(recordOfflineFeedback!, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DIGEST_APPROVED',
    });
  });

  it('refuses enactment before the digest is published', async () => {
    const { enactPolicy } = await policymaker.gql<Result>(ENACT_POLICY, {
      input: { policyId, decisionNumber: '21/QĐ-PGDĐT', effectiveDate: inDays(30).slice(0, 10) },
    });
    expectRefusal(enactPolicy!, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_ANSWERED' });
  });

  it('refuses to publish while a visible comment is in no answered theme, and needs a new approval after a change', async () => {
    for (const who of [staff, policymaker, parent]) {
      expectRefusal(await call(who, PUBLISH, 'publishDigest'), {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'SPOKESPERSON_ONLY',
      });
    }
    expectRefusal(await call(auditor, PUBLISH, 'publishDigest'), { typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expectRefusal(await call(spokesperson, PUBLISH, 'publishDigest'), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DIGEST_INCOMPLETE',
    });
    ok(await call(staff, ASSIGN, 'assignCommentsToTheme', { themeIds: [uniforms], commentIds: [comments[3]] }));
    expectRefusal(await call(spokesperson, PUBLISH, 'publishDigest'), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DIGEST_NOT_APPROVED',
    });
    ok(await call(spokesperson, APPROVE, 'approveDigest'));
  });

  it('a spokesperson publishes; RoundAnswered records the covered count, counted apart from hidden comments', async () => {
    const published = digestOf(await call(spokesperson, PUBLISH, 'publishDigest'));
    expect(published.position).not.toBe('');
    // Counted independently: the public comment list of the policy shows the visible comments of its only round.
    const listed = await anonymous.gql<{
      policy: { comments: { totalCount: number; edges: { node: { id: string } }[] } };
    }>(ANSWERS, { id: policyId });
    expect(listed.policy.comments.totalCount).toBe(4);
    expect(listed.policy.comments.edges.map((e) => e.node.id)).not.toContain(hidden);
    expect(published.digest).toMatchObject({ status: 'PUBLISHED', coveredCount: 4, visibleCount: 4 });
    expect(published.digest.countedAtPosition).toMatch(/\S/);
    const seen = await anonymous.gql<{ policy: { currentRound: { answered: boolean }; digest: DigestView } }>(
      PUBLIC_DIGEST,
      { id: policyId },
    );
    expect(seen.policy.currentRound.answered).toBe(true);
    expect(seen.policy.digest.themes.map((t) => [t.title, t.decision, t.commentCount])).toEqual([
      ['Mức thu và miễn giảm', 'PARTLY_ACCEPTED', 2],
      ['Đồng phục và công khai', 'ACCEPTED', 2],
    ]);
  });

  it('changes nothing after publishing', async () => {
    expectRefusal(await call(staff, DEFINE, 'defineTheme', { title: 'Thêm nhóm' }), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DIGEST_PUBLISHED',
    });
    expectRefusal(await call(staff, ANSWER, 'answerTheme', { themeId: fees, decision: 'NOTED' }), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DIGEST_PUBLISHED',
    });
    expectRefusal(await call(spokesperson, APPROVE, 'approveDigest'), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DIGEST_PUBLISHED',
    });
    expectRefusal(await call(spokesperson, PUBLISH, 'publishDigest'), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DIGEST_PUBLISHED',
    });
    expectRefusal(await call(staff, PUBLISH, 'publishDigest'), {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'SPOKESPERSON_ONLY',
    });
  });

  it('shows each comment its answer and notifies its author', async () => {
    const listed = await anonymous.gql<{
      policy: {
        comments: {
          edges: {
            node: { id: string; answer: { decision: string; round: number; theme: { title: string } } | null };
          }[];
        };
      };
    }>(ANSWERS, { id: policyId });
    const answerOf = (id: string) => listed.policy.comments.edges.find((e) => e.node.id === id)!.node.answer;
    expect(answerOf(comments[0]!)).toMatchObject({
      decision: 'PARTLY_ACCEPTED',
      round: 1,
      theme: { title: 'Mức thu và miễn giảm' },
    });
    expect(answerOf(comments[2]!)).toMatchObject({ decision: 'ACCEPTED', theme: { title: 'Đồng phục và công khai' } });
    // One notification for the parent's two answered comments, naming each (first words, article) and its outcome.
    const { viewer } = await parent.gql<{
      viewer: {
        notifications: {
          edges: {
            node: {
              kind: string;
              url: string;
              text: string;
              answers: { commentId: string; anchorLabel: string | null; decision: string; url: string }[];
            };
          }[];
        };
      };
    }>(
      '{ viewer { notifications(first: 50) { edges { node { kind url text answers { commentId anchorLabel decision url } } } } } }',
    );
    const answered = viewer.notifications.edges.filter((e) => e.node.kind === 'COMMENT_ANSWERED').map((e) => e.node);
    expect(answered).toHaveLength(1);
    expect(answered[0]!.url).toBe(`/policies/${policyId}/digest/1`);
    expect(answered[0]!.answers).toEqual([
      {
        commentId: comments[0]!,
        anchorLabel: 'Điều 1',
        decision: 'PARTLY_ACCEPTED',
        url: `/policies/${policyId}/digest/1#comment-${comments[0]!}`,
      },
      {
        commentId: comments[2]!,
        anchorLabel: null,
        decision: 'ACCEPTED',
        url: `/policies/${policyId}/digest/1#comment-${comments[2]!}`,
      },
    ]);
    expect(answered[0]!.text).toBe(
      'Bản tổng hợp đã công bố trả lời 2 góp ý của bạn: «Đề nghị giữ nguyên mức thu, miễn cho hộ nghèo.» (Điều 1): tiếp thu một phần; «Đồng phục nên cho phép mặc áo cũ của anh chị.» (Toàn bộ dự thảo): tiếp thu.',
    );
  });

  it('downloads the digest as .docx in the official table and as .pdf, each stating its position, reproducible', async () => {
    const base = `${platform.baseUrl}/export/policies/${policyId}/rounds/1/digest`;
    const download = async (ext: string, position?: string) => {
      const res = await fetch(`${base}.${ext}${position ? `?position=${encodeURIComponent(position)}` : ''}`);
      expect(
        res.status,
        await res
          .clone()
          .text()
          .catch(() => ''),
      ).toBe(200);
      return { bytes: Buffer.from(await res.arrayBuffer()), position: res.headers.get('x-gopy-position')! };
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-digest-'));
    const documentXml = (bytes: Buffer) => {
      const file = path.join(dir, `${randomUUID()}.docx`);
      fs.writeFileSync(file, bytes);
      return execFileSync('unzip', ['-p', file, 'word/document.xml']).toString('utf8');
    };
    const cellTexts = (row: string) =>
      [...row.matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((c) =>
        [...c[1]!.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''),
      );

    const docx = await download('docx');
    expect(docx.position).toMatch(/\S/);
    const xml = documentXml(docx.bytes);
    const rows = [...xml.matchAll(/<w:tr>([\s\S]*?)<\/w:tr>|<w:tr [^>]*>([\s\S]*?)<\/w:tr>/g)].map((r) =>
      cellTexts(r[1] ?? r[2]!),
    );
    expect(rows[0]).toEqual([
      'STT',
      'Nội dung góp ý',
      'Cơ quan, tổ chức, cá nhân góp ý (đối tượng)',
      'Ý kiến tiếp thu, giải trình',
    ]);
    // Two theme rows and the four visible comments; the hidden one is not there.
    expect(rows).toHaveLength(1 + 2 + 4);
    expect(rows[1]).toEqual(['Nhóm 1: Mức thu và miễn giảm']);
    expect(rows[2]![0]).toBe('1');
    expect(rows[2]![1]).toContain('Đề nghị giữ nguyên mức thu, miễn cho hộ nghèo.');
    expect(rows[2]![2]).toBe('Hoàng Thị Mai (Cha mẹ học sinh)');
    expect(rows[2]![3]).toContain('Tiếp thu một phần. Giữ mức thu; bổ sung miễn giảm cho hộ nghèo tại Điều 1.');
    expect(rows[4]).toEqual(['Nhóm 2: Đồng phục và công khai']);
    expect(rows.slice(2).map((r) => r[0])).toEqual(['1', '2', 'Nhóm 2: Đồng phục và công khai', '3', '4']);
    expect(xml).not.toContain('Một ý kiến sẽ bị ẩn vì lời lẽ.');
    expect(xml).toContain(docx.position);

    const pdf = await download('pdf');
    const pdfFile = path.join(dir, 'digest.pdf');
    fs.writeFileSync(pdfFile, pdf.bytes);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfFile, '-']).toString('utf8').normalize('NFC');
    expect(text).toContain('BẢN TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN');
    expect(text).toContain('Nhóm 2: Đồng phục và công khai');
    expect(text.replace(/\s+/g, ' ')).toContain('Đồng phục nên cho phép mặc áo cũ của anh chị.');
    expect(text).toContain(pdf.position);

    // Reproducible: a comment hidden later leaves the document made at the earlier position unchanged.
    ok((await moderator.gql<Result>(HIDE, { id: comments[3] })).hideComment!);
    const again = await download('docx', docx.position);
    expect(again.position).toBe(docx.position);
    expect(documentXml(again.bytes)).toBe(xml);
    const now = await download('docx');
    expect(documentXml(now.bytes)).not.toContain('Cần công khai các khoản thu trên bảng tin nhà trường.');

    const missing = await fetch(`${platform.baseUrl}/export/policies/${policyId}/rounds/2/digest.pdf`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${base}.docx?position=not-a-position`)).status).toBe(400);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the policymaker enacts once the digest is published', async () => {
    const { enactPolicy } = await policymaker.gql<Result>(ENACT_POLICY, {
      input: { policyId, decisionNumber: '21/QĐ-PGDĐT', effectiveDate: inDays(30).slice(0, 10) },
    });
    expect(ok<{ policy: PolicyView }>(enactPolicy!).policy.status).toBe('ENACTED');
  });
});
