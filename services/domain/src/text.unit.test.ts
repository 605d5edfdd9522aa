import { describe, expect, it } from 'vitest';
import { decideComment, type SubmitComment } from './commentDecider';
import { initialCommentState } from './comment';
import { ValidationError } from './errors';
import { foldPolicy } from './policy';
import { requireText } from './shared';
import { admitCommand, admitText, sameText } from './text';
import { T, aPolicyInConsultation, accounts, actors, ids } from './testkit/builders';

/** Letters only Vietnamese writing uses: a Vietnamese message has some, an English one none. */
const VIETNAMESE_LETTER = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;
const expectVietnamese = (text: string) => expect(text).toMatch(VIETNAMESE_LETTER);
const expectEnglish = (text: string) => expect(text).not.toMatch(VIETNAMESE_LETTER);

function refusal(run: () => unknown): ValidationError {
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a refusal').toBeInstanceOf(ValidationError);
  return thrown as ValidationError;
}

describe('admitText', () => {
  it('normalises to NFC, keeping both tone placements apart', () => {
    const nfc = 'Giáo dục hoà nhập, “hòa nhập”';
    expect(admitText('body', nfc.normalize('NFD'))).toBe(nfc);
  });

  it('folds CR LF and a lone CR into LF, and keeps tabs and line feeds', () => {
    expect(admitText('body', 'Điều 1\r\nĐiều 2\rĐiều 3\n\tKhoản 1')).toBe('Điều 1\nĐiều 2\nĐiều 3\n\tKhoản 1');
  });

  it('leaves padding to the field (requireText trims, other fields keep it)', () => {
    expect(admitText('password', '  a b  ')).toBe('  a b  ');
  });

  it('keeps what people do type: emoji (surrogate pairs), joiners, non-breaking spaces, combining marks', () => {
    const typed = 'Ủng hộ 👍🏽 👨‍👩‍👧 a\u00a0b e\u0301 ₫ 𠀀';
    expect(admitText('body', typed)).toBe(typed.normalize('NFC'));
  });

  it.each([
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['backspace', '\u0008'],
    ['vertical tab', '\u000b'],
    ['form feed', '\u000c'],
    ['escape', '\u001b'],
    ['unit separator', '\u001f'],
    ['DEL', '\u007f'],
    ['C1 padding character', '\u0080'],
    ['C1 next line', '\u0085'],
    ['C1 application program command', '\u009f'],
    ['an unpaired high surrogate', '\ud83d'],
    ['an unpaired low surrogate', '\udc4d'],
    ['a reversed surrogate pair', '\udc4d\ud83d'],
    ['noncharacter U+FDD0', '\ufdd0'],
    ['noncharacter U+FDEF', '\ufdef'],
    ['noncharacter U+FFFE', '\ufffe'],
    ['noncharacter U+FFFF', '\uffff'],
    ['noncharacter U+1FFFE', '\u{1fffe}'],
    ['noncharacter U+10FFFF', '\u{10ffff}'],
  ])('refuses %s, naming the field and the code point in Vietnamese and English', (_, char) => {
    const e = refusal(() => admitText('body', `Góp ý${char}về học phí`));
    expect(e.code).toBe('VALIDATION');
    expect(e.field).toBe('body');
    const at = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    expect(e.messages.vi).toContain(at);
    expect(e.messages.en).toContain(at);
    expectVietnamese(e.messages.vi);
    expectEnglish(e.messages.en);
  });

  it('refuses a body that is nothing but NUL', () => {
    expect(refusal(() => admitText('body', '\u0000')).field).toBe('body');
  });
});

describe('admitCommand, the boundary step of the write path', () => {
  it('admits every string of a command, nested objects and lists included, and keeps everything else', () => {
    const command = {
      type: 'RecordOfflineFeedback',
      body: 'Thư góp ý\r\nvề hoà nhập'.normalize('NFD'),
      offlineSender: { senderId: ids.sender, name: 'Lê Thị Hoà'.normalize('NFD'), organization: null },
      attachments: [{ fileName: 'Biên bản họp\r.pdf'.normalize('NFD'), size: 1024 }],
      version: 2,
      usePseudonym: false,
      parentCommentId: undefined,
    };
    expect(admitCommand(command)).toEqual({
      type: 'RecordOfflineFeedback',
      body: 'Thư góp ý\nvề hoà nhập',
      offlineSender: { senderId: ids.sender, name: 'Lê Thị Hoà', organization: null },
      attachments: [{ fileName: 'Biên bản họp\n.pdf', size: 1024 }],
      version: 2,
      usePseudonym: false,
      parentCommentId: undefined,
    });
  });

  it('returns a copy and leaves the caller’s command as it was', () => {
    const command = { body: 'Hoà'.normalize('NFD'), tags: ['a\r\nb'] };
    const admitted = admitCommand(command);
    expect(command).toEqual({ body: 'Hoà'.normalize('NFD'), tags: ['a\r\nb'] });
    expect(admitted).not.toBe(command);
  });

  it.each([
    [{ title: 'Quy định\u0007' }, 'title'],
    [{ offlineSender: { name: 'An\u0000' } }, 'offlineSender.name'],
    [
      { nodes: [{ text: 'ok', children: [{ text: 'ok' }, { heading: '\u001b[31m' }] }] },
      'nodes[0].children[1].heading',
    ],
    [{ added: ['ổn', 'x\u0085'] }, 'added[1]'],
    [
      {
        pupils: [
          { displayName: 'Bình', birthYear: 2015 },
          { displayName: '\ufffe', birthYear: 2015 },
        ],
      },
      'pupils[1].displayName',
    ],
  ])('refuses a forbidden character anywhere, naming its path: %j', (command, field) => {
    expect(refusal(() => admitCommand(command)).field).toBe(field);
  });

  it('names a bare string `input`', () => {
    expect(refusal(() => admitCommand('\u0000')).field).toBe('input');
  });

  it('passes null, numbers and booleans through', () => {
    expect(admitCommand(null)).toBeNull();
    expect(admitCommand({ a: 1, b: true, c: null })).toEqual({ a: 1, b: true, c: null });
  });
});

describe('the same rule inside the domain', () => {
  it('requireText admits, then trims and measures', () => {
    expect(requireText('reason', ' Hoà\r\n'.normalize('NFD'), { min: 1, max: 10 })).toBe('Hoà');
    expect(refusal(() => requireText('reason', 'a\u0000', { min: 1, max: 10 })).field).toBe('reason');
  });

  it('a decider called directly refuses a NUL body too', () => {
    const command: SubmitComment = {
      type: 'SubmitComment',
      commentId: ids.comment,
      now: T.during,
      actor: actors.participant,
      policyId: ids.policy,
      version: 1,
      anchorNodeId: null,
      parentCommentId: null,
      body: '\u0000',
      stance: 'support',
      stakeholderCategory: 'parent',
      authorAccountId: accounts.participant,
      pseudonym: null,
      idempotencyKey: 'key-1',
    };
    const e = refusal(() => decideComment(command, initialCommentState, foldPolicy(aPolicyInConsultation())));
    expect(e.field).toBe('body');
  });

  it('sameText: a body stored with CR LF before line breaks were folded is the same text', () => {
    expect(sameText('Dòng 1\r\nDòng 2', 'Dòng 1\nDòng 2')).toBe(true);
    expect(sameText('Dòng 1', 'Dòng 2')).toBe(false);
  });
});
