// The analysts' questions over the store. Serves committed documents only: every answer drawn from a
// GSI is checked against the documents' META records (see keys.ts), so a half-written document —
// index items present, META not yet — never appears.
import type { Row } from "../../parsers/model.ts";
import type { Severity } from "../../reconcile/flag.ts";
import * as K from "../shared/keys.ts";
import { flagView, rowsFromItems, tableView, type AmountItem, type DocumentRecord, type FlagItem, type RowItem, type TableItem } from "../shared/documentItems.ts";
import type { DocumentStore, PartitionQuery, ReadBudget } from "../shared/documentStore.ts";
import { decodeCursor, encodeCursor, InvalidCursorError, type CursorState } from "../shared/pageCursor.ts";
import { FlagSummaryReader, SUMMARY_SETTINGS, type FlagSummary, type SummaryPlan } from "./flagSummary.ts";

export interface DocumentSummary {
  docId: string;
  status: DocumentRecord["status"];
  current: boolean;
  fileName: string;
  bucket: string;
  key: string;
  department?: string;
  year?: number;
  docType: string;
  family: string;
  title?: string;
  pageCount?: number;
  ingestedAt: string;
  uploadedAt: string;
  counts?: DocumentRecord["counts"];
  flagCounts?: DocumentRecord["flagCounts"];
  failure?: DocumentRecord["failure"];
  checkError?: string;
  supersededBy?: string;
  supersedes?: string;
}

export function summary(r: DocumentRecord): DocumentSummary {
  return {
    docId: r.docId,
    status: r.status,
    current: r.status === "COMMITTED" && !r.supersededBy,
    fileName: r.fileName,
    bucket: r.source.bucket,
    key: r.source.key,
    department: r.department,
    year: r.year,
    docType: r.docType,
    family: r.family,
    title: r.title,
    pageCount: r.pageCount,
    ingestedAt: r.ingestedAt,
    uploadedAt: r.source.eventTime,
    counts: r.counts,
    flagCounts: r.flagCounts,
    failure: r.failure,
    checkError: r.checkError,
    supersededBy: r.supersededBy,
    supersedes: r.supersedes,
  };
}

export interface Scope {
  year?: number;
  department?: string;
  /** Include documents replaced by a later upload of the same department/year/type (default false). */
  includeSuperseded?: boolean;
}

/** What the flags list and the flags summary filter on. `kind`: the document's docType (预算 budget / 决算 final_accounts). */
export type FlagQuery = Scope & { severity?: Severity; rule?: string; kind?: string };

/** A page request: at most `limit` items after `cursor`; `binding` ties the cursor to the query (pageCursor.ts). */
export interface Page {
  limit: number;
  cursor?: string;
  binding: string;
}

/**
 * Page sizes and the read budget of one listing request. A page whose filter drops many items stops
 * at the budget with fewer than `limit` items and a cursor (page.stoppedBy = "readBudget"): it is
 * never silently cut short, and never reads a whole partition.
 */
export const PAGE_SETTINGS = Object.freeze({
  defaultLimit: 100,
  maxLimit: 1000,
  readBudget: Object.freeze({ items: 4000, requests: 32 }) as ReadBudget,
});

/** How a page was read: DynamoDB items evaluated, Query calls, and why it stopped. */
export interface PageInfo {
  limit: number;
  /** Items DynamoDB evaluated for this page (ScannedCount), filtered ones included. */
  read: number;
  requests: number;
  /** limit: the page is full · end: nothing after it · readBudget: short page, go on with nextCursor. */
  stoppedBy: "limit" | "end" | "readBudget";
}

export interface Paged<T> {
  items: T[];
  count: number;
  /**
   * Absent on the last page. A full page can be followed by an empty last one (DynamoDB only knows a
   * partition ended after reading past its last item); a short page with a cursor has stoppedBy readBudget.
   */
  nextCursor?: string;
  /** Only when known without reading more: this page is the whole answer (no cursor in or out). */
  total?: number;
  page: PageInfo;
}

