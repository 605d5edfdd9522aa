import type { CommandOptions, Principal } from '@gopy/application/commands';
import type { Runtime } from '@gopy/composition/runtime';

/**
 * Redaction of personal data typed into a comment: CommentRedacted is appended, then the comment's key is destroyed,
 * so no copy of its text (body, edits, notes) can be read again. Used by the `redactComment` mutation and by a restore
 * that re-applies the redactions made after its backup.
 */
export async function redactComment(
  runtime: Runtime,
  principal: Principal,
  commentId: string,
  reason: string,
  options: CommandOptions = {},
): Promise<{ position: string }> {
  const result = await runtime.commands.comment({ type: 'RedactComment', commentId, reason }, principal, options);
  // The event is in the log first, then the key goes: a crash in between leaves a redaction the next run can finish.
  await runtime.keys.destroyKey(`comment:${commentId}`);
  if (result.position) await runtime.consistency.waitFor(result.position);
  return { position: result.position ?? '' };
}
