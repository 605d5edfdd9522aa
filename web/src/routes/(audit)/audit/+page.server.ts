import type { PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fromLocalInput } from '$lib/format';
import { GraphQLRequestError } from '$lib/server/api';
import { fetchAuditEvents, type AuditEventFilter } from '$lib/server/gql/audit';
import { EVENT_TYPES } from './eventLabels';

const PAGE_SIZE = 50;

// The global event log: a GET form of filters (a link can be shared and the back button works), paged forward
// with the position of the last event shown.
export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const values = {
    stream: (params.get('stream') ?? '').trim(),
    type: (params.get('type') ?? '').trim(),
    actor: (params.get('actor') ?? '').trim(),
    from: (params.get('from') ?? '').trim(),
    to: (params.get('to') ?? '').trim(),
  };
  const after = params.get('after') || null;
  const fieldErrors: Record<string, string> = {};
  const recordedFrom = values.from ? fromLocalInput(values.from) : null;
  const recordedTo = values.to ? fromLocalInput(values.to) : null;
  if (values.from && !recordedFrom) fieldErrors.from = m.audit_invalid_time();
  if (values.to && !recordedTo) fieldErrors.to = m.audit_invalid_time();
  if (recordedFrom && recordedTo && recordedTo <= recordedFrom) fieldErrors.to = m.audit_invalid_range();
  if (values.type && !(EVENT_TYPES as readonly string[]).includes(values.type))
    fieldErrors.type = m.audit_invalid_type();
  if (values.actor && !/^[0-9a-f-]{36}$/i.test(values.actor)) fieldErrors.actor = m.audit_invalid_actor();

  const filtered = Object.values(values).some((v) => v !== '');
  if (Object.keys(fieldErrors).length > 0) {
    return { values, fieldErrors, filtered, after, events: [], nextAfter: null, pageSize: PAGE_SIZE };
  }
  const filter: AuditEventFilter = {
    streamPrefix: values.stream || null,
    eventType: values.type || null,
    actorAccountId: values.actor || null,
    recordedFrom,
    recordedTo,
    after,
    first: PAGE_SIZE,
  };
  try {
    const page = await fetchAuditEvents(event, filter);
    return {
      values,
      fieldErrors,
      filtered,
      after,
      events: page.events,
      nextAfter: page.nextAfter,
      pageSize: PAGE_SIZE,
    };
  } catch (e) {
    // A hand-edited paging position: say so next to the list instead of failing the page.
    if (after && e instanceof GraphQLRequestError) {
      return {
        values,
        fieldErrors: { after: m.audit_invalid_position() },
        filtered,
        after,
        events: [],
        nextAfter: null,
        pageSize: PAGE_SIZE,
      };
    }
    throw e;
  }
};
