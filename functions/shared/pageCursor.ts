// The page cursor of the listing queries: an opaque token that resumes a DynamoDB Query where the
// previous page stopped. It carries the ExclusiveStartKey (and, for answers drawn from several
// partitions, which partition), bound to the query it came from and signed:
//
//   v1.<base64url(JSON {p, k, q})>.<base64url(HMAC-SHA256(secret, payload))[:22]>
//     p  partition index (0 unless the answer spans partitions, e.g. flags of every severity)
//     k  the DynamoDB key to start after (string attributes only)
//     y  (some queries) the partition plan fixed at the first page, e.g. the years of a department
//     q  SHA-256 of the route and its validated parameters except limit/cursor (the binding)
//
// A cursor replayed against another query, edited, or truncated fails the binding or the MAC and is
// refused (InvalidCursorError → 400). The secret is BUDGETLENS_CURSOR_SECRET when set (set it on a
// deployed stack to make cursors unforgeable); without it the MAC still detects corruption and
// replay. The store validates the decoded key's shape against the query as well (documentStore.ts),
// so even a forged cursor can only start a query inside its own partition and prefix.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export type StartKey = Record<string, string>;

export interface CursorState {
  /** Index of the partition the next page starts in. */
  p: number;
  /** Key to start after in that partition; absent = the partition's beginning. */
  k?: StartKey;
  /** The partition plan fixed at the first page (e.g. a department's years), so later pages read the same partitions. */
  y?: string[];
}

/** A page cursor that was not produced by this query (tampered, truncated, or from another query). */
export class InvalidCursorError extends Error {
  constructor(reason = "not a cursor this query returned") {
    super(`invalid cursor: ${reason}`);
    this.name = "InvalidCursorError";
  }
}

const VERSION = "v1";
const MAC_CHARS = 22; // 132 bits of the HMAC, base64url

function secret(): string {
  return process.env.BUDGETLENS_CURSOR_SECRET ?? "budgetlens-page-cursor";
}

function mac(payload: string): string {
  return createHmac("sha256", secret()).update(`${VERSION}.${payload}`).digest("base64url").slice(0, MAC_CHARS);
}

/** The binding of a query: its route and parameters (limit and cursor excluded), order-independent. */
export function queryBinding(route: string, params: Record<string, unknown>): string {
  const canon = Object.keys(params)
    .filter((k) => k !== "limit" && k !== "cursor" && params[k] !== undefined)
    .sort()
    .map((k) => [k, params[k]]);
  return createHash("sha256").update(JSON.stringify([route, canon])).digest("base64url");
}

export function encodeCursor(state: CursorState, binding: string): string {
  const payload = Buffer.from(JSON.stringify({ p: state.p, ...(state.k ? { k: state.k } : {}), ...(state.y ? { y: state.y } : {}), q: binding }), "utf8").toString("base64url");
  return `${VERSION}.${payload}.${mac(payload)}`;
}

export function decodeCursor(cursor: string, binding: string): CursorState {
  const [version, payload, tag, ...rest] = cursor.split(".");
  if (version !== VERSION || !payload || !tag || rest.length > 0) throw new InvalidCursorError("malformed");
  const want = Buffer.from(mac(payload));
  const got = Buffer.from(tag);
  if (want.length !== got.length || !timingSafeEqual(want, got)) throw new InvalidCursorError("signature does not match");
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError("malformed");
  }
  const o = v as { p?: unknown; k?: unknown; y?: unknown; q?: unknown } | null;
  if (typeof o !== "object" || o === null || o.q !== binding) throw new InvalidCursorError("it belongs to a different query");
  if (typeof o.p !== "number" || !Number.isInteger(o.p) || o.p < 0) throw new InvalidCursorError("malformed");
  const state: CursorState = { p: o.p };
  if (o.k !== undefined) {
    if (typeof o.k !== "object" || o.k === null || !Object.values(o.k).every((x) => typeof x === "string")) throw new InvalidCursorError("malformed");
    state.k = o.k as StartKey;
  }
  if (o.y !== undefined) {
    if (!Array.isArray(o.y) || !o.y.every((x) => typeof x === "string")) throw new InvalidCursorError("malformed");
    state.y = o.y as string[];
  }
  return state;
}
