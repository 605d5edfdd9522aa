import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fetchDraft, publishDraftVersion } from '$lib/server/api';
import {
  TreeFormError,
  applyOp,
  countNodes,
  flattenEdit,
  fromDraft,
  nodeErrorTarget,
  parseTree,
  toInput,
  type EditNode,
} from '$lib/draftEditor';
import { refusalMessage, text } from '$lib/server/forms';
import { requireRole } from '$lib/server/session';
import { allowed, refusal } from '$lib/actions';

/** What the editor's actions answer: the working tree travels back to the page with every answer. */
interface EditorState {
  tree?: EditNode[];
  seed: string;
  focus?: string | null;
  message?: string;
  fieldErrors?: Record<string, string>;
  /** Errors on single nodes, by node key. */
  nodeErrors?: Record<string, string>;
  values: { title: string; changeNote: string };
}

const newSeed = () => crypto.randomUUID().slice(0, 8);

export const load: PageServerLoad = async (event) => {
  await requireRole(event, ['STAFF']);
  const policy = await fetchDraft(event, event.params.id);
  if (!policy) error(404, { message: m.error_policy_not_found() });
  if (!policy.viewerRoles.includes('STAFF')) error(403, { message: m.error_forbidden() });
  const base = policy.currentVersion;
  const nextNumber = (base?.number ?? 0) + 1;
  return {
    policy: { id: policy.id, title: policy.title, status: policy.status, organization: policy.owningOrganization.name },
    base: base ? { number: base.number, title: base.title } : null,
    nextNumber,
    // Publishing a version is possible now, or the API's reason why not.
    editable: allowed(policy.availableActions, 'PUBLISH_DRAFT_VERSION'),
    notEditable: refusal(policy.availableActions, 'PUBLISH_DRAFT_VERSION')?.message ?? null,
    tree: fromDraft(base?.nodes ?? []),
    seed: newSeed(),
    values: { title: m.editor_default_title({ number: String(nextNumber), title: policy.title }), changeNote: '' },
  };
};

function readValues(form: FormData) {
  return { title: text(form, 'title'), changeNote: text(form, 'changeNote') };
}

function brokenForm(form: FormData) {
  return fail(400, {
    seed: newSeed(),
    message: m.editor_broken_form(),
    values: readValues(form),
  } satisfies EditorState);
}

/** Local checks before asking the API: every node says something. */
function checkNodes(tree: EditNode[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const node of flattenEdit(tree)) {
    const needsHeading = node.kind === 'PART' || node.kind === 'CHAPTER' || node.kind === 'SECTION';
    const needsText = node.kind === 'CLAUSE' || node.kind === 'POINT';
    if (needsHeading && !node.heading) errors[node.key] = m.editor_heading_required();
    else if (needsText && !node.text) errors[node.key] = m.editor_text_required();
    else if (node.kind === 'ARTICLE' && !node.heading && !node.text && node.children.length === 0) {
      errors[node.key] = m.editor_article_empty();
    }
  }
  return errors;
}

export const actions: Actions = {
  /** One structural change (add, move, delete, renumber), answered with the new working tree. */
  edit: async (event) => {
    const form = await event.request.formData();
    let tree: EditNode[];
    try {
      tree = parseTree(form);
    } catch (e) {
      if (e instanceof TreeFormError) return brokenForm(form);
      throw e;
    }
    const { tree: next, focus } = applyOp(tree, text(form, 'op') || 'refresh');
    return { tree: next, focus, seed: newSeed(), values: readValues(form) } satisfies EditorState;
  },

  publish: async (event) => {
    const form = await event.request.formData();
    let tree: EditNode[];
    try {
      tree = parseTree(form);
    } catch (e) {
      if (e instanceof TreeFormError) return brokenForm(form);
      throw e;
    }
    const values = readValues(form);
    const state: EditorState = { tree, seed: newSeed(), values };
    const fieldErrors: Record<string, string> = {};
    if (!values.title) fieldErrors.title = m.error_required();
    if (countNodes(tree) === 0) return fail(400, { ...state, fieldErrors, message: m.editor_tree_empty() });
    const nodeErrors = checkNodes(tree);
    if (Object.keys(fieldErrors).length > 0 || Object.keys(nodeErrors).length > 0) {
      return fail(400, { ...state, fieldErrors, nodeErrors, message: m.editor_fix_errors() });
    }

    const result = await publishDraftVersion(event, {
      policyId: event.params.id,
      title: values.title,
      changeNote: values.changeNote,
      nodes: toInput(tree),
    });
    if (!result.ok) {
      const message = refusalMessage(result.error);
      const target = nodeErrorTarget(tree, result.error.field);
      if (target) return fail(400, { ...state, nodeErrors: { [target.key]: message }, message: m.editor_fix_errors() });
      const field = result.error.field?.replace(/^input\./, '');
      if (field === 'title' || field === 'changeNote')
        return fail(400, { ...state, fieldErrors: { [field]: message } });
      return fail(400, { ...state, message });
    }
    redirect(303, `/staff/policies/${encodeURIComponent(event.params.id)}?done=published`);
  },
};
