import { ValidationError } from '@gopy/domain/errors';

/** Cursors are opaque strings; inside, the read model's dense sequence number for keyset paging. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number | undefined {
  if (!cursor) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^seq:(\d+)$/.exec(text);
  if (!m)
    throw new ValidationError('after', {
      vi: 'Con trỏ phân trang không hợp lệ: hãy dùng endCursor của trang trước.',
      en: 'The paging cursor is not valid: pass the endCursor of the previous page.',
    });
  return Number(m[1]);
}

export const MAX_PAGE = 100;

/** The page size a connection's arguments ask for; paging runs forward only (first/after), so last/before are refused. */
export function pageSize(args: {
  first?: number | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}): number {
  const { first, last, before } = args;
  for (const [field, value] of [
    ['last', last],
    ['before', before],
  ] as const) {
    if (value != null)
      throw new ValidationError(field, {
        vi: `Chỉ hỗ trợ phân trang tiến (first/after), không dùng ${field}.`,
        en: `Only forward paging (first/after) is supported, not ${field}.`,
      });
  }
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw new ValidationError('first', {
      vi: `Số mục mỗi trang phải từ 1 đến ${MAX_PAGE}.`,
      en: `first must be between 1 and ${MAX_PAGE}.`,
    });
  }
  return n;
}

/** Builds a relay connection from rows fetched with one extra row to learn whether a next page exists. */
export function toConnection<T extends { seq: number }>(rows: T[], size: number) {
  const page = rows.slice(0, size);
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node.seq), node })),
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: false,
      startCursor: page[0] ? encodeCursor(page[0].seq) : null,
      endCursor: page.at(-1) ? encodeCursor(page.at(-1)!.seq) : null,
    },
  };
}
