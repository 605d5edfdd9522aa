import { describe, expect, it } from 'vitest';
import {
  estimatedSimilarity,
  findNearDuplicates,
  jaccard,
  minHashSignature,
  shingles,
  type TextItem,
} from './nearDuplicates';
import { foldVietnamese, toneNeutralWords } from './vietnameseText';

/** Strips every diacritic by hand, as someone typing without a Vietnamese keyboard would write. */
const withoutDiacritics = (text: string) =>
  text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

const campaignLetter =
  'Kính gửi Phòng Giáo dục và Đào tạo, chúng tôi là phụ huynh học sinh trường Tiểu học Hoà Bình. ' +
  'Chúng tôi không đồng ý với việc thu thêm khoản phí bán trú theo dự thảo, vì nhiều gia đình trong xã còn khó khăn. ' +
  'Đề nghị giữ nguyên mức thu như năm học trước và công khai các khoản chi của nhà trường.';

/** 30 copies of a campaign letter, each signed differently and with a small edit of its own. */
function aCampaign(): TextItem[] {
  const edits: [string, string][] = [
    ['phụ huynh học sinh', 'cha mẹ học sinh'],
    ['còn khó khăn', 'còn rất khó khăn'],
    ['Kính gửi', 'Kính thưa'],
    ['năm học trước', 'năm ngoái'],
    ['công khai', 'minh bạch'],
    ['chúng tôi', 'gia đình tôi'],
  ];
  return Array.from({ length: 30 }, (_, i) => {
    const [from, to] = edits[i % edits.length]!;
    let text = campaignLetter.replace(from, to);
    if (i % 3 === 0) text = text.normalize('NFD');
    if (i % 4 === 1) text = withoutDiacritics(text);
    if (i % 5 === 2) text = text.toUpperCase().replace(/\s+/g, '  ');
    return { id: `campaign-${i}`, text: `${text} Người ký: phụ huynh số ${i + 1}.` };
  });
}

/** Comments on the same draft about different things: they share vocabulary, but must not be grouped. */
const distinctComments: TextItem[] = [
  {
    id: 'd1',
    text: 'Đề nghị bổ sung quy định về phòng chống bạo lực học đường tại Điều 5, nhất là với học sinh trung học cơ sở.',
  },
  { id: 'd2', text: 'Tôi ủng hộ việc miễn học phí cho học sinh thuộc hộ nghèo và hộ cận nghèo như dự thảo nêu.' },
  { id: 'd3', text: 'Thời gian lấy ý kiến quá ngắn, nhiều phụ huynh ở vùng sâu chưa kịp đọc dự thảo.' },
  { id: 'd4', text: 'Nên quy định rõ sĩ số tối đa mỗi lớp ở bậc mầm non, hiện nay nhiều lớp quá đông cháu.' },
  { id: 'd5', text: 'Giáo viên cần được hỗ trợ phụ cấp khi dạy thêm buổi chiều, không nên bắt phụ huynh đóng góp.' },
  { id: 'd6', text: 'Khoản 2 Điều 3 dùng từ chưa thống nhất với Luật Giáo dục 2019, đề nghị rà soát lại.' },
  { id: 'd7', text: 'Đồng ý với dự thảo.' },
  { id: 'd8', text: 'Không đồng ý với dự thảo.' },
  { id: 'd9', text: 'Đồng ý với dự thảo.' },
];

