/** HTTP load through autocannon: comment submissions and the policy page query, against the API or the baseline. */
// autocannon is a dependency of the benchmark package (tests/bench/package.json, installed by npm run bench): imported
// when a load runs, so the load tests can take this file's documents from the repository's own install.
import type { Result } from 'autocannon';

export const SUBMIT_COMMENT = /* GraphQL */ `
  mutation Submit($input: SubmitCommentInput!) {
    submitComment(input: $input) {
      __typename
      ... on MutationSubmitCommentSuccess {
        data {
          position
          comment {
            id
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`;

/** The query the site's policy page sends (web/src/lib/server/api.ts, POLICY_PAGE_QUERY), with its fragments. */
export const POLICY_PAGE_QUERY = /* GraphQL */ `
  query PolicyPage($id: ID!, $first: Int!, $after: String, $nodeId: ID, $wholeDraftOnly: Boolean) {
    policy(id: $id) {
      id
      title
      summary
      status
      owningOrganization {
        id
        name
      }
      proposedAt
      updatedAt
      currentVersion {
        number
        title
        changeNote
        publishedAt
        nodes {
          ...NodeFields
          children {
            ...NodeFields
            children {
              ...NodeFields
              children {
                ...NodeFields
                children {
                  ...NodeFields
                  children {
                    ...NodeFields
                  }
                }
              }
            }
          }
        }
      }
      currentRound {
        ...RoundFields
      }
      enactment {
        version
        decisionNumber
        effectiveDate
        enactedAt
      }
      withdrawalReason
      commentCount
      viewerRoles
      comments(first: $first, after: $after, nodeId: $nodeId, wholeDraftOnly: $wholeDraftOnly) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            ...CommentFields
          }
        }
      }
    }
  }
  fragment RoundFields on ConsultationRound {
    round
    version
    opensAt
    closesAt
    closedAt
    isOpen
  }
  fragment NodeFields on DraftNode {
    id
    kind
    number
    heading
    text
  }
  fragment CommentFields on Comment {
    id
    policyId
    policyTitle
    round
    version
    anchorNodeId
    anchorLabel
    parentCommentId
    body
    stance
    stakeholderCategory
    authorName
    submittedAt
  }
`;

export interface HttpResult {
  /** Successful responses per second. */
  rps: number;
  requests: number;
  successes: number;
  failures: number;
  non2xx: number;
  mismatches: number;
  errors: number;
  timeouts: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  seconds: number;
  failureSamples: string[];
}

export function summarise(result: Result, failureSamples: string[]): HttpResult {
  const requests = result['2xx'] + result.non2xx;
  const successes = result['2xx'] - result.mismatches;
  return {
    rps: round(successes / result.duration),
    requests,
    successes,
    failures: result.non2xx + result.mismatches + result.errors + result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    seconds: round(result.duration),
    failureSamples,
  };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function verifier(ok: (body: string) => boolean, samples: string[]) {
  return (body: string) => {
    const good = ok(body) && !body.includes('"errors"');
    if (!good && samples.length < 5) samples.push(body.slice(0, 500));
    return good;
  };
}

/**
 * Submits comments: every request a new idempotency key, the sessions taken round-robin. Success means HTTP 2xx and a
 * MutationSubmitCommentSuccess with no `errors` entry; anything else counts as a failure.
 */
export async function commentLoad(
  baseUrl: string,
  o: { tokens: string[]; policyId: string; seconds: number; connections?: number; keyPrefix: string },
): Promise<HttpResult> {
  const { default: autocannon } = await import('autocannon');
  let n = 0;
  const samples: string[] = [];
  const result = await autocannon({
    url: `${baseUrl}/graphql`,
    connections: o.connections ?? 64,
    duration: o.seconds,
    timeout: 30,
    verifyBody: verifier((b) => b.includes('"__typename":"MutationSubmitCommentSuccess"'), samples),
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req) => {
          const i = n++;
          const token = o.tokens[i % o.tokens.length]!;
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({
              query: SUBMIT_COMMENT,
              variables: {
                input: {
                  policyId: o.policyId,
                  body: `Góp ý số ${i}: đề nghị làm rõ mức thu và cách miễn, giảm cho học sinh khó khăn.`,
                  stance: (['SUPPORT', 'OPPOSE', 'NEUTRAL', 'SUGGESTION'] as const)[i % 4],
                  idempotencyKey: `${o.keyPrefix}-${i}`,
                },
              },
            }),
          };
        },
      },
    ],
  });
  return summarise(result, samples);
}

/** One query document, as fast as it is answered (or at a fixed overall rate, for latency at a given load). */
export async function queryLoad(
  baseUrl: string,
  o: {
    query: string;
    variables?: Record<string, unknown>;
    expect: string;
    seconds: number;
    connections?: number;
    overallRate?: number;
  },
): Promise<HttpResult> {
  const { default: autocannon } = await import('autocannon');
  const samples: string[] = [];
  const result = await autocannon({
    url: `${baseUrl}/graphql`,
    connections: o.connections ?? 64,
    duration: o.seconds,
    timeout: 30,
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: o.query, variables: o.variables ?? {} }),
    verifyBody: verifier((b) => b.includes(o.expect), samples),
  });
  return summarise(result, samples);
}
