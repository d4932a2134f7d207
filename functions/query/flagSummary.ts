// Counts of the flags a /flags query would list — by severity, rule, department and year — read on
// the server, so a page over a whole district shows its totals without downloading every flag.
//
// It walks the same GSI2 SEV# partitions as the flags list (queryService.ts flagPlan), but asks
// DynamoDB for five short attributes of each flag (ProjectionExpression) instead of the whole item,
// and no Limit beyond the read budget (one Query returns up to 1 MB of evaluated items). Whether a
// flag's document is served (committed, current unless superseded ones are asked for) and its kind
// (预算/决算) come from the documents' META records, looked up once per document.
//
// Honest when it cannot finish: a walk that would exceed SUMMARY_SETTINGS.readBudget stops between
// two Query calls and answers `complete: false` with the counts of what it read and a nextCursor (a
// signed, query-bound page cursor, pageCursor.ts) to go on with; the next call counts only what
// follows, so the caller adds the answers up. A complete answer has no cursor.
//
// Read through the store's paged read (DocumentStore.queryPartitionPage, with a projection and one
// META memo for the whole count), which also keeps only the flag generation each META names.
import type { Severity } from "../../reconcile/flag.ts";
import type { DocumentRecord } from "../shared/documentItems.ts";
import type { DocumentStore, PartitionQuery, ReadBudget } from "../shared/documentStore.ts";
import { decodeCursor, encodeCursor, InvalidCursorError, type CursorState } from "../shared/pageCursor.ts";

/**
 * The summary's read budget, larger than a list page's (PAGE_SETTINGS): a projected item is a few
 * dozen bytes on the wire, and the count is the whole point. About 1,000 flag items per 1 MB Query.
 * Requests: a department without a year is 3 severities × its years partitions, mostly small
 * (measured: 36 Query calls for a department filed in 12 years) — room for about 20 years.
 */
export const SUMMARY_SETTINGS = Object.freeze({
  readBudget: Object.freeze({ items: 20_000, requests: 64 }) as ReadBudget,
});

export interface SeverityCounts {
  error: number;
  warning: number;
  info: number;
  all: number;
}

export interface FlagSummary {
  /** Flags counted in this answer (= bySeverity.all). */
  total: number;
  bySeverity: SeverityCounts;
  /** Per rule id as stored (a rule family filter counts its members under their own ids). */
  byRule: ({ rule: string } & SeverityCounts)[];
  /** Per department name as stored on the flag. */
  byDepartment: ({ department: string } & SeverityCounts)[];
  /** Per year, only when the query names no year; null = the parser found no year. */
  byYear?: ({ year: number | null } & SeverityCounts)[];
  /** False when the read budget ran out: these counts cover only what was read; go on with nextCursor and add. */
  complete: boolean;
  nextCursor?: string;
  page: {
    /** Flag items DynamoDB evaluated (ScannedCount) in this call. */
    read: number;
    /** Query calls on the flag index in this call. */
    requests: number;
    /** Documents whose META was looked up. */
    documents: number;
    stoppedBy: "end" | "readBudget";
  };
}

/** The partitions to count: each a GSI2 SEV# partition (and scope prefix) with its severity. */
export interface SummaryPlan {
  parts: (PartitionQuery & { severity: Severity })[];
  /** The department's years fixed at the first call (carried by the cursor, as the list does). */
  years?: string[];
}

export interface SummaryRequest {
  plan: (yearsFromCursor?: string[]) => Promise<SummaryPlan>;
  /** Keeps a flag of this document? (served, and of the asked kind) — from its META record. */
  keep: (meta: DocumentRecord | undefined) => boolean;
  byYear: boolean;
  cursor?: string;
  binding: string;
}

// What a count needs of a flag; its severity is its partition's (GSI2 SEV#<severity>). `docId` is
// what the store's generation filter and `keep` look META up by (the store adds the key attributes,
// `sk` among them: which generation of the document's flags the item belongs to, keys.ts).
const PROJECTION = { expression: "#docId, #rule, #department, #year", names: { "#docId": "docId", "#rule": "rule", "#department": "department", "#year": "year" } };

