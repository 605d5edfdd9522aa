import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { GraphQLRequestError } from '$lib/server/api';
import { done, refused, text } from '$lib/server/forms';
import { compileSemesterReport, fetchReportPage, submitSemesterReport } from '$lib/server/gql/reports';
import { requireViewer } from '$lib/server/session';

const PERIOD = /^\d{4}-\d{4}-S[12]$/;

export const load: PageServerLoad = async (event) => {
  const viewer = await requireViewer(event);
  if (!PERIOD.test(event.params.period)) error(404, { message: m.rep_error_period() });
  let page;
  try {
    page = await fetchReportPage(event, event.params.org, event.params.period);
  } catch (e) {
    // The API decides who reads an organisation's reports; a refusal there is a 403 here, not an error page of ours.
    if (e instanceof GraphQLRequestError && e.codes.includes('FORBIDDEN')) error(403, { message: m.error_forbidden() });
    if (e instanceof GraphQLRequestError && e.codes.includes('VALIDATION'))
      error(404, { message: m.rep_error_period() });
    throw e;
  }
  if (!page) error(404, { message: m.rep_error_organization() });
  const roles = viewer.memberships.find((mb) => mb.organization.id === page.organization.id)?.roles ?? [];
  return { page, canWrite: roles.some((r) => r === 'STAFF' || r === 'SPOKESPERSON' || r === 'ADMIN') };
};

export const actions: Actions = {
  compile: async (event) => {
    const form = await event.request.formData();
    const state = { formId: 'compile', values: { remarks: text(form, 'remarks') } };
    const result = await compileSemesterReport(event, event.params.org, event.params.period, text(form, 'remarks'));
    if (!result.ok) return refused(result.error, ['remarks'], state);
    return done(m.rep_compiled_notice(), { formId: 'compile' });
  },
  submit: async (event) => {
    const result = await submitSemesterReport(event, event.params.org, event.params.period);
    if (!result.ok) return refused(result.error, [], { formId: 'submit' });
    return done(m.rep_submitted_notice(), { formId: 'submit' });
  },
};