describe('normalising Vietnamese', () => {
  it('folds NFC and NFD, case, diacritics, đ, tone placement, punctuation and whitespace to the same words', () => {
    const forms = [
      'Hoà nhập, không phân biệt đối xử!',
      'Hòa nhập, không phân biệt đối xử!',
      'hoà   nhập không phân biệt đối xử'.normalize('NFD'),
      'HOÀ NHẬP — KHÔNG PHÂN BIỆT ĐỐI XỬ.',
      'hoa nhap khong phan biet doi xu',
    ];
    for (const f of forms) expect(foldVietnamese(f)).toBe('hoa nhap khong phan biet doi xu');
  });

  it('keeps tones apart but not their placement when asked to keep diacritics', () => {
    expect(toneNeutralWords('hoà')).toEqual(toneNeutralWords('hòa'));
    expect(toneNeutralWords('Thuý')).toEqual(toneNeutralWords('thúy'.normalize('NFD')));
    expect(toneNeutralWords('hoà')).toEqual(['hoaf']);
    expect(toneNeutralWords('ma má mà mả mã mạ')).toEqual(['ma', 'mas', 'maf', 'mar', 'max', 'maj']);
    expect(toneNeutralWords('Trường')).toEqual(['trương' + 'f']);
    expect(new Set(toneNeutralWords('ma má mà')).size).toBe(3);
  });
});

describe('MinHash', () => {
  it('estimates the Jaccard similarity of shingle sets closely', () => {
    const a = shingles(campaignLetter);
    const b = shingles(
      campaignLetter.replace('còn khó khăn', 'còn rất khó khăn').replace('năm học trước', 'năm ngoái'),
    );
    const exact = jaccard(a, b);
    const estimate = estimatedSimilarity(minHashSignature(a), minHashSignature(b));
    expect(exact).toBeGreaterThan(0.6);
    expect(exact).toBeLessThan(1);
    expect(Math.abs(estimate - exact)).toBeLessThan(0.15);
  });

  it('is deterministic: the same text always gives the same signature', () => {
    expect(Array.from(minHashSignature(shingles(campaignLetter)))).toEqual(
      Array.from(minHashSignature(shingles(campaignLetter))),
    );
  });
});

describe('near-duplicate groups', () => {
  it('groups the same text with and without diacritics, in NFD, upper case and other spacing', () => {
    const text = 'Đề nghị không thu tiền xây dựng trường đầu năm học vì gia đình chúng tôi khó khăn.';
    const groups = findNearDuplicates([
      { id: 'a', text },
      { id: 'b', text: withoutDiacritics(text) },
      { id: 'c', text: text.normalize('NFD').toUpperCase() },
      { id: 'd', text: text.replace(/ /g, '   ').replace('.', '!!!') },
      ...distinctComments,
    ]);
    expect(groups).toEqual([{ ids: ['a', 'b', 'c', 'd'], representativeId: 'a', minSimilarity: 1 }]);
  });

  it('finds a campaign of 30 near-identical letters with small edits as one group, apart from distinct comments', () => {
    const campaign = aCampaign();
    const items = [
      distinctComments[0]!,
      ...campaign.slice(0, 15),
      ...distinctComments.slice(1, 6),
      ...campaign.slice(15),
    ];
    const groups = findNearDuplicates(items);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.ids).toEqual(campaign.map((c) => c.id));
    expect(groups[0]!.representativeId).toBe('campaign-0');
    expect(groups[0]!.minSimilarity).toBeGreaterThanOrEqual(0.6);
  });

  it('does not group distinct comments, nor short remarks that share words but not meaning', () => {
    expect(findNearDuplicates(distinctComments)).toEqual([]);
  });

  it('follows the configured threshold', () => {
    const a = { id: 'a', text: campaignLetter };
    const b = {
      id: 'b',
      text: campaignLetter
        .replace('còn khó khăn', 'còn rất khó khăn')
        .replace('Kính gửi', 'Kính thưa')
        .replace('công khai', 'minh bạch'),
    };
    const similarity = jaccard(shingles(a.text), shingles(b.text));
    expect(findNearDuplicates([a, b], { threshold: 0.5 })).toHaveLength(1);
    expect(findNearDuplicates([a, b], { threshold: 0.99 })).toEqual([]);
    expect(similarity).toBeLessThan(0.99);
  });

  it('gives the same groups whatever the run', () => {
    const items = [...aCampaign(), ...distinctComments];
    expect(findNearDuplicates(items)).toEqual(findNearDuplicates(items));
  });
});
