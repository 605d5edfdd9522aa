import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fetchMembers, fetchOrganizations, grantRoles } from '$lib/server/api';
import { ROLES, type FormState, type Role } from '$lib/types';
import { done, invalid, refused, required, text } from '$lib/server/forms';
import { requireRole } from '$lib/server/session';
import { registerOrganization } from '$lib/server/gql/organizations';

export const load: PageServerLoad = async (event) => {
  const viewer = await requireRole(event, ['ADMIN']);
  const adminOf = new Set(
    viewer.memberships.filter((mb) => mb.roles.includes('ADMIN')).map((mb) => mb.organization.id),
  );
  const all = await fetchOrganizations(event);
  // An admin of an organisation manages it; the API decides what else (e.g. child schools) they may manage.
  const organizations = all.length > 0 ? all : viewer.memberships.map((mb) => mb.organization);
  const requested = event.url.searchParams.get('org');
  const selected =
    organizations.find((o) => o.id === requested) ??
    organizations.find((o) => adminOf.has(o.id)) ??
    organizations[0] ??
    null;
  if (!selected) error(404, { message: m.admin_no_organizations() });
  return {
    organizations,
    selected,
    members: await fetchMembers(event, selected.id),
  };
};

const LEVELS = ['MN', 'TH', 'THCS', 'THPT'];
const KINDS = ['DISTRICT_OFFICE', 'SCHOOL', 'OTHER'];

export const actions: Actions = {
  register: async (event) => {
    const form = await event.request.formData();
    const values = { name: text(form, 'name'), kind: text(form, 'kind'), schoolType: text(form, 'schoolType') };
    const levels = form.getAll('levels').filter((l): l is string => typeof l === 'string' && LEVELS.includes(l));
    const state: FormState = { formId: 'register', values: { ...values, levels: levels.join(',') } };
    const fieldErrors = required(form, ['name', 'kind']);
    if (values.kind && !KINDS.includes(values.kind)) fieldErrors.kind = m.error_required();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await registerOrganization(event, {
      parentOrganizationId: text(form, 'parentOrganizationId'),
      ...values,
      levels,
    });
    if (!result.ok) return refused(result.error, ['name', 'kind', 'levels', 'schoolType'], state);
    return done(m.org_registered_notice({ name: result.data.name }), { formId: 'register' });
  },
  grant: async (event) => {
    const form = await event.request.formData();
    const organizationId = text(form, 'organizationId');
    const email = text(form, 'email');
    const revokeAll = form.get('intent') === 'revoke';
    const roles = revokeAll ? [] : form.getAll('roles').filter((r): r is Role => ROLES.includes(r as Role));
    const state: FormState = { values: { email, roles: roles.join(',') } };
    const fieldErrors = required(form, ['organizationId', 'email']);
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await grantRoles(event, organizationId, email, roles);
    if (!result.ok) return refused(result.error, ['email', 'roles', 'organizationId'], state);
    return done(roles.length === 0 ? m.admin_revoked_notice({ email }) : m.admin_granted_notice({ email }));
  },
};
