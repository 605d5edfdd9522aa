// Live updates of a policy page: the `policyChanged` subscription, opened as server-sent events.
import { graphql } from './document';
import { apiHeaders, apiUrl, type ApiEvent } from './transport';

/** The subscription the live endpoint forwards (over SSE, see openPolicySubscription). */
const POLICY_CHANGED_SUBSCRIPTION = graphql`
  subscription PolicyChanged($policyId: ID!) {
    policyChanged(policyId: $policyId) {
      policyId
      kind
      commentId
      position
    }
  }
`;

/**
 * Opens the `policyChanged` subscription as server-sent events (yoga / graphql-sse "distinct connections":
 * a POST with Accept: text/event-stream). The caller reads the body and aborts with `signal`.
 */
export async function openPolicySubscription(
  event: ApiEvent,
  policyId: string,
  signal: AbortSignal,
): Promise<Response> {
  return event.fetch(apiUrl(event), {
    method: 'POST',
    headers: apiHeaders(event, 'text/event-stream'),
    body: JSON.stringify({ query: POLICY_CHANGED_SUBSCRIPTION, variables: { policyId } }),
    signal,
  });
}
