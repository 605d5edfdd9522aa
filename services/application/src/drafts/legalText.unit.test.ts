import { describe, expect, it } from 'vitest';
import type { DraftNode } from '@gopy/schemas';
import { legalParagraphs, parseLegalParagraphs } from './legalText';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const shape = (nodes: DraftNode[]): unknown =>
  nodes.map((n) => ({ kind: n.kind, number: n.number, heading: n.heading, text: n.text, children: shape(n.children) }));

describe('Vietnamese legal drafts as paragraphs', () => {
  const paragraphs = [
    'QUY ĐỊNH',
    'Thu, chi các khoản thu thỏa thuận trong trường học',
    'Chương I',
    'QUY ĐỊNH CHUNG',
    'Điều 1. Phạm vi điều chỉnh',
    'Quy định này áp dụng đối với các trường công lập.',
    '1. Các khoản thu thỏa thuận.',
    '2. Các khoản thu hộ, chi hộ:',
    'a) Tiền ăn bán trú;',
    'đ) Tiền nước uống.',
    'Điều 2. Nguyên tắc',
    'Công khai, minh bạch.',
    'Chương II. TỔ CHỨC THỰC HIỆN',
    'Mục 1',
    'Trách nhiệm',
    'Điều 3. Trách nhiệm của nhà trường',
    '1. Hiệu trưởng tổ chức thu, chi.',
    'Báo cáo trước ngày 15 tháng 12.',
  ];

  it('maps Chương, Mục, Điều, numbered clauses and lettered points onto the tree', () => {
    const parsed = parseLegalParagraphs(paragraphs, newId);
    expect(parsed.title).toBe('QUY ĐỊNH Thu, chi các khoản thu thỏa thuận trong trường học');
    expect(parsed.warnings).toEqual([]);
    expect(shape(parsed.nodes)).toEqual([
      {
        kind: 'chapter',
        number: 'I',
        heading: 'QUY ĐỊNH CHUNG',
        text: '',
        children: [
          {
            kind: 'article',
            number: '1',
            heading: 'Phạm vi điều chỉnh',
            text: 'Quy định này áp dụng đối với các trường công lập.',
            children: [
              { kind: 'clause', number: '1', heading: '', text: 'Các khoản thu thỏa thuận.', children: [] },
              {
                kind: 'clause',
                number: '2',
                heading: '',
                text: 'Các khoản thu hộ, chi hộ:',
                children: [
                  { kind: 'point', number: 'a', heading: '', text: 'Tiền ăn bán trú;', children: [] },
                  { kind: 'point', number: 'đ', heading: '', text: 'Tiền nước uống.', children: [] },
                ],
              },
            ],
          },
          { kind: 'article', number: '2', heading: 'Nguyên tắc', text: 'Công khai, minh bạch.', children: [] },
        ],
      },
      {
        kind: 'chapter',
        number: 'II',
        heading: 'TỔ CHỨC THỰC HIỆN',
        text: '',
        children: [
          {
            kind: 'section',
            number: '1',
            heading: 'Trách nhiệm',
            text: '',
            children: [
              {
                kind: 'article',
                number: '3',
                heading: 'Trách nhiệm của nhà trường',
                text: '',
                children: [
                  {
                    kind: 'clause',
                    number: '1',
                    heading: '',
                    text: 'Hiệu trưởng tổ chức thu, chi.\nBáo cáo trước ngày 15 tháng 12.',
                    children: [],
                  },
                ],
              },
            ],
          },
        ],
      },
    ]);
  });

  it('writes a tree back as paragraphs that parse to the same tree', () => {
    const parsed = parseLegalParagraphs(paragraphs, newId);
    const again = parseLegalParagraphs(
      parsed.nodes.flatMap((n) => legalParagraphs(n).map((p) => p.text)),
      newId,
    );
    expect(shape(again.nodes)).toEqual(shape(parsed.nodes));
  });

  it('reads decomposed (NFD) Vietnamese the same', () => {
    const parsed = parseLegalParagraphs(
      paragraphs.map((p) => p.normalize('NFD')),
      newId,
    );
    expect(shape(parsed.nodes)).toEqual(shape(parseLegalParagraphs(paragraphs, newId).nodes));
  });

  it('warns when nothing is recognised', () => {
    expect(parseLegalParagraphs(['Một đoạn văn bình thường.'], newId).warnings).toHaveLength(1);
  });
});