type Item = Record<string, unknown>;

/** The partitions a listing reads, and (for a department without a year) its years, kept in the cursor. */
interface Plan {
  parts: PartitionQuery[];
  years?: string[];
}

/** Flags of a rule, or of a rule family ("sum" matches "sum.children"). */
function ruleFilter(rule: string | undefined): PartitionQuery["filter"] {
  if (rule === undefined) return undefined;
  return { expression: "(#rule = :rule OR begins_with(#rule, :ruleFamily))", names: { "#rule": "rule" }, values: { ":rule": rule, ":ruleFamily": `${rule}.` } };
}

/** ANDs the filters given. */
function allOf(...fs: PartitionQuery["filter"][]): PartitionQuery["filter"] {
  const xs = fs.filter((f) => f !== undefined);
  if (xs.length === 0) return undefined;
  return {
    expression: xs.map((f) => f.expression).join(" AND "),
    names: Object.assign({}, ...xs.map((f) => f.names)),
    values: Object.assign({}, ...xs.map((f) => f.values)),
  };
}

const eq = (attr: string, value: unknown): NonNullable<PartitionQuery["filter"]> => ({ expression: `#${attr} = :${attr}`, names: { [`#${attr}`]: attr }, values: { [`:${attr}`]: value } });

/**
 * The partitions of a scoped GSI2 SEV#/GSI3 CODE# query: one, with year (and department) as a sort-key
 * prefix; or, for a department without a year, one per year the department has filings in (key
 * prefixes `<year>#<department>#`, in year order — so only that department's items are read).
 */
function scopeParts(index: string, pk: string, scope: Scope, departmentYears: readonly string[] | undefined): PartitionQuery[] {
  if (scope.department !== undefined && scope.year === undefined) return (departmentYears ?? []).map((y) => ({ index, pk, skPrefix: K.yearTextDeptPrefix(y, scope.department!) }));
  return [{ index, pk, skPrefix: K.yearDeptPrefix(scope.year, scope.department) }];
}

/** A flag as listed: the flag, its document, and its number in the document (doc.html?flag=n). */
export type FlagRow = ReturnType<typeof flagView> & { n: number; docType?: string };

export function flagRow(i: FlagItem): FlagRow {
  return { ...flagView(i), n: Number(i.n), ...(i.docType === undefined ? {} : { docType: i.docType }) };
}

export const SEVERITY_ORDER = ["error", "warning", "info"] as const;

/** One row's amounts for a classification code, as served: the stored AmountItem without its keys. */
export type AmountRow = Pick<
  AmountItem,
  "docId" | "department" | "year" | "docType" | "table" | "title" | "kind" | "unit" | "label" | "scheme" | "code" | "level" | "rawCode" | "isTotal" | "page" | "values"
>;

export function amountRow(i: AmountItem): AmountRow {
  return {
    docId: i.docId,
    department: i.department,
    year: i.year,
    docType: i.docType,
    table: i.table,
    title: i.title,
    kind: i.kind,
    unit: i.unit,
    label: i.label,
    scheme: i.scheme,
    code: i.code,
    level: i.level,
    rawCode: i.rawCode,
    isTotal: i.isTotal,
    page: i.page,
    values: i.values,
  };
}

export interface Comparison {
  scheme: string;
  code: string;
  kind: string;
  column: string;
  entries: { department: string; year?: number; docId: string; table: string; label: string[]; unit: string | null; column: string[]; value: string; text: string; page: number }[];
}

export class QueryService {
  readonly budget: ReadBudget;
  private readonly summaryReader: FlagSummaryReader;

  constructor(
    private readonly store: DocumentStore,
    opts: { readBudget?: ReadBudget; summaryBudget?: ReadBudget } = {},
  ) {
    this.budget = opts.readBudget ?? PAGE_SETTINGS.readBudget;
    this.summaryReader = new FlagSummaryReader(store, opts.summaryBudget ?? SUMMARY_SETTINGS.readBudget);
  }

