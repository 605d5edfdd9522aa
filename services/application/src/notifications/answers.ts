import { outcomeLabels, type Outcome } from '@gopy/schemas';
import type { ReadDb } from '../readModels/database';
import { answersFor, type PersonalAnswerRow } from '../readModels/digests';

type Locale = 'vi' | 'en';

/**
 * How a digest answered a comment, in the glossary's words (tiếp thu / tiếp thu một phần / không tiếp thu), lower-cased
 * because the notification uses it inside a sentence.
 */
export function outcomeLabel(decision: string, locale: Locale): string {
  const label = outcomeLabels[decision as Outcome];
  if (!label) return locale === 'vi' ? 'chưa rõ kết quả' : 'outcome unknown';
  return label[locale].toLocaleLowerCase(locale);
}

/** The first words of a comment, enough to recognise it: at most `words` words, with an ellipsis when cut. */
export function firstWords(body: string | null, words = 12): string {
  const all = (body ?? '').trim().split(/\s+/).filter(Boolean);
  return all.slice(0, words).join(' ') + (all.length > words ? '…' : '');
}

/** Where a comment's answer is read: its row in the published digest of its round. */
export function answerPath(policyId: string, round: number, commentId: string): string {
  return `/policies/${policyId}/digest/${round}#comment-${commentId}`;
}

export interface PersonalAnswer extends PersonalAnswerRow {
  excerpt: string;
  path: string;
}

export async function personalAnswers(
  db: ReadDb,
  accountId: string,
  policyId: string,
  round: number,
): Promise<PersonalAnswer[]> {
  return (await answersFor(db, accountId, policyId, round)).map((a) => ({
    ...a,
    excerpt: firstWords(a.body),
    path: answerPath(policyId, round, a.commentId),
  }));
}

/** One answered comment: «first words…» (its article): the outcome. */
export function answerLine(a: PersonalAnswer, locale: Locale): string {
  const anchor = a.anchorLabel ?? (locale === 'vi' ? 'Toàn bộ dự thảo' : 'Whole draft');
  return `«${a.excerpt}» (${anchor}): ${outcomeLabel(a.decision, locale)}`;
}

/** Every answered comment of one digest, in one sentence. */
export function answersText(answers: readonly PersonalAnswer[], locale: Locale): string {
  const items = answers.map((a) => answerLine(a, locale));
  const head =
    locale === 'vi'
      ? `Bản tổng hợp đã công bố trả lời ${answers.length} góp ý của bạn`
      : `The published digest answers ${answers.length} of your comments`;
  return `${head}: ${items.join('; ')}.`;
}
