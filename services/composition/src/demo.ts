import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Principal } from '@gopy/application/commands';
import { commentIdFor } from '@gopy/application/commands';
import { DigestHandlers } from '@gopy/application/digests';
import type { DraftNode, Role, StakeholderCategory } from '@gopy/schemas';
import { reportingPeriodOf } from '@gopy/domain/report';
import type { Runtime } from './runtime';

/** The reporting period before this one: 2026-2027-S1 → 2025-2026-S2 → 2025-2026-S1. */
function previousPeriod(period: string): string {
  const [first, second, semester] = period.split('-') as [string, string, string];
  return semester === 'S2' ? `${first}-${second}-S1` : `${Number(first) - 1}-${Number(second) - 1}-S2`;
}

export interface DemoAccount {
  email: string;
  password: string;
  roles: Role[];
  displayName: string;
  /** The organisation the account works for, when it is not the district office. */
  organization?: string;
}

const DEMO_FILE = 'demo-accounts.json';

/** Demo credentials live only in demo mode, in the data folder; they are printed at every start so people can sign in. */
export function readDemoAccounts(dataDir: string): DemoAccount[] | undefined {
  const file = path.join(dataDir, DEMO_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DemoAccount[]) : undefined;
}

export function printDemoAccounts(accounts: DemoAccount[], publicUrl: string): void {
  console.log('');
  console.log(`Góp ý demo is running at ${publicUrl}  (GraphQL: ${publicUrl}/graphql)`);
  console.log('Demo accounts (demo mode only; passwords generated for this data folder):');
  for (const a of accounts)
    console.log(
      `  ${a.roles.join(', ').padEnd(28)} ${a.email.padEnd(32)} ${a.password}${a.organization ? `  (${a.organization})` : ''}`,
    );
  console.log(`GOPY_DEMO_ACCOUNTS ${JSON.stringify(accounts)}`);
  console.log('');
}

function node(
  kind: DraftNode['kind'],
  number: string,
  heading: string,
  text: string,
  children: DraftNode[] = [],
): DraftNode {
  return { nodeId: randomUUID(), kind, number, heading, text, children };
}

function feesDraft(): DraftNode[] {
  return [
    node('chapter', 'I', 'Quy định chung', '', [
      node(
        'article',
        '1',
        'Phạm vi điều chỉnh và đối tượng áp dụng',
        'Quy định này áp dụng đối với các trường mầm non, tiểu học và trung học cơ sở công lập trên địa bàn huyện.',
        [
          node('clause', '1', '', 'Các khoản thu thỏa thuận phục vụ hoạt động giáo dục ngoài học phí.'),
          node('clause', '2', '', 'Các khoản thu hộ, chi hộ theo đề nghị của cha mẹ học sinh.'),
        ],
      ),
      node(
        'article',
        '2',
        'Nguyên tắc thu, chi',
        'Các khoản thu phải được thỏa thuận công khai với cha mẹ học sinh trước khi thu.',
        [
          node('clause', '1', '', 'Không thu các khoản ngoài danh mục được Ủy ban nhân dân huyện phê duyệt.', [
            node('point', 'a', '', 'Không ép buộc cha mẹ học sinh tham gia các dịch vụ tự nguyện;'),
            node('point', 'b', '', 'Miễn, giảm cho học sinh thuộc hộ nghèo, cận nghèo và học sinh khuyết tật.'),
          ]),
          node('clause', '2', '', 'Nhà trường công khai kết quả thu, chi mỗi học kỳ trên cổng thông tin và bảng tin.'),
        ],
      ),
    ]),
    node('chapter', 'II', 'Mức thu và tổ chức thực hiện', '', [
      node('article', '3', 'Mức thu tối đa', 'Mức thu tiền ăn bán trú không vượt quá 30.000 đồng/học sinh/ngày.'),
      node(
        'article',
        '4',
        'Trách nhiệm của nhà trường',
        'Hiệu trưởng chịu trách nhiệm tổ chức thu, chi và báo cáo Phòng Giáo dục và Đào tạo trước ngày 15 tháng 12 hằng năm.',
      ),
    ]),
  ];
}