  // ---- listings, paged on the server ---------------------------------------------------------
  // Each reads only what its page needs (Limit + ExclusiveStartKey), in the order of the index's
  // sort key, documented per method. Items of documents not committed (or superseded, unless asked)
  // are dropped after the read, and the read goes on until the page is full.

  /**
   * Documents, committed. Order: by department (GSI1, newest year first, then kind descending, then
   * latest ingest first) when `department` is given; otherwise every department (GSI2 DOCS: year
   * ascending, then department, kind, docId).
   */
  async documentsPage(q: { department?: string; year?: number; kind?: string }, page: Page): Promise<Paged<DocumentSummary>> {
    const filter = allOf(eq("status", "COMMITTED"), q.kind === undefined ? undefined : eq("docType", q.kind));
    const part: PartitionQuery = q.department
      ? { index: K.GSI1, pk: K.deptGsi1Pk(q.department), skPrefix: q.year === undefined ? undefined : K.deptYearPrefix(q.year), descending: true, filter }
      : { index: K.GSI2, pk: K.DOCS_GSI2_PK, skPrefix: q.year === undefined ? undefined : `${q.year}#`, filter };
    const metas = this.metaCache();
    return this.paged([part], page, async (items) => {
      // GSI reads are eventually consistent: the META (read again) says whether it is committed now and superseded.
      const m = await metas(items.map((i) => String(i.docId)));
      return items.filter((i) => m.get(String(i.docId))?.status === "COMMITTED");
    }, (i) => summary(metas.get(String(i.docId)) ?? (i as unknown as DocumentRecord)));
  }

  /** Documents that could not be read, latest ingest first. */
  async failedDocumentsPage(page: Page): Promise<Paged<DocumentSummary>> {
    return this.paged([{ index: K.GSI1, pk: K.FAILED_GSI1_PK, descending: true }], page, undefined, (i) => summary(i as unknown as DocumentRecord));
  }

  /** Flags of one document (404 when not committed: undefined), in the document's order; `n` is the flag's number. */
  async documentFlagsPage(docId: string, q: { severity?: Severity; rule?: string }, page: Page): Promise<Paged<FlagRow> | undefined> {
    if (!(await this.isCommitted(docId))) return undefined;
    const part: PartitionQuery = { pk: K.docPk(docId), skPrefix: K.SK_PREFIX.flag, filter: allOf(q.severity ? eq("severity", q.severity) : undefined, ruleFilter(q.rule)) };
    return this.paged([part], page, undefined, (i) => flagRow(i as unknown as FlagItem));
  }

  /**
   * Flags across departments, served documents only. Order: severity (error, warning, info), then
   * year, department, document and the flag's number (GSI2 SEV#… sort key).
   */
  async flagsPage(q: FlagQuery, page: Page): Promise<Paged<FlagRow>> {
    return this.paged((years) => this.flagPlan(q, years), page, this.servedFilter(q), (i) => flagRow(i as unknown as FlagItem));
  }

  /**
   * Counts of the flags `flagsPage` lists for the same filters, by severity, rule, department (and
   * year when no year is given), read with a projection (flagSummary.ts). An answer that ran out of
   * read budget says so (complete: false, nextCursor): its counts cover what was read; add the next.
   */
  async flagSummary(q: FlagQuery, page: { cursor?: string; binding: string }): Promise<FlagSummary> {
    return this.summaryReader.summarize({
      plan: (years) => this.flagPlan(q, years),
      keep: (meta) => this.served(meta, q),
      byYear: q.year === undefined,
      cursor: page.cursor,
      binding: page.binding,
    });
  }

