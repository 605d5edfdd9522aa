import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { attachVersionDocument, fetchVersionDocuments } from '$lib/server/gql/drafts';
import { uploadAttachment } from '$lib/server/gql/moderation';
import { invalid, refusalMessage, refused, values } from '$lib/server/forms';
import { requireRole } from '$lib/server/session';
import type { FormState } from '$lib/types';

const DOCUMENT_TYPES = new Set([
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/msword',
  'application/vnd.oasis.opendocument.text',
]);
const MAX_BYTES = 20 * 1024 * 1024;
const FIELDS = ['version', 'kind', 'title'] as const;

export const load: PageServerLoad = async (event) => {
  await requireRole(event, ['STAFF']);
  const policy = await fetchVersionDocuments(event, event.params.id);
  if (!policy) error(404, { message: m.error_policy_not_found() });
  if (!policy.viewerRoles.includes('STAFF')) error(403, { message: m.error_forbidden() });
  return { policy };
};

export const actions: Actions = {
  attach: async (event) => {
    await requireRole(event, ['STAFF']);
    const form = await event.request.formData();
    const state: FormState = { formId: 'attach', values: values(form, FIELDS) };
    const v = state.values!;
    const fieldErrors: Record<string, string> = {};
    const version = Number(v.version);
    if (!/^\d+$/.test(v.version ?? '') || version < 1) fieldErrors.version = m.c7_doc_choose_version();
    if (v.kind !== 'TO_TRINH' && v.kind !== 'OTHER') fieldErrors.kind = m.c7_doc_choose_kind();
    if (!v.title) fieldErrors.title = m.error_required();
    else if (v.title.length > 300) fieldErrors.title = m.error_too_long({ max: '300' });
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) fieldErrors.file = m.c7_doc_choose_file();
    else if (file.size > MAX_BYTES) fieldErrors.file = m.c7_offline_scan_too_large({ max: '20 MB' });
    else if (!DOCUMENT_TYPES.has(file.type)) fieldErrors.file = m.c7_doc_file_type();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });

    const upload = file as File;
    const uploaded = await uploadAttachment(event, upload);
    if (!uploaded.ok) return invalid({ ...state, fieldErrors: { file: refusalMessage(uploaded.error) } });
    const result = await attachVersionDocument(event, {
      policyId: event.params.id,
      version,
      kind: v.kind as 'TO_TRINH' | 'OTHER',
      title: v.title!,
      file: { sha256: uploaded.data.sha256, fileName: upload.name || 'tai-lieu', mediaType: uploaded.data.mediaType },
    });
    if (!result.ok)
      return refused(
        result.error,
        { version: 'version', kind: 'kind', title: 'title', file: 'file', attachments: 'file' },
        state,
      );
    return { formId: 'attach', ok: true, notice: m.c7_doc_done(), values: {} } satisfies FormState;
  },
};