function admissionDraft(): DraftNode[] {
  return [
    node(
      'article',
      '1',
      'Đối tượng tuyển sinh',
      'Học sinh đã hoàn thành chương trình tiểu học, cư trú trên địa bàn huyện.',
    ),
    node(
      'article',
      '2',
      'Phương thức tuyển sinh',
      'Xét tuyển theo tuyến cư trú; trường hợp số hồ sơ vượt chỉ tiêu thì ưu tiên theo khoảng cách từ nhà đến trường.',
    ),
    node('article', '3', 'Lịch tuyển sinh', 'Nhận hồ sơ trực tuyến từ ngày 01 tháng 7 đến ngày 10 tháng 7.'),
  ];
}

function parentsDraft(): DraftNode[] {
  return [
    node(
      'article',
      '1',
      'Ban đại diện cha mẹ học sinh',
      'Mỗi lớp có một ban đại diện cha mẹ học sinh gồm từ 3 đến 5 thành viên.',
    ),
    node('article', '2', 'Họp định kỳ', 'Nhà trường họp với ban đại diện ít nhất hai lần mỗi học kỳ.'),
  ];
}

/**
 * Demo data on the first start of an empty store: a province department, a district education office with schools at
 * three levels, one account per role, and policies at several stages with comments. Everything goes through the
 * command handlers, exactly as a user's actions would.
 */