  /** The GSI2 SEV# partitions of a flags query: severity by severity (error, warning, info), each scoped. */
  private async flagPlan(q: FlagQuery, fromCursor?: string[]): Promise<SummaryPlan> {
    const severities = q.severity ? [q.severity] : SEVERITY_ORDER;
    const y = await this.yearsPlan(q, fromCursor);
    const parts = severities.flatMap((severity) => scopeParts(K.GSI2, K.severityGsi2Pk(severity), q, y).map((p) => ({ ...p, filter: ruleFilter(q.rule), severity })));
    return { parts, years: y };
  }

  /** Amounts printed against a classification code. Order: year, department, document, table, row, side (GSI3 sort key). */
  async amountsPage(scheme: string, code: string, scope: Scope, page: Page): Promise<Paged<AmountRow>> {
    const plan = async (years?: string[]): Promise<Plan> => {
      const y = await this.yearsPlan(scope, years);
      return { parts: scopeParts(K.GSI3, K.codeGsi3Pk(scheme, code), scope, y), years: y };
    };
    return this.paged(plan, page, this.servedFilter(scope), (i) => amountRow(i as unknown as AmountItem));
  }

  /**
   * For a department without a year: the years it has filings in (as stored), read once at the first
   * page and carried by the cursor after, so every page of a walk reads the same partitions.
   */
  private async yearsPlan(scope: Scope, fromCursor: string[] | undefined): Promise<string[] | undefined> {
    if (scope.department === undefined || scope.year !== undefined) return undefined;
    if (fromCursor) return fromCursor;
    const docs = await this.store.queryIndex(K.GSI1, "gsi1pk", K.deptGsi1Pk(scope.department));
    return [...new Set(docs.map((d) => String(d.year ?? K.UNKNOWN)))].sort();
  }

  /** Reads one page over `parts` in turn (the cursor says which partition and key come next). */
  private async paged<T>(
    plan: readonly PartitionQuery[] | ((years?: string[]) => Promise<Plan>),
    page: Page,
    keep: ((items: Item[]) => Promise<Item[]>) | undefined,
    view: (i: Item) => T,
  ): Promise<Paged<T>> {
    let state: CursorState = page.cursor === undefined ? { p: 0 } : decodeCursor(page.cursor, page.binding);
    const { parts, years } = typeof plan === "function" ? await plan(state.y) : { parts: plan, years: undefined };
    if (parts.length === 0 && state.p === 0 && !state.k) return { items: [], count: 0, ...(page.cursor === undefined ? { total: 0 } : {}), page: { limit: page.limit, read: 0, requests: 0, stoppedBy: "end" } };
    if (state.p >= parts.length) throw new InvalidCursorError("its partition is not in this query");
    const items: Item[] = [];
    let read = 0;
    let requests = 0;
    let stoppedBy: PageInfo["stoppedBy"] = "end";
    let next: CursorState | undefined;
    for (;;) {
      if (read >= this.budget.items || requests >= this.budget.requests) {
        next = { p: state.p, ...(state.k ? { k: state.k } : {}) };
        stoppedBy = "readBudget";
        break;
      }
      const res = await this.store.queryPartitionPage(parts[state.p]!, {
        limit: page.limit - items.length,
        start: state.k,
        budget: { items: this.budget.items - read, requests: this.budget.requests - requests },
        keep,
      });
      items.push(...res.items);
      read += res.read;
      requests += res.requests;
      if (res.resume) {
        next = { p: state.p, k: res.resume };
        stoppedBy = res.stoppedBy;
        break;
      }
      const following: CursorState | undefined = state.p + 1 < parts.length ? { p: state.p + 1 } : undefined;
      if (!following) break;
      if (items.length >= page.limit) {
        next = following;
        stoppedBy = "limit";
        break;
      }
      state = following;
    }
    const nextCursor = next ? encodeCursor(years ? { ...next, y: years } : next, page.binding) : undefined;
    return {
      items: items.map(view),
      count: items.length,
      ...(nextCursor ? { nextCursor } : {}),
      ...(page.cursor === undefined && !nextCursor ? { total: items.length } : {}),
      page: { limit: page.limit, read, requests, stoppedBy },
    };
  }

