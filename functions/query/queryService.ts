// The analysts' questions over the store. Serves committed documents only: every answer drawn from a
// GSI is checked against the documents' META records (see keys.ts), so a half-written document —
// index items present, META not yet — never appears.
import type { Row } from "../../parsers/model.ts";
import type { Severity } from "../../reconcile/flag.ts";
import * as K from "../shared/keys.ts";
import { flagView, rowsFromItems, tableView, type AmountItem, type DocumentRecord, type FlagItem, type RowItem, type TableItem } from "../shared/documentItems.ts";
import type { DocumentStore } from "../shared/documentStore.ts";

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

export interface Page {
  limit: number;
  cursor?: string;
}

/** One row's amounts for a classification code, as served: the stored AmountItem without its keys. */
export type AmountRow = Pick<
  AmountItem,
  "docId" | "department" | "year" | "docType" | "table" | "title" | "kind" | "unit" | "label" | "scheme" | "code" | "level" | "rawCode" | "isTotal" | "page" | "values"
>;

export interface Comparison {
  scheme: string;
  code: string;
  kind: string;
  column: string;
  entries: { department: string; year?: number; docId: string; table: string; label: string[]; unit: string | null; column: string[]; value: string; text: string; page: number }[];
}

export class QueryService {
  constructor(private readonly store: DocumentStore) {}

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

  async failedDocuments(): Promise<DocumentSummary[]> {
    const items = await this.store.queryIndex(K.GSI1, "gsi1pk", K.FAILED_GSI1_PK);
    return items.map((i) => summary(i as unknown as DocumentRecord)).sort((a, b) => b.ingestedAt.localeCompare(a.ingestedAt));
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

  /** One page of flagsBySeverity (the HTTP endpoint pages; a page may hold fewer than `limit` served flags). */
  async flagsBySeverityPage(severity: Severity, scope: Scope, page: Page): Promise<{ items: ReturnType<typeof flagView>[]; next?: string }> {
    const res = await this.store.queryIndexPage(K.GSI2, "gsi2pk", K.severityGsi2Pk(severity), K.yearDeptPrefix(scope.year, scope.department), page);
    const items = res.items as unknown as FlagItem[];
    const keep = await this.servedDocs(items.map((i) => i.docId), scope);
    return { items: items.filter((i) => keep.has(i.docId)).map(flagView), next: res.next };
  }

  /** One page of amountsByCode. */
  async amountsByCodePage(scheme: string, code: string, scope: Scope, page: Page): Promise<{ items: AmountRow[]; next?: string }> {
    const res = await this.store.queryIndexPage(K.GSI3, "gsi3pk", K.codeGsi3Pk(scheme, code), K.yearDeptPrefix(scope.year, scope.department), page);
    return { items: await this.amountRows(res.items as unknown as AmountItem[], scope), next: res.next };
  }

  /** Amounts printed against one classification code, across departments. */
  async amountsByCode(scheme: string, code: string, scope: Scope = {}): Promise<AmountRow[]> {
    const items = (await this.store.queryIndex(K.GSI3, "gsi3pk", K.codeGsi3Pk(scheme, code), K.yearDeptPrefix(scope.year, scope.department))) as unknown as AmountItem[];
    return this.amountRows(items, scope);
  }

  private async amountRows(items: AmountItem[], scope: Scope): Promise<AmountRow[]> {
    const keep = await this.servedDocs(items.map((i) => i.docId), scope);
    return items
      .filter((i) => keep.has(i.docId))
      .map((i) => ({
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
      }));
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
