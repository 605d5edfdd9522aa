import { randomUUID } from 'node:crypto';
import type { Principal } from '@gopy/application/commands';
import type { Runtime } from '@gopy/composition/runtime';

export interface SmallWorld {
  officeId: string;
  staff: Principal;
  policyId: string;
  /** The node id of the draft's only article. */
  articleId: string;
}

/** For integration tests: a district office, registered by the system; its id. */
export async function anOffice(runtime: Runtime): Promise<string> {
  const officeId = randomUUID();
  await runtime.commands.organization(
    {
      type: 'RegisterOrganization',
      organizationId: officeId,
      name: 'Phòng Giáo dục và Đào tạo huyện Hoà Bình',
      kind: 'district_office',
      levels: [],
      schoolType: '',
      parentOrganizationId: null,
    },
    null,
    { systemActor: true },
  );
  return officeId;
}

/** For integration tests: an office, a staff member and a policy whose first round is open from `now` for a week. */
export async function aPolicyInConsultation(runtime: Runtime): Promise<SmallWorld> {
  const officeId = await anOffice(runtime);
  const staff: Principal = { accountId: randomUUID(), rolesIn: async () => ['staff', 'moderator', 'participant'] };
  await runtime.commands.organization(
    { type: 'AddMember', organizationId: officeId, accountId: staff.accountId, roles: ['staff', 'moderator'] },
    null,
    { systemActor: true },
  );
  const policyId = randomUUID();
  const articleId = randomUUID();
  const now = runtime.clock.now();
  await runtime.commands.policy(
    {
      type: 'ProposePolicy',
      policyId,
      owningOrganizationId: officeId,
      title: 'Quy định thu, chi trong trường học',
      summary: 'Dự thảo',
      topics: [],
    },
    staff,
  );
  await runtime.commands.policy({ type: 'StartDrafting', policyId }, staff);
  await runtime.commands.policy(
    {
      type: 'PublishDraftVersion',
      policyId,
      title: 'Quy định thu, chi trong trường học',
      changeNote: 'Bản dự thảo lần 1',
      nodes: [
        {
          nodeId: articleId,
          kind: 'article',
          number: '1',
          heading: 'Phạm vi',
          text: 'Quy định này áp dụng cho các trường công lập.',
          children: [],
        },
      ],
    },
    staff,
  );
  await runtime.commands.policy(
    {
      type: 'OpenConsultation',
      policyId,
      opensAt: now.toISOString(),
      closesAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
      note: '',
    },
    staff,
  );
  return { officeId, staff, policyId, articleId };
}
