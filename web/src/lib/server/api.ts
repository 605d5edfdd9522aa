// The GraphQL client of the site: the helpers that send requests and read refusals, the shared fragments, and the
// documents of the first pages (later features keep theirs in gql/, one file each). If the API's schema differs from schemas/graphql/contract-draft.graphql, only this
// file changes. It is server-only: the browser never sees the session token, the API URL or a GraphQL document.
import { env } from '$env/dynamic/private';
import { getLocale } from '$lib/paraglide/runtime';
import type { DraftNodeInput } from '$lib/draftEditor';
import {
  POLICY_STATUSES,
  type Account,
  type Comment,
  type Member,
  type Organization,
  type Page,
  type PolicyCard,
  type PolicyDetail,
  type PolicyStatus,
  type Role,
  type StaffPolicy,
  type StakeholderCategory,
  type Stance,
  type Version,
  type Viewer,
} from '$lib/types';

export type * from '$lib/types';
import type { RequestEvent } from '@sveltejs/kit';

export const SESSION_COOKIE = 'gopy_session';

/** An expected refusal from the API (a member of a mutation's error union), already in a neutral shape. */
export interface ApiFailure {
  code: string;
  message: string;
  messageVi: string;
  messageEn: string;
  field?: string;
  rule?: string;
  retryAfterSeconds?: number;
}
export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** The API could not be reached or answered something that is not GraphQL. */
export class ApiUnavailableError extends Error {
  override name = 'ApiUnavailableError';
}
/** The API answered with top-level GraphQL errors to a query (a bug or a schema mismatch, not a refusal). */
export class GraphQLRequestError extends Error {
  override name = 'GraphQLRequestError';
  constructor(
    message: string,
    readonly codes: string[],
  ) {
    super(message);
  }
}

export type ApiEvent = Pick<RequestEvent, 'fetch' | 'locals' | 'getClientAddress' | 'platform'>;

/**
 * Where /graphql is: GOPY_API_URL when set (the distributed runtime); otherwise the very server this request came
 * in on (the embedded runtime mounts the site in the API's express app, whatever port or address it listens on);
 * otherwise http://127.0.0.1:$PORT/graphql.
 */
export function apiUrl(event?: Pick<RequestEvent, 'platform'>): string {
  if (env.GOPY_API_URL) return env.GOPY_API_URL;
  const socket = event?.platform?.req?.socket;
  if (socket?.localPort && socket.localAddress) {
    const address = socket.localAddress.replace(/^::ffff:/, '');
    const host = address.includes(':') ? `[${address}]` : address;
    return `http://${host}:${socket.localPort}/graphql`;
  }
  return `http://127.0.0.1:${env.PORT || '3000'}/graphql`;
}

export function isApiRequest(event: Pick<RequestEvent, 'platform'>, url: string): boolean {
  const api = apiUrl(event);
  return url === api || url.startsWith(`${api}?`);
}

function apiHeaders(event: ApiEvent, accept: string): Record<string, string> {
  const headers: Record<string, string> = {
    accept,
    'content-type': 'application/json',
    // yoga's CSRF prevention: a header a browser form cannot send.
    'x-gopy-csrf': '1',
    'accept-language': getLocale(),
  };
  if (event.locals.token) headers.authorization = `Bearer ${event.locals.token}`;
  try {
    headers['x-forwarded-for'] = event.getClientAddress();
  } catch {
    // not available in every context (e.g. while prerendering); the API then sees the site's address
  }
  return headers;
}

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function send(event: ApiEvent, query: string, variables: Record<string, unknown>): Promise<GraphQLResponse> {
  let response: Response;
  try {
    response = await event.fetch(apiUrl(event), {
      method: 'POST',
      headers: apiHeaders(event, 'application/graphql-response+json, application/json'),
      body: JSON.stringify({ query, variables }),
    });
  } catch (cause) {
    throw new ApiUnavailableError(`GraphQL API at ${apiUrl(event)} unreachable`, { cause });
  }
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse;
  } catch {
    throw new ApiUnavailableError(`GraphQL API answered ${response.status} with a body that is not JSON`);
  }
}

