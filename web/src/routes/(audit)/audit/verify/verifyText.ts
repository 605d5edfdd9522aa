// The verifier reports in English (its words are shared with the command line); the page says them in the reader's
// language. Unknown wording is shown as it came, marked as English.
import { m } from '$lib/paraglide/messages';

type Translation = { text: string; lang?: 'en' };

const REASONS: [RegExp, (g: string[]) => string][] = [
  [/^stored bytes do not match the stored hash/, () => m.audit_reason_bytes()],
  [/^stored metadata is not valid JSON/, () => m.audit_reason_metadata_json()],
  [
    /^revision (\d+) follows (-?\d+) in its stream: (\d+) event/,
    ([revision, previous, missing]) =>
      m.audit_reason_revision_gap({ revision: revision!, previous: previous!, missing: missing! }),
  ],
  [
    /^revision (\d+) repeats or goes back \(expected (\d+)\)/,
    ([revision, expected]) => m.audit_reason_revision_back({ revision: revision!, expected: expected! }),
  ],
  [/^prevHash does not match/, () => m.audit_reason_prev_hash()],
  [/^checkpoint data is unreadable/, () => m.audit_reason_checkpoint_unreadable()],
  [/^checkpoint was signed by another key/, () => m.audit_reason_other_key()],
  [/^checkpoint signature does not verify/, () => m.audit_reason_signature()],
  [/^checkpoint does not link to the previous checkpoint/, () => m.audit_reason_checkpoint_link()],
  [
    /^checkpoint covers (\d+) events but only (\d+) precede it: (\d+) event/,
    ([count, present, missing]) =>
      m.audit_reason_checkpoint_missing({ count: count!, present: present!, missing: missing! }),
  ],
  [
    /^checkpoint Merkle root over the first (\d+) events does not match/,
    ([count]) => m.audit_reason_merkle({ count: count! }),
  ],
  [
    /^checkpoint names (\S+) as its last covered event, but the log has (\S+)/,
    ([named, found]) => m.audit_reason_last_event({ named: named!, found: found! }),
  ],
];

const NOT_CHECKED: [RegExp, () => string][] = [
  [/^events appended after the newest checkpoint/, () => m.audit_not_checked_unsigned()],
  [/^a truncation that also removed every checkpoint/, () => m.audit_not_checked_truncation()],
  [/^checkpoint signatures \(no public key given\)/, () => m.audit_not_checked_signatures()],
];

function translate(text: string, table: [RegExp, (g: string[]) => string][]): Translation {
  for (const [pattern, say] of table) {
    const match = pattern.exec(text);
    if (match) return { text: say(match.slice(1)) };
  }
  return { text, lang: 'en' };
}

export const reasonText = (reason: string) => translate(reason, REASONS);
export const notCheckedText = (item: string) => translate(item, NOT_CHECKED);