  /** META records looked up once per request (a page loop asks again for the same documents). */
  private metaCache(): ((ids: string[]) => Promise<Map<string, DocumentRecord>>) & { get(id: string): DocumentRecord | undefined } {
    const known = new Map<string, DocumentRecord | null>();
    const fn = async (ids: string[]): Promise<Map<string, DocumentRecord>> => {
      const missing = [...new Set(ids)].filter((id) => !known.has(id));
      if (missing.length > 0) {
        const got = await this.store.getMetas(missing);
        for (const id of missing) known.set(id, got.get(id) ?? null);
      }
      return new Map(ids.flatMap((id) => (known.get(id) ? [[id, known.get(id)!] as const] : [])));
    };
    return Object.assign(fn, { get: (id: string) => known.get(id) ?? undefined });
  }

  /**
   * Keeps items of documents that are committed (and current, unless superseded ones are asked for)
   * and, when a kind is asked for, of that kind — the META's docType, which every item's document has.
   */
  private servedFilter(scope: Scope & { kind?: string }): (items: Item[]) => Promise<Item[]> {
    const metas = this.metaCache();
    return async (items) => {
      const m = await metas(items.map((i) => String(i.docId)));
      return items.filter((i) => this.served(m.get(String(i.docId)), scope));
    };
  }

  private served(meta: DocumentRecord | undefined, scope: Scope & { kind?: string }): boolean {
    return meta?.status === "COMMITTED" && (scope.includeSuperseded || !meta.supersededBy) && (scope.kind === undefined || meta.docType === scope.kind);
  }

  // ---- whole answers (internal use: compare, year over year, departments, tests) ---------------

  /** Documents of a department (optionally one year), newest upload first. */
  async documentsByDepartment(department: string, year?: number): Promise<DocumentSummary[]> {
    const items = await this.store.queryIndex(K.GSI1, "gsi1pk", K.deptGsi1Pk(department), year === undefined ? undefined : K.deptYearPrefix(year));
    return this.committedSummaries(items);
  }

  /** Documents of every department, optionally limited to a year. */
  async documents(year?: number): Promise<DocumentSummary[]> {
    const items = await this.store.queryIndex(K.GSI2, "gsi2pk", K.DOCS_GSI2_PK, year === undefined ? undefined : `${year}#`);
    return this.committedSummaries(items);
  }

  private async committedSummaries(items: Record<string, unknown>[]): Promise<DocumentSummary[]> {
    // GSI reads are eventually consistent; re-read META so status/supersededBy are current.
    const metas = await this.store.getMetas(items.map((i) => String(i.docId)));
    return [...metas.values()]
      .filter((m) => m.status === "COMMITTED")
      .map(summary)
      .sort((a, b) => (b.year ?? 0) - (a.year ?? 0) || b.uploadedAt.localeCompare(a.uploadedAt));
  }

  /** A document (committed or failed) with its table headers; undefined if unknown or not yet committed. */
  async document(docId: string): Promise<(DocumentSummary & { tables: ReturnType<typeof tableView>[] }) | undefined> {
    const meta = await this.store.getMeta(docId);
    if (!meta) return undefined;
    const tables = meta.status === "COMMITTED" ? await this.tables(docId) : [];
    return { ...summary(meta), tables: tables ?? [] };
  }

  async tables(docId: string): Promise<ReturnType<typeof tableView>[] | undefined> {
    if (!(await this.isCommitted(docId))) return undefined;
    const items = (await this.store.documentItems(docId, K.SK_PREFIX.table)) as unknown as TableItem[];
    return items.sort((a, b) => a.order - b.order).map(tableView);
  }