export async function seedDemo(runtime: Runtime): Promise<DemoAccount[]> {
  const { commands, accounts } = runtime;
  const system: Principal | null = null;
  const province = randomUUID();
  const district = randomUUID();
  await commands.organization(
    {
      type: 'RegisterOrganization',
      organizationId: province,
      name: 'Sở Giáo dục và Đào tạo tỉnh Minh Hải',
      kind: 'province_department',
      levels: [],
      schoolType: '',
      parentOrganizationId: null,
    },
    system,
    { systemActor: true },
  );
  await commands.organization(
    {
      type: 'RegisterOrganization',
      organizationId: district,
      name: 'Phòng Giáo dục và Đào tạo huyện Hoà Bình',
      kind: 'district_office',
      levels: [],
      schoolType: '',
      parentOrganizationId: province,
    },
    system,
    { systemActor: true },
  );
  const schools: [string, ('MN' | 'TH' | 'THCS')[], string][] = [
    ['Trường Mầm non Hoa Sen', ['MN'], ''],
    ['Trường Tiểu học Kim Đồng', ['TH'], ''],
    ['Trường THCS Nguyễn Du', ['THCS'], ''],
    ['Trường Phổ thông Dân tộc bán trú TH&THCS Sơn Thủy', ['TH', 'THCS'], 'phổ thông dân tộc bán trú'],
  ];
  const schoolIds: string[] = [];
  for (const [name, levels, schoolType] of schools) {
    const organizationId = randomUUID();
    schoolIds.push(organizationId);
    await commands.organization(
      {
        type: 'RegisterOrganization',
        organizationId,
        name,
        kind: 'school',
        levels,
        schoolType,
        parentOrganizationId: district,
      },
      system,
      { systemActor: true },
    );
  }

  const people: { key: string; displayName: string; roles: Role[]; category: StakeholderCategory }[] = [
    { key: 'admin', displayName: 'Quản trị viên', roles: ['admin'], category: 'organization' },
    { key: 'staff', displayName: 'Nguyễn Thị Lan (chuyên viên)', roles: ['staff'], category: 'organization' },
    { key: 'moderator', displayName: 'Trần Văn Minh (kiểm duyệt)', roles: ['moderator'], category: 'organization' },
    {
      key: 'spokesperson',
      displayName: 'Lê Thu Hà (người phát ngôn)',
      roles: ['spokesperson'],
      category: 'organization',
    },
    {
      key: 'policymaker',
      displayName: 'Phạm Quốc Hùng (Trưởng phòng)',
      roles: ['policymaker'],
      category: 'organization',
    },
    { key: 'auditor', displayName: 'Đỗ Minh Châu (thanh tra)', roles: ['auditor'], category: 'organization' },
    { key: 'parent', displayName: 'Hoàng Thị Mai', roles: [], category: 'parent' },
    { key: 'teacher', displayName: 'Vũ Đức Anh', roles: [], category: 'teacher' },
  ];
  const demoAccounts: DemoAccount[] = [];
  const ids: Record<string, string> = {};
  for (const p of people) {
    const email = `${p.key}@demo.gopy.vn`;
    const password = randomBytes(9).toString('base64url');
    const accountId = await accounts.signUp(
      { email, password, displayName: p.displayName, pseudonym: null, stakeholderCategory: p.category, locale: 'vi' },
      { origin: 'admin', verified: true },
    );
    ids[p.key] = accountId;
    if (p.roles.length > 0) {
      await commands.organization({ type: 'AddMember', organizationId: district, accountId, roles: p.roles }, system, {
        systemActor: true,
      });
    }
    demoAccounts.push({
      email,
      password,
      roles: p.roles.length ? p.roles : ['participant'],
      displayName: p.displayName,
    });
  }

  // One member of staff per school (the school runs its own consultations and reports to the district).
  for (const [i, [name]] of schools.entries()) {
    const email = `school${i + 1}@demo.gopy.vn`;
    const password = randomBytes(9).toString('base64url');
    const displayName = `Cán bộ ${name}`;
    const accountId = await accounts.signUp(
      { email, password, displayName, pseudonym: null, stakeholderCategory: 'organization', locale: 'vi' },
      { origin: 'admin', verified: true },
    );
    ids[`school${i + 1}`] = accountId;
    await commands.organization(
      { type: 'AddMember', organizationId: schoolIds[i]!, accountId, roles: ['staff'] },
      system,
      { systemActor: true },
    );
    demoAccounts.push({ email, password, roles: ['staff'], displayName, organization: name });
  }

  const as = (key: string, roles: Role[]): Principal => ({
    accountId: ids[key]!,
    rolesIn: async () => [...roles, 'participant'],
  });
  const staff = as('staff', ['staff']);
  const now = runtime.clock.now();
  const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString();

  // 1. Open for comment, with comments.
  const fees = randomUUID();
  await commands.policy(
    {
      type: 'ProposePolicy',
      policyId: fees,
      owningOrganizationId: district,
      title: 'Quy định thu, chi các khoản thu thỏa thuận trong trường học năm học 2026–2027',
      summary: 'Dự thảo quy định các khoản thu ngoài học phí, mức thu tối đa và trách nhiệm công khai của nhà trường.',
      topics: ['học phí', 'tài chính'],
    },
    staff,
  );
  await commands.policy({ type: 'StartDrafting', policyId: fees }, staff);
  const feesNodes = feesDraft();
  await commands.policy(
    {
      type: 'PublishDraftVersion',
      policyId: fees,
      title: 'Quy định thu, chi các khoản thu thỏa thuận trong trường học năm học 2026–2027',
      nodes: feesNodes,
      changeNote: 'Bản dự thảo lần 1',
    },
    staff,
  );
  await commands.policy(
    {
      type: 'OpenConsultation',
      policyId: fees,
      opensAt: now.toISOString(),
      closesAt: inDays(21),
      note: 'Lấy ý kiến cha mẹ học sinh, giáo viên và nhân dân.',
    },
    staff,
  );
  const article2 = feesNodes[0]!.children[1]!;
  const article3 = feesNodes[1]!.children[0]!;
  const samples: [string, string | null, string, 'support' | 'oppose' | 'neutral' | 'suggestion'][] = [
    [
      'parent',
      article2.nodeId,
      'Đề nghị bổ sung quy định công khai danh sách học sinh được miễn, giảm để phụ huynh cùng giám sát.',
      'suggestion',
    ],
    [
      'teacher',
      article3.nodeId,
      'Mức 30.000 đồng/ngày là hợp lý ở thị trấn nhưng cao đối với các xã vùng khó khăn.',
      'oppose',
    ],
    ['parent', null, 'Tôi ủng hộ dự thảo vì giúp các khoản thu minh bạch hơn.', 'support'],
  ];
  for (const [i, [key, anchor, body, stance]] of samples.entries()) {
    const who = as(key!, []);
    await commands.comment(
      {
        type: 'SubmitComment',
        commentId: commentIdFor(who.accountId, `demo-${i}`),
        policyId: fees,
        version: 1,
        anchorNodeId: anchor,
        parentCommentId: null,
        body,
        stance,
        stakeholderCategory: key === 'teacher' ? 'teacher' : 'parent',
        authorAccountId: who.accountId,
        pseudonym: null,
        idempotencyKey: `demo-${i}`,
      },
      who,
    );
  }

  // 2. In drafting.
  const admission = randomUUID();
  await commands.policy(
    {
      type: 'ProposePolicy',
      policyId: admission,
      owningOrganizationId: district,
      title: 'Kế hoạch tuyển sinh lớp 6 năm học 2027–2028',
      summary: 'Phương thức xét tuyển theo tuyến cư trú và lịch nhận hồ sơ trực tuyến.',
      topics: ['tuyển sinh'],
    },
    staff,
  );
  await commands.policy({ type: 'StartDrafting', policyId: admission }, staff);
  await commands.policy(
    {
      type: 'PublishDraftVersion',
      policyId: admission,
      title: 'Kế hoạch tuyển sinh lớp 6 năm học 2027–2028',
      nodes: admissionDraft(),
      changeNote: 'Bản nháp đầu tiên',
    },
    staff,
  );

  // 3. Enacted after a round.
  const parents = randomUUID();
  await commands.policy(
    {
      type: 'ProposePolicy',
      policyId: parents,
      owningOrganizationId: district,
      title: 'Quy chế phối hợp giữa nhà trường và ban đại diện cha mẹ học sinh',
      summary: 'Tổ chức và lịch họp của ban đại diện cha mẹ học sinh.',
      topics: ['phối hợp'],
    },
    staff,
  );
  await commands.policy({ type: 'StartDrafting', policyId: parents }, staff);
  await commands.policy(
    {
      type: 'PublishDraftVersion',
      policyId: parents,
      title: 'Quy chế phối hợp giữa nhà trường và ban đại diện cha mẹ học sinh',
      nodes: parentsDraft(),
      changeNote: 'Bản dự thảo',
    },
    staff,
  );
  await commands.policy(
    { type: 'OpenConsultation', policyId: parents, opensAt: now.toISOString(), closesAt: inDays(7), note: '' },
    staff,
  );
  await commands.policy(
    { type: 'CloseConsultation', policyId: parents, closedBy: 'staff', reason: 'Đã đủ ý kiến' },
    staff,
  );
  // Enactment waits for the round's digest. The round took no comments, so its digest has no themes and covers 0 of 0
  // (counted without waiting for the projector: whatever it has applied, this policy has no comments).
  const digests = new DigestHandlers({ writePath: runtime.writePath, clock: runtime.clock, readDb: runtime.readDb });
  const spokesperson = as('spokesperson', ['spokesperson']);
  await digests.start(parents, 1, staff);
  await digests.execute({ type: 'ApproveDigest', policyId: parents, round: 1 }, spokesperson);
  await digests.publish(parents, 1, spokesperson);
  await commands.policy(
    {
      type: 'EnactPolicy',
      policyId: parents,
      version: 1,
      decisionNumber: '125/QĐ-PGDĐT',
      effectiveDate: inDays(14).slice(0, 10),
    },
    as('policymaker', ['policymaker']),
  );

  // Semester reports of the last period: two schools submitted, one compiled but did not send, one did nothing (late).
  const lastPeriod = previousPeriod(reportingPeriodOf(now.toISOString()));
  for (const [i, remarks] of [
    'Đã tổ chức hai buổi họp cha mẹ học sinh.',
    'Không phát sinh sự việc bất thường.',
    'Đang hoàn thiện số liệu.',
  ].entries()) {
    const schoolStaff = as(`school${i + 1}`, ['staff']);
    await runtime.semesterReports.compile(schoolIds[i]!, lastPeriod, remarks, schoolStaff);
    if (i < 2) await runtime.semesterReports.submit(schoolIds[i]!, lastPeriod, schoolStaff);
  }

  // 4. Just proposed.
  await commands.policy(
    {
      type: 'ProposePolicy',
      policyId: randomUUID(),
      owningOrganizationId: district,
      title: 'Quy định sử dụng điện thoại di động của học sinh trong giờ học',
      summary: 'Đề xuất xây dựng quy định mới.',
      topics: ['kỷ luật'],
    },
    staff,
  );

  fs.writeFileSync(path.join(runtime.config.dataDir, DEMO_FILE), JSON.stringify(demoAccounts, null, 2), {
    mode: 0o600,
  });
  return demoAccounts;
}