function errorCodes(errors: NonNullable<GraphQLResponse['errors']>): string[] {
  return errors.map((e) => String(e.extensions?.code ?? 'INTERNAL'));
}

/** Sends a query; returns its data or throws (top-level errors are bugs or outages, not refusals). */
export async function gql<T>(event: ApiEvent, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = await send(event, query, variables);
  if (body.errors?.length) {
    throw new GraphQLRequestError(body.errors.map((e) => e.message).join('; '), errorCodes(body.errors));
  }
  if (!body.data) throw new ApiUnavailableError('GraphQL answer without data');
  return body.data as T;
}

const KNOWN_CODES = new Set([
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ILLEGAL_STATE',
  'CONFLICT',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL',
]);

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sends a mutation whose result is the union `Mutation<Name>Result` and returns success or the typed refusal. */
export async function mutate<T>(
  event: ApiEvent,
  field: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Result<T>> {
  const body = await send(event, query, variables);
  const result = body.data?.[field] as Record<string, unknown> | null | undefined;
  if (result && typeof result === 'object') {
    if (typeof result.code === 'string') {
      return {
        ok: false,
        error: {
          code: result.code,
          message: str(result.message) ?? result.code,
          messageVi: str(result.messageVi) ?? str(result.message) ?? result.code,
          messageEn: str(result.messageEn) ?? str(result.message) ?? result.code,
          field: str(result.field),
          rule: str(result.rule),
          retryAfterSeconds: typeof result.retryAfterSeconds === 'number' ? result.retryAfterSeconds : undefined,
        },
      };
    }
    if ('data' in result) return { ok: true, data: result.data as T };
  }
  // Refusals thrown instead of returned (e.g. scope-auth) arrive as top-level errors with a code.
  const first = body.errors?.[0];
  if (first) {
    const ext = first.extensions ?? {};
    const code = str(ext.code);
    if (code && KNOWN_CODES.has(code)) {
      return {
        ok: false,
        error: {
          code,
          message: first.message,
          messageVi: str(ext.messageVi) ?? '',
          messageEn: str(ext.messageEn) ?? '',
          field: str(ext.field),
          rule: str(ext.rule),
          retryAfterSeconds: typeof ext.retryAfterSeconds === 'number' ? ext.retryAfterSeconds : undefined,
        },
      };
    }
    throw new GraphQLRequestError(body.errors!.map((e) => e.message).join('; '), errorCodes(body.errors!));
  }
  throw new ApiUnavailableError(`GraphQL answer without ${field}`);
}

/** Same as mutate, for mutations that return a plain Boolean. */
async function mutateBoolean(
  event: ApiEvent,
  field: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Result<boolean>> {
  const body = await send(event, query, variables);
  const value = body.data?.[field];
  if (typeof value === 'boolean') return { ok: true, data: value };
  const first = body.errors?.[0];
  const ext = first?.extensions ?? {};
  return {
    ok: false,
    error: {
      code: str(ext.code) ?? 'INTERNAL',
      message: first?.message ?? 'INTERNAL',
      messageVi: str(ext.messageVi) ?? '',
      messageEn: str(ext.messageEn) ?? '',
      field: str(ext.field),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Documents

/** Spread inside every mutation result; the nested spreads are valid whichever error types a union holds. */
export const ERROR_FIELDS = /* GraphQL */ `
  fragment ErrorFields on Error {
    __typename
    code
    message
    messageVi
    messageEn
    ... on ValidationError {
      field
    }
    ... on InputValidationError {
      field
    }
    ... on IllegalStateError {
      rule
    }
    ... on ForbiddenError {
      rule
    }
    ... on ConflictError {
      rule
    }
    ... on RateLimitedError {
      retryAfterSeconds
    }
  }
`;

export const ROUND_FIELDS = /* GraphQL */ `
  fragment RoundFields on ConsultationRound {
    round
    version
    opensAt
    closesAt
    closedAt
    isOpen
  }
`;

export const NODE_FIELDS = /* GraphQL */ `
  fragment NodeFields on DraftNode {
    id
    kind
    number
    heading
    text
  }
`;

// Six levels: phần → chương → mục → điều → khoản → điểm.
export const NODE_TREE = `nodes { ...NodeFields children { ...NodeFields children { ...NodeFields children { ...NodeFields children { ...NodeFields children { ...NodeFields } } } } } }`;

const POLICY_CARD_FIELDS = /* GraphQL */ `
  fragment PolicyCardFields on Policy {
    id
    title
    summary
    status
    owningOrganization {
      id
      name
    }
    updatedAt
    currentVersion {
      number
    }
    currentRound {
      ...RoundFields
    }
    commentCount
    enactment {
      version
      decisionNumber
      effectiveDate
      enactedAt
    }
  }
`;

const COMMENT_FIELDS = /* GraphQL */ `
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

const VIEWER_QUERY = /* GraphQL */ `
  query Viewer {
    viewer {
      account {
        id
        displayName
        pseudonym
        stakeholderCategory
        emailVerified
      }
      memberships {
        organization {
          id
          name
          kind
        }
        roles
      }
      staffOrganizations {
        id
        name
        kind
      }
    }
  }
`;

const POLICIES_QUERY = /* GraphQL */ `
  query Policies($first: Int!) {
    CONSULTATION: policies(status: CONSULTATION, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    DRAFTING: policies(status: DRAFTING, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    PROPOSED: policies(status: PROPOSED, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    REVIEW: policies(status: REVIEW, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    ENACTED: policies(status: ENACTED, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    WITHDRAWN: policies(status: WITHDRAWN, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
  }
  ${POLICY_CARD_FIELDS}
  ${ROUND_FIELDS}
`;

const ALL_POLICIES_QUERY = /* GraphQL */ `
  query AllPolicies($first: Int!, $after: String) {
    policies(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
  }
  ${POLICY_CARD_FIELDS}
  ${ROUND_FIELDS}
`;

const STAFF_POLICY_QUERY = /* GraphQL */ `
  query StaffPolicy($id: ID!) {
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
      }
      versions {
        number
        title
        changeNote
        publishedAt
      }
      currentRound {
        ...RoundFields
      }
      rounds {
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
    }
  }
  ${ROUND_FIELDS}
`;

const DRAFT_QUERY = /* GraphQL */ `
	query DraftForEditing($id: ID!) {
		policy(id: $id) {
			id title status viewerRoles
			owningOrganization { id name }
			currentVersion { number title changeNote publishedAt ${NODE_TREE} }
		}
	}
	${NODE_FIELDS}
`;

const MY_COMMENTS_QUERY = /* GraphQL */ `
  query MyComments($first: Int!, $after: String) {
    viewer {
      myComments(first: $first, after: $after) {
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
  ${COMMENT_FIELDS}
`;

const ORGANIZATIONS_QUERY = /* GraphQL */ `
  query Organizations {
    organizations {
      id
      name
      kind
    }
  }
`;

const MEMBERS_QUERY = /* GraphQL */ `
  query Members($organizationId: ID!) {
    members(organizationId: $organizationId) {
      account {
        id
        displayName
      }
      roles
    }
  }
`;

const POLICY_PAYLOAD = `data { position policy { id status } }`;

/** A mutation whose result is the union `Mutation<Name>Result`: its success payload, or the typed refusal. */
export function resultMutation(name: string, args: string, params: string, payload: string): string {
  const title = name.charAt(0).toUpperCase() + name.slice(1);
  return /* GraphQL */ `
		mutation ${title}(${args}) {
			${name}(${params}) {
				__typename
				... on Mutation${title}Success { ${payload} }
				...ErrorFields
			}
		}
		${ERROR_FIELDS}
	`;
}

function policyMutation(name: string, args: string, params: string): string {
  return resultMutation(name, args, params, POLICY_PAYLOAD);
}

const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      __typename
      ... on MutationSignUpSuccess {
        data {
          id
          displayName
          emailVerified
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const VERIFY_EMAIL = /* GraphQL */ `
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token) {
      __typename
      ... on MutationVerifyEmailSuccess {
        data {
          id
          displayName
          emailVerified
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const SIGN_IN = /* GraphQL */ `
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      __typename
      ... on MutationSignInSuccess {
        data {
          token
          account {
            id
            displayName
            emailVerified
          }
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const SIGN_OUT = /* GraphQL */ `
  mutation SignOut {
    signOut
  }
`;
const REQUEST_PASSWORD_RESET = /* GraphQL */ `
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`;
const RESET_PASSWORD = /* GraphQL */ `
  mutation ResetPassword($token: String!, $password: String!) {
    resetPassword(token: $token, password: $password) {
      __typename
      ... on MutationResetPasswordSuccess {
        data
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const GRANT_ROLES = /* GraphQL */ `
  mutation GrantRoles($organizationId: ID!, $email: String!, $roles: [Role!]!) {
    grantRoles(organizationId: $organizationId, email: $email, roles: $roles) {
      __typename
      ... on MutationGrantRolesSuccess {
        data {
          account {
            id
            displayName
          }
          roles
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const SUBMIT_COMMENT = /* GraphQL */ `
  mutation SubmitComment($input: SubmitCommentInput!) {
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
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const PROPOSE_POLICY = policyMutation('proposePolicy', '$input: ProposePolicyInput!', 'input: $input');
const START_DRAFTING = policyMutation('startDrafting', '$policyId: ID!', 'policyId: $policyId');
const PUBLISH_DRAFT_VERSION = policyMutation(
  'publishDraftVersion',
  '$input: PublishDraftVersionInput!',
  'input: $input',
);
const OPEN_CONSULTATION = policyMutation('openConsultation', '$input: OpenConsultationInput!', 'input: $input');
const EXTEND_CONSULTATION = policyMutation('extendConsultation', '$input: ExtendConsultationInput!', 'input: $input');
const CLOSE_CONSULTATION = policyMutation(
  'closeConsultation',
  '$policyId: ID!, $reason: String!',
  'policyId: $policyId, reason: $reason',
);
const ENACT_POLICY = policyMutation('enactPolicy', '$input: EnactPolicyInput!', 'input: $input');
const WITHDRAW_POLICY = policyMutation(
  'withdrawPolicy',
  '$policyId: ID!, $reason: String!',
  'policyId: $policyId, reason: $reason',
);

/** The subscription the live endpoint forwards (over SSE, see openPolicySubscription). */
const POLICY_CHANGED_SUBSCRIPTION = /* GraphQL */ `
  subscription PolicyChanged($policyId: ID!) {
    policyChanged(policyId: $policyId) {
      policyId
      kind
      commentId
      position
    }
  }
`;

/** Every document this file sends, for the report and for a test that checks them against the printed schema. */
export const DOCUMENTS = {
  VIEWER_QUERY,
  POLICIES_QUERY,
  ALL_POLICIES_QUERY,
  STAFF_POLICY_QUERY,
  DRAFT_QUERY,
  MY_COMMENTS_QUERY,
  ORGANIZATIONS_QUERY,
  MEMBERS_QUERY,
  SIGN_UP,
  VERIFY_EMAIL,
  SIGN_IN,
  SIGN_OUT,
  REQUEST_PASSWORD_RESET,
  RESET_PASSWORD,
  GRANT_ROLES,
  SUBMIT_COMMENT,
  PROPOSE_POLICY,
  START_DRAFTING,
  PUBLISH_DRAFT_VERSION,
  OPEN_CONSULTATION,
  EXTEND_CONSULTATION,
  CLOSE_CONSULTATION,
  ENACT_POLICY,
  WITHDRAW_POLICY,
  POLICY_CHANGED_SUBSCRIPTION,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Typed helpers

export interface Connection<T> {
  totalCount?: number;
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

export function toPage<T>(connection: Connection<T>): Page<T> {
  return {
    items: connection.edges.map((e) => e.node),
    endCursor: connection.pageInfo?.endCursor ?? null,
    hasNextPage: connection.pageInfo?.hasNextPage ?? false,
    totalCount: connection.totalCount,
  };
}

export async function fetchViewer(event: ApiEvent): Promise<Viewer | null> {
  if (!event.locals.token) return null;
  try {
    const data = await gql<{ viewer: Viewer | null }>(event, VIEWER_QUERY);
    return data.viewer;
  } catch (error) {
    // An expired or revoked token reads as signed out, not as a broken page.
    if (error instanceof GraphQLRequestError && error.codes.includes('UNAUTHENTICATED')) return null;
    throw error;
  }
}

export async function fetchPoliciesByStatus(
  event: ApiEvent,
  first = 50,
): Promise<Record<PolicyStatus, { totalCount: number; items: PolicyCard[] }>> {
  const data = await gql<Record<PolicyStatus, Connection<PolicyCard> & { totalCount: number }>>(event, POLICIES_QUERY, {
    first,
  });
  const out = {} as Record<PolicyStatus, { totalCount: number; items: PolicyCard[] }>;
  for (const status of POLICY_STATUSES) {
    const connection = data[status];
    out[status] = { totalCount: connection.totalCount, items: connection.edges.map((e) => e.node) };
  }
  return out;
}

/** Every policy (all statuses), following the cursor up to `limit`; the staff area filters by organisation. */
export async function fetchAllPolicies(event: ApiEvent, limit = 500): Promise<PolicyCard[]> {
  const all: PolicyCard[] = [];
  let after: string | null = null;
  while (all.length < limit) {
    const data: { policies: Connection<PolicyCard> } = await gql(event, ALL_POLICIES_QUERY, { first: 100, after });
    const page = toPage(data.policies);
    all.push(...page.items);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  return all;
}

export interface CommentFilter {
  first: number;
  after: string | null;
  nodeId: string | null;
  wholeDraftOnly: boolean;
}

export async function fetchStaffPolicy(event: ApiEvent, id: string): Promise<StaffPolicy | null> {
  const data = await gql<{ policy: StaffPolicy | null }>(event, STAFF_POLICY_QUERY, { id });
  return data.policy;
}

export type DraftPolicy = Pick<PolicyDetail, 'id' | 'title' | 'status' | 'viewerRoles' | 'owningOrganization'> & {
  currentVersion: Version | null;
};

export async function fetchDraft(event: ApiEvent, id: string): Promise<DraftPolicy | null> {
  const data = await gql<{ policy: DraftPolicy | null }>(event, DRAFT_QUERY, { id });
  return data.policy;
}

export async function fetchMyComments(event: ApiEvent, first: number, after: string | null): Promise<Page<Comment>> {
  const data = await gql<{ viewer: { myComments: Connection<Comment> } | null }>(event, MY_COMMENTS_QUERY, {
    first,
    after,
  });
  if (!data.viewer) return { items: [], endCursor: null, hasNextPage: false };
  return toPage(data.viewer.myComments);
}

export async function fetchOrganizations(event: ApiEvent): Promise<Organization[]> {
  return (await gql<{ organizations: Organization[] }>(event, ORGANIZATIONS_QUERY)).organizations;
}

export async function fetchMembers(event: ApiEvent, organizationId: string): Promise<Member[]> {
  return (await gql<{ members: Member[] }>(event, MEMBERS_QUERY, { organizationId })).members;
}

export interface SignUpInput {
  email: string;
  password: string;
  displayName: string;
  pseudonym: string | null;
  stakeholderCategory: StakeholderCategory;
  locale: 'VI' | 'EN';
}
export const signUp = (event: ApiEvent, input: SignUpInput) =>
  mutate<Pick<Account, 'id' | 'displayName' | 'emailVerified'>>(event, 'signUp', SIGN_UP, { input });
export const verifyEmail = (event: ApiEvent, token: string) =>
  mutate<Pick<Account, 'id' | 'displayName' | 'emailVerified'>>(event, 'verifyEmail', VERIFY_EMAIL, { token });
export const signIn = (event: ApiEvent, email: string, password: string) =>
  mutate<{ token: string; account: Pick<Account, 'id' | 'displayName' | 'emailVerified'> }>(event, 'signIn', SIGN_IN, {
    email,
    password,
  });
export const signOut = (event: ApiEvent) => mutateBoolean(event, 'signOut', SIGN_OUT, {});
export const requestPasswordReset = (event: ApiEvent, email: string) =>
  mutateBoolean(event, 'requestPasswordReset', REQUEST_PASSWORD_RESET, { email });
export const resetPassword = (event: ApiEvent, token: string, password: string) =>
  mutate<boolean>(event, 'resetPassword', RESET_PASSWORD, { token, password });
export const grantRoles = (event: ApiEvent, organizationId: string, email: string, roles: Role[]) =>
  mutate<Member>(event, 'grantRoles', GRANT_ROLES, { organizationId, email, roles });

export interface SubmitCommentInput {
  policyId: string;
  nodeId: string | null;
  body: string;
  stance: Stance;
  idempotencyKey: string;
  usePseudonym: boolean;
}
export const submitComment = (event: ApiEvent, input: SubmitCommentInput) =>
  mutate<{ position: string; comment: { id: string } }>(event, 'submitComment', SUBMIT_COMMENT, { input });

type PolicyPayload = { position: string; policy: { id: string; status: PolicyStatus } };

export const proposePolicy = (event: ApiEvent, input: { organizationId: string; title: string; summary: string }) =>
  mutate<PolicyPayload>(event, 'proposePolicy', PROPOSE_POLICY, { input });
export const startDrafting = (event: ApiEvent, policyId: string) =>
  mutate<PolicyPayload>(event, 'startDrafting', START_DRAFTING, { policyId });

export const publishDraftVersion = (
  event: ApiEvent,
  input: { policyId: string; title: string; changeNote: string; nodes: DraftNodeInput[] },
) => mutate<PolicyPayload>(event, 'publishDraftVersion', PUBLISH_DRAFT_VERSION, { input });
export const openConsultation = (
  event: ApiEvent,
  input: { policyId: string; opensAt: string | null; closesAt: string; note: string | null },
) => mutate<PolicyPayload>(event, 'openConsultation', OPEN_CONSULTATION, { input });
export const extendConsultation = (event: ApiEvent, input: { policyId: string; closesAt: string; reason: string }) =>
  mutate<PolicyPayload>(event, 'extendConsultation', EXTEND_CONSULTATION, { input });
export const closeConsultation = (event: ApiEvent, policyId: string, reason: string) =>
  mutate<PolicyPayload>(event, 'closeConsultation', CLOSE_CONSULTATION, { policyId, reason });
export const enactPolicy = (
  event: ApiEvent,
  input: { policyId: string; decisionNumber: string; effectiveDate: string; version: number | null },
) => mutate<PolicyPayload>(event, 'enactPolicy', ENACT_POLICY, { input });
export const withdrawPolicy = (event: ApiEvent, policyId: string, reason: string) =>
  mutate<PolicyPayload>(event, 'withdrawPolicy', WITHDRAW_POLICY, { policyId, reason });

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
