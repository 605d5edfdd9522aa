import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fetchOfflinePolicy, recordOfflineFeedback, uploadAttachment } from '$lib/server/gql/moderation';
import { fetchChannels } from '$lib/server/gql/channels';
import { refusalMessage } from '$lib/server/forms';
import { invalid, refused, text, values } from '$lib/server/forms';
import { requireRole, STAFF_AREA_ROLES } from '$lib/server/session';
import { fromLocalInput, toLocalInput } from '$lib/format';
import { OFFLINE_CHANNELS, type Channel } from '$lib/commentTypes';
import {
  COMMENT_BODY_MAX,
  STAKEHOLDER_CATEGORIES,
  STANCES,
  type FormState,
  type StakeholderCategory,
  type Stance,
} from '$lib/types';

/** What the API accepts as an attachment (see POST /attachments), and how large. */
const SCAN_TYPES = new Set(['application/pdf', 'image/jpeg', 'image/png', 'image/tiff', 'image/webp']);
const SCAN_MAX_BYTES = 20 * 1024 * 1024;

const FIELDS = [
  'channel',
  'receivedAt',
  'stakeholderCategory',
  'senderName',
  'senderOrganization',
  'senderContact',
  'body',
  'stance',
  'nodeId',
  'receivedAtOffered',
] as const;

export const load: PageServerLoad = async (event) => {
  await requireRole(event, STAFF_AREA_ROLES);
  const policy = await fetchOfflinePolicy(event, event.params.id);
  if (!policy) error(404, { message: m.error_policy_not_found() });
  // The organisation's own channels come first; feedback through one is recorded under the channel it maps to.
  const channels = (await fetchChannels(event, policy.owningOrganization.id)).filter((c) => c.commentChannel !== 'WEB');
  return {
    policy,
    channels,
    // One key per rendered form: a re-sent post records the letter once.
    idempotencyKey: crypto.randomUUID(),
    defaults: { receivedAt: toLocalInput(new Date().toISOString()) },
  };
};

export const actions: Actions = {
  record: async (event) => {
    const form = await event.request.formData();
    const state: FormState = { formId: 'record', values: values(form, FIELDS) };
    const v = state.values!;
    const fieldErrors: Record<string, string> = {};
    if (v.channel?.startsWith('org:')) {
      const policy = await fetchOfflinePolicy(event, event.params.id);
      const own = policy
        ? (await fetchChannels(event, policy.owningOrganization.id)).find((c) => `org:${c.id}` === v.channel)
        : undefined;
      if (own) v.channel = own.commentChannel;
    }
    if (!OFFLINE_CHANNELS.includes(v.channel as Channel)) fieldErrors.channel = m.c7_offline_choose_channel();
    // The form has minutes only. The time it offered, left unchanged, and "this minute" both mean now, not a minute's
    // first second: that may precede a round opened moments before the form was shown, and the letter would be
    // refused as received before the opening (as it was when the form was sent in the minute after it was shown).
    const nowIso = new Date().toISOString();
    const typed = fromLocalInput(v.receivedAt!);
    const untouched = v.receivedAt === v.receivedAtOffered;
    const receivedAt = typed && (untouched || typed.slice(0, 16) === nowIso.slice(0, 16)) ? nowIso : typed;
    if (!v.receivedAt) fieldErrors.receivedAt = m.error_required();
    else if (!receivedAt) fieldErrors.receivedAt = m.error_datetime();
    if (!STAKEHOLDER_CATEGORIES.includes(v.stakeholderCategory as StakeholderCategory)) {
      fieldErrors.stakeholderCategory = m.c7_offline_choose_category();
    }
    if (!v.body) fieldErrors.body = m.error_required();
    else if (v.body.length > COMMENT_BODY_MAX) fieldErrors.body = m.error_too_long({ max: String(COMMENT_BODY_MAX) });
    if (!STANCES.includes(v.stance as Stance)) fieldErrors.stance = m.comment_choose_stance();
    for (const [name, max] of [
      ['senderName', 200],
      ['senderOrganization', 300],
      ['senderContact', 300],
    ] as const) {
      if (v[name]!.length > max) fieldErrors[name] = m.error_too_long({ max: String(max) });
    }
    const scan = form.get('scan');
    const hasScan = scan instanceof File && scan.size > 0;
    if (hasScan && scan.size > SCAN_MAX_BYTES) fieldErrors.scan = m.c7_offline_scan_too_large({ max: '20 MB' });
    else if (hasScan && !SCAN_TYPES.has(scan.type)) fieldErrors.scan = m.c7_offline_scan_type();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });

    const attachments: { sha256: string; fileName: string; mediaType: string }[] = [];
    if (hasScan) {
      const uploaded = await uploadAttachment(event, scan);
      if (!uploaded.ok) return invalid({ ...state, fieldErrors: { scan: refusalMessage(uploaded.error) } });
      attachments.push({
        sha256: uploaded.data.sha256,
        fileName: scan.name || 'scan',
        mediaType: uploaded.data.mediaType,
      });
    }

    const result = await recordOfflineFeedback(event, {
      policyId: event.params.id,
      channel: v.channel as Channel,
      receivedAt: receivedAt!,
      senderName: v.senderName || null,
      senderOrganization: v.senderOrganization || null,
      senderContact: v.senderContact || null,
      stakeholderCategory: v.stakeholderCategory as StakeholderCategory,
      body: v.body!,
      stance: v.stance as Stance,
      nodeId: v.nodeId || null,
      idempotencyKey: text(form, 'idempotencyKey') || crypto.randomUUID(),
      attachments,
    });
    if (!result.ok) {
      return refused(
        result.error,
        { ...Object.fromEntries(FIELDS.map((f) => [f, f])), anchorNodeId: 'nodeId', attachments: 'scan' },
        state,
      );
    }
    return { formId: 'record', ok: true, notice: m.c7_offline_done(), values: {}, commentId: result.data.comment.id };
  },
};
