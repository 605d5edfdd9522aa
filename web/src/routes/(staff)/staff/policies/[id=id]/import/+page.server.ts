import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { publishDraftVersion } from '$lib/server/api';
import { fetchImportPolicy, importDraftDocx } from '$lib/server/gql/drafts';
import { TreeFormError, countNodes, fromDraft, parseTree, toInput, type EditNode } from '$lib/draftEditor';
import { refusalMessage, text } from '$lib/server/forms';
import { requireRole } from '$lib/server/session';
import { allowed, refusal } from '$lib/actions';
import type { DraftNode } from '$lib/draft';

/** The largest .docx the page reads (a draft of a few hundred articles is well under 1 MB). */
const MAX_BYTES = 5 * 1024 * 1024;
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

interface ImportState {
  formId: 'read' | 'publish';
  message?: string;
  fieldErrors?: Record<string, string>;
  preview?: { title: string; warnings: string[]; tree: EditNode[]; kept: number; fileName: string };
  values?: { title: string; changeNote: string };
}

export const load: PageServerLoad = async (event) => {
  await requireRole(event, ['STAFF']);
  const policy = await fetchImportPolicy(event, event.params.id);
  if (!policy) error(404, { message: m.error_policy_not_found() });
  if (!policy.viewerRoles.includes('STAFF')) error(403, { message: m.error_forbidden() });
  return {
    policy: { id: policy.id, title: policy.title, status: policy.status },
    current: policy.currentVersion ? { number: policy.currentVersion.number } : null,
    // Publishing a version is possible now, or the API's reason why not.
    editable: allowed(policy.availableActions, 'PUBLISH_DRAFT_VERSION'),
    notEditable: refusal(policy.availableActions, 'PUBLISH_DRAFT_VERSION')?.message ?? null,
  };
};

/** Every node with where it sits, by kinds and numbers from the top ("/CHAPTER i/ARTICLE 2/CLAUSE 1"), in document order. */
function placed(nodes: DraftNode[], prefix = '', out: { path: string; node: DraftNode }[] = []) {
  for (const node of nodes) {
    const path = `${prefix}/${node.kind} ${node.number.trim().toLowerCase()}`;
    out.push({ path, node });
    placed(node.children, path, out);
  }
  return out;
}

/**
 * The imported tree for the editor. A node at the same place with the same kind and number as in the current
 * version keeps that node's id, so comments written on it stay anchored to it across versions.
 */
function toEditorTree(imported: DraftNode[], current: DraftNode[]): { tree: EditNode[]; kept: number } {
  const previous = new Map<string, string>();
  for (const { path, node } of placed(current)) if (!previous.has(path)) previous.set(path, node.id);
  const used = new Set<string>();
  const ids = placed(imported).map(({ path }) => {
    const id = previous.get(path);
    if (!id || used.has(id)) return '';
    used.add(id);
    return id;
  });
  const tree = fromDraft(imported);
  const edits: EditNode[] = [];
  const walk = (list: EditNode[]) => {
    for (const n of list) {
      edits.push(n);
      walk(n.children);
    }
  };
  walk(tree);
  // Both walks are in document order: the i-th node of one is the i-th node of the other.
  edits.forEach((edit, i) => {
    edit.id = ids[i] ?? '';
    edit.key = edit.id || `new-${edit.key}`;
  });
  return { tree, kept: used.size };
}

export const actions: Actions = {
  read: async (event) => {
    await requireRole(event, ['STAFF']);
    const form = await event.request.formData();
    const file = form.get('file');
    const fail400 = (message: string) => fail(400, { formId: 'read', fieldErrors: { file: message } } as ImportState);
    if (!(file instanceof File) || file.size === 0) return fail400(m.c7_import_choose_file());
    if (file.size > MAX_BYTES) return fail400(m.c7_import_too_large({ max: '5 MB' }));
    if (!file.name.toLowerCase().endsWith('.docx') && file.type !== DOCX_TYPE) return fail400(m.c7_import_not_docx());
    const base64 = Buffer.from(await file.arrayBuffer()).toString('base64');
    const result = await importDraftDocx(event, event.params.id, base64);
    if (!result.ok) {
      if (result.error.code === 'VALIDATION') return fail400(refusalMessage(result.error));
      return fail(400, { formId: 'read', message: refusalMessage(result.error) } as ImportState);
    }
    const policy = await fetchImportPolicy(event, event.params.id);
    const { tree, kept } = toEditorTree(result.data.nodes, policy?.currentVersion?.nodes ?? []);
    return {
      formId: 'read',
      preview: { title: result.data.title, warnings: result.data.warnings, tree, kept, fileName: file.name },
      values: {
        title: result.data.title || policy?.title || '',
        changeNote: m.c7_import_change_note({ file: file.name }),
      },
    } as ImportState;
  },

  publish: async (event) => {
    await requireRole(event, ['STAFF']);
    const form = await event.request.formData();
    let tree: EditNode[];
    try {
      tree = parseTree(form);
    } catch (e) {
      if (e instanceof TreeFormError)
        return fail(400, { formId: 'publish', message: m.editor_broken_form() } as ImportState);
      throw e;
    }
    const values = { title: text(form, 'title'), changeNote: text(form, 'changeNote') };
    const preview = {
      title: values.title,
      warnings: [],
      tree,
      kept: Number(text(form, 'kept')) || 0,
      fileName: text(form, 'fileName'),
    };
    const state: ImportState = { formId: 'publish', preview, values };
    if (!values.title) return fail(400, { ...state, fieldErrors: { title: m.error_required() } } as ImportState);
    if (countNodes(tree) === 0) return fail(400, { ...state, message: m.editor_tree_empty() } as ImportState);
    const result = await publishDraftVersion(event, {
      policyId: event.params.id,
      title: values.title,
      changeNote: values.changeNote,
      nodes: toInput(tree),
    });
    if (!result.ok) {
      const field = result.error.field?.replace(/^input\./, '');
      const message = refusalMessage(result.error);
      if (field === 'title' || field === 'changeNote')
        return fail(400, { ...state, fieldErrors: { [field]: message } } as ImportState);
      return fail(400, { ...state, message } as ImportState);
    }
    redirect(303, `/staff/policies/${encodeURIComponent(event.params.id)}?done=published`);
  },
};