  async rows(docId: string, tableId: string): Promise<{ table: ReturnType<typeof tableView>; rows: Row[] } | undefined> {
    if (!(await this.isCommitted(docId))) return undefined;
    const items = await this.store.documentItems(docId, K.tableSk(tableId));
    const table = items.find((i) => i.sk === K.tableSk(tableId)) as TableItem | undefined;
    if (!table) return undefined;
    const rowItems = (await this.store.documentItems(docId, K.rowPrefix(tableId))) as unknown as RowItem[];
    return { table: tableView(table), rows: rowsFromItems(rowItems).get(tableId) ?? [] };
  }

  async documentFlags(docId: string, severity?: Severity): Promise<ReturnType<typeof flagView>[] | undefined> {
    if (!(await this.isCommitted(docId))) return undefined;
    const items = (await this.store.documentItems(docId, K.SK_PREFIX.flag)) as unknown as FlagItem[];
    return items.filter((f) => severity === undefined || f.severity === severity).map(flagView);
  }

  /** Flags of one severity across departments, optionally one year (and department). */
  async flagsBySeverity(severity: Severity, scope: Scope = {}): Promise<ReturnType<typeof flagView>[]> {
    const items = (await this.store.queryIndex(K.GSI2, "gsi2pk", K.severityGsi2Pk(severity), K.yearDeptPrefix(scope.year, scope.department))) as unknown as FlagItem[];
    const keep = await this.servedDocs(items.map((i) => i.docId), scope);
    return items.filter((i) => keep.has(i.docId)).map(flagView);
  }

  /** Amounts printed against one classification code, across departments. */
  async amountsByCode(scheme: string, code: string, scope: Scope = {}): Promise<AmountRow[]> {
    const items = (await this.store.queryIndex(K.GSI3, "gsi3pk", K.codeGsi3Pk(scheme, code), K.yearDeptPrefix(scope.year, scope.department))) as unknown as AmountItem[];
    return this.amountRows(items, scope);
  }

  private async amountRows(items: AmountItem[], scope: Scope): Promise<AmountRow[]> {
    const keep = await this.servedDocs(items.map((i) => i.docId), scope);
    return items.filter((i) => keep.has(i.docId)).map(amountRow);
  }

  /**
   * One figure per department and year for a code: the value in the column whose header path
   * contains `column` (default 合计), in the first table of the given kind that prints the code.
   */
  async compare(scheme: string, code: string, opts: Scope & { kind?: string; column?: string } = {}): Promise<Comparison> {
    const kind = opts.kind ?? "expenditure_summary";
    const column = opts.column ?? "合计";
    const rows = (await this.amountsByCode(scheme, code, opts)).filter((r) => r.kind === kind);
    const seen = new Set<string>();
    const entries: Comparison["entries"] = [];
    for (const r of rows) {
      const k = `${r.docId}`;
      if (seen.has(k)) continue;
      const v = r.values.find((x) => x.path.some((p) => p.replace(/\s+/g, "").includes(column))) ?? (opts.column === undefined ? r.values[0] : undefined);
      if (!v) continue;
      seen.add(k);
      entries.push({ department: r.department, year: r.year, docId: r.docId, table: r.table, label: r.label, unit: r.unit, column: v.path, value: v.value, text: v.text, page: r.page });
    }
    entries.sort((a, b) => a.department.localeCompare(b.department) || (a.year ?? 0) - (b.year ?? 0));
    return { scheme, code, kind, column, entries };
  }

  private async isCommitted(docId: string): Promise<boolean> {
    return (await this.store.getMeta(docId))?.status === "COMMITTED";
  }

  private async servedDocs(docIds: string[], scope: Scope): Promise<Set<string>> {
    const metas = await this.store.getMetas(docIds);
    return new Set(
      [...metas.values()].filter((m) => m.status === "COMMITTED" && (scope.includeSuperseded || !m.supersededBy)).map((m) => m.docId),
    );
  }
}
