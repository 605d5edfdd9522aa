import {
  commentActionTypes,
  digestActionTypes,
  policyActionTypes,
  type ActionAvailability,
  type ActionRefusal,
  type CommentActionType,
  type DigestActionType,
  type PolicyActionType,
} from '@gopy/domain/actions';
import type { CommentRow, DigestRow, PolicyRow } from '@gopy/application/readModels/index';
import { attemptRefusal } from '../../attempt';
import { principalOf } from '../../principal';
import { builder } from '../builder';
import type { GraphQLContext } from '../context';
import type { TypedError } from '../errors';
import { Comment } from './comment';
import { Digest } from './digest';
import { Policy } from './policy';

// What the viewer may do now, for the site's buttons, banners and forms: the domain's action lists (the deciders'
// guards), behind the checks a request meets before its command is decided (attempt.ts). The site asks here and
// never decides a rule itself.

/** SubmitComment → SUBMIT_COMMENT */
function screaming(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function actionEnum<const T extends string>(name: string, description: string, values: readonly T[]) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(values.map((v) => [screaming(v), { value: v }])) as Record<string, { value: T }>,
  });
}

const PolicyActionEnum = actionEnum(
  'PolicyAction',
  'A step of the lifecycle, or a contribution to the policy (a comment, offline feedback).',
  policyActionTypes,
);
const CommentActionEnum = actionEnum('CommentAction', 'What can be done with a comment.', commentActionTypes);
const DigestActionEnum = actionEnum('DigestAction', 'A step of drafting and publishing a digest.', digestActionTypes);

const ActionRefusalRef = builder.objectRef<ActionRefusal>('ActionRefusal').implement({
  description: 'Why an action is not possible now: the refusal its mutation would answer (code, rule and message).',
  fields: (t) => ({
    code: t.exposeString('code'),
    rule: t.exposeString('rule', { nullable: true, description: 'The rule that refuses; null for NOT_FOUND.' }),
    message: t.string({ resolve: (r, _a, ctx) => r.messages[ctx.locale] }),
    messageVi: t.string({ resolve: (r) => r.messages.vi }),
    messageEn: t.string({ resolve: (r) => r.messages.en }),
  }),
});

function availabilityType<T extends string>(name: string, action: ReturnType<typeof actionEnum<T>>) {
  return builder.objectRef<ActionAvailability<T>>(name).implement({
    fields: (t) => ({
      action: t.field({ type: action, resolve: (a) => a.action as never }),
      allowed: t.boolean({ resolve: (a) => a.refusal === null }),
      refusal: t.field({ type: ActionRefusalRef, nullable: true, resolve: (a) => a.refusal }),
    }),
  });
}

const PolicyActionAvailability = availabilityType<PolicyActionType>('PolicyActionAvailability', PolicyActionEnum);
const CommentActionAvailability = availabilityType<CommentActionType>('CommentActionAvailability', CommentActionEnum);
const DigestActionAvailability = availabilityType<DigestActionType>('DigestActionAvailability', DigestActionEnum);

/** The mutation each action is, for the checks made before any command is decided. */
const policyMutation: Record<PolicyActionType, string> = {
  StartDrafting: 'startDrafting',
  PublishDraftVersion: 'publishDraftVersion',
  OpenConsultation: 'openConsultation',
  ExtendConsultation: 'extendConsultation',
  CloseConsultation: 'closeConsultation',
  StartDigest: 'startDigest',
  PublishDigest: 'publishDigest',
  EnactPolicy: 'enactPolicy',
  WithdrawPolicy: 'withdrawPolicy',
  SubmitComment: 'submitComment',
  RecordOfflineFeedback: 'recordOfflineFeedback',
};
const commentMutation: Record<CommentActionType, string> = {
  ReplyToComment: 'submitComment',
  EditComment: 'editComment',
  WithdrawComment: 'withdrawComment',
  EndorseComment: 'endorseComment',
  FlagComment: 'flagComment',
  HideComment: 'hideComment',
  RestoreComment: 'restoreComment',
  RedactComment: 'redactComment',
  PostOfficialReply: 'postOfficialReply',
};
const digestMutation: Record<DigestActionType, string> = {
  DefineTheme: 'defineTheme',
  AssignCommentsToTheme: 'assignCommentsToTheme',
  AnswerTheme: 'answerTheme',
  ApproveDigest: 'approveDigest',
  PublishDigest: 'publishDigest',
};

function refusalOf(error: TypedError): ActionRefusal {
  const rule = 'rule' in error && typeof error.rule === 'string' ? error.rule : null;
  return { code: error.code, rule, messages: error.messages };
}

/** What the viewer cannot even attempt, by action (null where the command would be decided). */
type Attempts<A extends string> = Map<A, TypedError | null>;
function attempts<A extends string>(ctx: GraphQLContext, actions: readonly A[], mutation: Record<A, string>) {
  return new Map(actions.map((a) => [a, attemptRefusal(ctx.viewer, mutation[a])] as const)) as Attempts<A>;
}

const nothingCanBeAttempted = <A extends string>(before: Attempts<A>) => [...before.values()].every((e) => e !== null);

/** The domain's list with what cannot be attempted answered by that refusal, as a request would meet it first. */
function attemptedFirst<A extends string>(before: Attempts<A>, list: ActionAvailability<A>[]): ActionAvailability<A>[] {
  return list.map((a) => {
    const error = before.get(a.action);
    return error ? { action: a.action, refusal: refusalOf(error) } : a;
  });
}

/** Refused before any command is decided: the domain is not asked. */
const unasked = <A extends string>(before: Attempts<A>) =>
  attemptedFirst(
    before,
    [...before.keys()].map((action) => ({ action, refusal: null })),
  );

async function answer<A extends string>(
  ctx: GraphQLContext,
  actions: readonly A[],
  mutation: Record<A, string>,
  decide: () => Promise<ActionAvailability<A>[]>,
): Promise<ActionAvailability<A>[]> {
  const before = attempts(ctx, actions, mutation);
  return nothingCanBeAttempted(before) ? unasked(before) : attemptedFirst(before, await decide());
}

builder.objectField(Policy, 'availableActions', (t) =>
  t.field({
    type: [PolicyActionAvailability],
    description: 'Every lifecycle step and contribution, for the viewer now: possible, or the refusal it would get.',
    resolve: (p: PolicyRow, _a, ctx) =>
      answer(ctx, policyActionTypes, policyMutation, () => ctx.runtime.actions.forPolicy(p.id, principalOf(ctx))),
  }),
);

builder.objectField(Comment, 'availableActions', (t) =>
  t.loadableList({
    type: CommentActionAvailability,
    description: 'What the viewer may do with this comment now: possible, or the refusal it would get.',
    // Batched per request: a page of comments reads each policy and the viewer's standing once.
    load: async (ids: string[], ctx: GraphQLContext) => {
      const before = attempts(ctx, commentActionTypes, commentMutation);
      if (nothingCanBeAttempted(before)) return ids.map(() => unasked(before));
      return (await ctx.runtime.actions.forComments(ids, principalOf(ctx))).map((list) => attemptedFirst(before, list));
    },
    resolve: (c: CommentRow) => c.id,
  }),
);

builder.objectField(Digest, 'availableActions', (t) =>
  t.field({
    type: [DigestActionAvailability],
    description: 'Every step of the digest, for the viewer now: possible, or the refusal it would get.',
    resolve: (d: DigestRow, _a, ctx) =>
      answer(ctx, digestActionTypes, digestMutation, () =>
        ctx.runtime.actions.forDigest(d.policyId, d.round, principalOf(ctx)),
      ),
  }),
);