type Counted = { docId?: string; rule?: string; department?: string; year?: number };

const zero = (): SeverityCounts => ({ error: 0, warning: 0, info: 0, all: 0 });

function bump(c: SeverityCounts, severity: Severity): void {
  c[severity] += 1;
  c.all += 1;
}

export class FlagSummaryReader {
  constructor(
    private readonly store: DocumentStore,
    readonly budget: ReadBudget = SUMMARY_SETTINGS.readBudget,
  ) {}

  async summarize(req: SummaryRequest): Promise<FlagSummary> {
    let state: CursorState = req.cursor === undefined ? { p: 0 } : decodeCursor(req.cursor, req.binding);
    const { parts, years } = await req.plan(state.y);
    if (state.p > 0 && state.p >= parts.length) throw new InvalidCursorError("its partition is not in this query");

    const bySeverity = zero();
    const byRule = new Map<string, SeverityCounts>();
    const byDepartment = new Map<string, SeverityCounts>();
    const byYear = new Map<number | null, SeverityCounts>();
    // Each document's META is read once for the whole count, whichever severities its flags are in.
    const metas = new Map<string, DocumentRecord | null>();
    let read = 0;
    let requests = 0;
    let next: CursorState | undefined;

    while (state.p < parts.length) {
      const left: ReadBudget = { items: this.budget.items - read, requests: this.budget.requests - requests };
      if (left.items <= 0 || left.requests <= 0) {
        next = state;
        break;
      }
      const part = parts[state.p]!;
      const page = await this.store.queryPartitionPage(part, {
        limit: Infinity,
        ...(state.k ? { start: state.k } : {}),
        budget: left,
        projection: PROJECTION,
        metaMemo: metas,
        // Served documents only (and of the asked kind); the store has kept the current flag generation.
        keep: async (items) => {
          const m = await this.store.getMetas(items.map((i) => String(i.docId)));
          return items.filter((i) => req.keep(m.get(String(i.docId))));
        },
      });
      read += page.read;
      requests += page.requests;
      for (const i of page.items as Counted[]) {
        const sev = part.severity;
        bump(bySeverity, sev);
        bump(getOr(byRule, String(i.rule)), sev);
        bump(getOr(byDepartment, String(i.department)), sev);
        if (req.byYear) bump(getOr(byYear, typeof i.year === "number" ? i.year : null), sev);
      }
      if (page.stoppedBy === "end") {
        state = { p: state.p + 1 };
      } else {
        next = page.resume ? { p: state.p, k: page.resume } : state;
        break;
      }
    }

    const rows = <K, T>(m: Map<K, SeverityCounts>, key: (k: K) => T) => [...m.entries()].map(([k, c]) => ({ ...key(k), ...c }));
    const nextCursor = next ? encodeCursor(years ? { ...next, y: years } : next, req.binding) : undefined;
    return {
      total: bySeverity.all,
      bySeverity,
      byRule: rows(byRule, (rule) => ({ rule })).sort((a, b) => b.all - a.all || a.rule.localeCompare(b.rule)),
      byDepartment: rows(byDepartment, (department) => ({ department })).sort((a, b) => b.all - a.all || a.department.localeCompare(b.department, "zh")),
      ...(req.byYear ? { byYear: rows(byYear, (year) => ({ year })).sort((a, b) => (a.year ?? 0) - (b.year ?? 0)) } : {}),
      complete: nextCursor === undefined,
      ...(nextCursor ? { nextCursor } : {}),
      page: { read, requests, documents: metas.size, stoppedBy: nextCursor ? "readBudget" : "end" },
    };
  }
}

function getOr<K>(m: Map<K, SeverityCounts>, k: K): SeverityCounts {
  let c = m.get(k);
  if (!c) m.set(k, (c = zero()));
  return c;
}
