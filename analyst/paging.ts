// Cursor pagination over an answer computed in full: items are put in a total order by a key, the
// cursor is the key of the last item served (base64url), so pages stay stable and never repeat or
// skip an item even when documents are added between two requests.
export const PAGE_SETTINGS = Object.freeze({ defaultLimit: 100, maxLimit: 1000 });

export interface Page<T> {
  items: T[];
  count: number;
  total: number;
  nextCursor?: string;
}

export class CursorError extends Error {}

export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { k?: unknown };
    if (typeof v.k !== "string") throw new Error("no key");
    return v.k;
  } catch {
    throw new CursorError("cursor is not one this API returned");
  }
}

export function paginate<T>(items: readonly T[], key: (item: T, i: number) => string, limit: number = PAGE_SETTINGS.defaultLimit, cursor?: string): Page<T> {
  const keyed = items.map((item, i) => ({ item, k: key(item, i) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const rest = after === undefined ? keyed : keyed.filter((x) => x.k > after);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map((x) => x.item), count: page.length, total: keyed.length, nextCursor: rest.length > limit && last ? encodeCursor(last.k) : undefined };
}

/** Fixed-width number for keys that sort as strings. */
export const padKey = (n: number | undefined, width = 6): string => String(n ?? 0).padStart(width, "0");
