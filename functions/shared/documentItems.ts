// Pure mapping between the document model (+ flags) and DynamoDB items, both ways.
// Writing is lossless: itemsToDocument(documentToItems(doc)) gives back the same DisclosureDocument,
// so the ingest can load a stored previous-year filing and hand it to checkDocument.
import { DisclosureDocument, type Row, type Table } from "../../parsers/model.ts";
import { Flag, type Severity } from "../../reconcile/flag.ts";
import * as K from "./keys.ts";
import { PARSER_VERSION } from "./parserVersion.ts";

/** Where the PDF came from (the S3 object behind the document). */
export interface SourceRef {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
  size?: number;
  /** The S3 event time (upload time): orders the documents of one series. */
  eventTime: string;
}

export type DocStatus = "COMMITTED" | "FAILED";

export interface FailureInfo {
  /** Machine code: a PdfError code (corrupt, encrypted, no_text_layer …), not_budget, invalid_model, parse_error. */
  code: string;
  message: string;
}

export interface DocumentRecord {
  pk: string;
  sk: string;
  entity: "Document";
  docId: string;
  status: DocStatus;
  source: SourceRef;
  fileName: string;
  bytes: number;
  ingestedAt: string;
  schemaVersion: number;
  department?: string;
  year?: number;
  docType: string;
  family: string;
  title?: string;
  pageCount?: number;
  producer?: string;
  creator?: string;
  tableOfContents?: string[];
  counts?: { tables: number; rows: number; cells: number; flags: number; items: number };
  flagCounts?: Record<Severity, number>;
  failure?: FailureInfo;
  /** Set when a later upload of the same department/year/docType replaced this one. */
  supersededBy?: string;
  supersedes?: string;
  /** Set once the document's alert was published (alerts are re-sent on redelivery until then). */
  alertedAt?: string;
  /** When its flags were replaced by a re-check (its previous year's filing was stored after it). */
  recheckedAt?: string;
  /** Reconciliation threw: the document is stored without flags and this says why. */
  checkError?: string;
  /** PARTIAL: stored, but the parser could not read all of it (a page over the run limit was truncated …). */
  partial?: { warnings: { code: string; message: string; page?: number }[] };
  /** The parser/rules version that produced the stored items (parserVersion.ts); absent: before versions were recorded. */
  parserVersion?: string;
  /** The current generation of the body items (keys.ts, "generations"); absent = 0, the original keys. */
  generation?: number;
  /** The current generation of the FLAG# items; absent = 0. */
  flagGeneration?: number;
  /** The highest generation number handed out for this document (new generations take the next). */
  lastGeneration?: number;
  /** When a generation was last replaced: its items are deleted once readers cannot still be reading them. */
  retiredAt?: string;
  /** When the document was last re-processed (re-parsed from its stored PDF). */
  reprocessedAt?: string;
  /**
   * What the flags were checked against across years: `<docId>@<generation>` of the previous year's
   * current filing, or "-" (none stored). A re-check is skipped while this still names that filing.
   */
  checkedAgainst?: string;
  /** Keys (alerts.ts errorKey) of the error flags already sent in alerts: a later alert sends only new ones. */
  alertedErrors?: string[];
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk?: string;
  gsi2sk?: string;
}

export interface TableItem extends Omit<Table, "rows"> {
  pk: string;
  sk: string;
  entity: "Table";
  docId: string;
  order: number;
  rowCount: number;
}

export interface RowItem extends Omit<Row, "cells"> {
  pk: string;
  sk: string;
  entity: "Row";
  docId: string;
  tableId: string;
  /** Position of the row in its table (the sort key's number). */
  position: number;
  /** Present when a row was split into several items to stay under the item size limit. */
  part?: number;
  cells: Row["cells"];
}

/** A stored flag: the Flag as checkDocument made it (every field, `boxPage` included) plus keys. */
export interface FlagItem extends Flag {
  pk: string;
  sk: string;
  entity: "Flag";
  docId: string;
  n: number;
  department: string;
  year?: number;
  docType: string;
  gsi2pk: string;
  gsi2sk: string;
}

export interface AmountValue {
  column: number;
  path: string[];
  value: string;
  text: string;
}

export interface AmountItem {
  pk: string;
  sk: string;
  entity: "Amount";
  docId: string;
  department: string;
  year?: number;
  docType: string;
  tableId: string;
  table: string;
  title: string;
  kind: string;
  unit: string | null;
  row: number;
  side: "L" | "R";
  label: string[];
  scheme: string;
  code: string;
  level: string;
  rawCode: string;
  isTotal: boolean;
  page: number;
  values: AmountValue[];
  gsi3pk: string;
  gsi3sk: string;
}

export interface ChunkItem<T> {
  pk: string;
  sk: string;
  entity: "Narrative" | "Warnings";
  docId: string;
  entries: T[];
}

export type BodyItem = TableItem | RowItem | FlagItem | AmountItem | ChunkItem<unknown>;

/** Item size budget: DynamoDB's limit is 400 KB; JSON length over-estimates the stored size, keep a margin. */
export const ITEM_SETTINGS = Object.freeze({
  maxItemBytes: 350_000,
  chunkBytes: 100_000,
});

export function itemBytes(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item), "utf8");
}

export function departmentOf(doc: Pick<DisclosureDocument, "meta"> | undefined): string {
  const d = doc?.meta.department?.trim();
  return d ? d : K.UNKNOWN;
}

function chunkBySize<T>(entries: readonly T[], maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const e of entries) {
    const s = itemBytes(e);
    if (current.length > 0 && size + s > maxBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += s;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** All items of a parsed document except its META record (which commits it). */
export function documentBodyItems(doc: DisclosureDocument, flags: readonly Flag[], docId: string = doc.source.sha256): BodyItem[] {
  const pk = K.docPk(docId);
  const department = departmentOf(doc);
  const year = doc.meta.year;
  const docType = doc.meta.docType;
  const items: BodyItem[] = [];

  doc.tables.forEach((table, order) => {
    const { rows, ...header } = table;
    items.push({ ...header, pk, sk: K.tableSk(table.id), entity: "Table", docId, order, rowCount: rows.length });
    rows.forEach((row, position) => {
      const base = { ...row, pk, sk: K.rowSk(table.id, position), entity: "Row" as const, docId, tableId: table.id, position };
      if (itemBytes(base) <= ITEM_SETTINGS.maxItemBytes) {
        items.push(base);
      } else {
        const parts = chunkBySize(row.cells, ITEM_SETTINGS.maxItemBytes - itemBytes({ ...base, cells: [] }));
        parts.forEach((cells, i) => items.push({ ...base, sk: K.rowSk(table.id, position, i + 1), part: i + 1, cells }));
      }
      for (const side of ["L", "R"] as const) {
        const amount = amountItem(table, row, position, side, { pk, docId, department, year, docType });
        if (amount) items.push(amount);
      }
    });
  });

  items.push(...flagItems(doc, flags, docId));

  chunkBySize(doc.narrative, ITEM_SETTINGS.chunkBytes).forEach((entries, i) =>
    items.push({ pk, sk: K.narrativeSk(i + 1), entity: "Narrative", docId, entries }),
  );
  chunkBySize(doc.warnings, ITEM_SETTINGS.chunkBytes).forEach((entries, i) =>
    items.push({ pk, sk: K.warningSk(i + 1), entity: "Warnings", docId, entries }),
  );
  return items;
}

/** A document's flag items, FLAG#00001… in the flags' order (also used to replace them after a re-check). */
export function flagItems(doc: Pick<DisclosureDocument, "meta">, flags: readonly Flag[], docId: string): FlagItem[] {
  const department = departmentOf(doc);
  const { year, docType } = doc.meta;
  return flags.map((flag, i) => {
    const n = i + 1;
    return {
      ...flag,
      pk: K.docPk(docId),
      sk: K.flagSk(n),
      entity: "Flag",
      docId,
      n,
      department,
      year,
      docType,
      gsi2pk: K.severityGsi2Pk(flag.severity),
      gsi2sk: K.severityGsi2Sk(year, department, docId, n),
    };
  });
}

function amountItem(
  table: Table,
  row: Row,
  position: number,
  side: "L" | "R",
  ctx: { pk: string; docId: string; department: string; year: number | undefined; docType: string },
): AmountItem | undefined {
  const code = side === "L" ? row.code : row.rightCode;
  if (!code) return undefined;
  const label = side === "L" ? row.label : (row.rightLabel ?? []);
  const sided = table.columns.some((c) => c.side !== undefined);
  const wantSide = side === "L" ? "left" : "right";
  const columns = new Map(table.columns.map((c) => [c.index, c]));
  const values: AmountValue[] = [];
  for (const cell of row.cells) {
    if (cell.value === null) continue;
    const column = columns.get(cell.column);
    if (column && column.role !== "value") continue;
    if (sided && column?.side !== wantSide) continue;
    values.push({ column: cell.column, path: column?.path ?? [], value: cell.value, text: cell.text });
  }
  return {
    pk: ctx.pk,
    sk: K.amountSk(table.id, position, side),
    entity: "Amount",
    docId: ctx.docId,
    department: ctx.department,
    year: ctx.year,
    docType: ctx.docType,
    tableId: table.id,
    table: table.number,
    title: table.title,
    kind: table.kind,
    unit: table.unit,
    row: position,
    side,
    label,
    scheme: code.scheme,
    code: code.code,
    level: code.level,
    rawCode: code.raw,
    isTotal: row.isTotal,
    page: row.page,
    values,
    gsi3pk: K.codeGsi3Pk(code.scheme, code.code),
    gsi3sk: K.codeGsi3Sk(ctx.year, ctx.department, ctx.docId, table.id, position, side),
  };
}

export function countSeverities(flags: readonly Flag[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of flags) out[f.severity] += 1;
  return out;
}

/** The META record of a successfully parsed document. Its presence with status COMMITTED commits the document. */
export function committedRecord(
  doc: DisclosureDocument,
  flags: readonly Flag[],
  source: SourceRef,
  ingestedAt: string,
  body: readonly BodyItem[],
): DocumentRecord {
  const docId = doc.source.sha256;
  const department = departmentOf(doc);
  const rows = doc.tables.reduce((n, t) => n + t.rows.length, 0);
  const cells = doc.tables.reduce((n, t) => n + t.rows.reduce((m, r) => m + r.cells.length, 0), 0);
  return {
    pk: K.docPk(docId),
    sk: K.META_SK,
    entity: "Document",
    docId,
    status: "COMMITTED",
    source,
    fileName: doc.source.fileName,
    bytes: doc.source.bytes,
    ingestedAt,
    schemaVersion: doc.schemaVersion,
    department: doc.meta.department,
    year: doc.meta.year,
    docType: doc.meta.docType,
    family: doc.meta.family,
    title: doc.meta.title,
    pageCount: doc.source.pageCount,
    producer: doc.source.producer,
    creator: doc.source.creator,
    tableOfContents: doc.meta.tableOfContents,
    ...(doc.warnings.length > 0 ? { partial: { warnings: doc.warnings.slice(0, 20) } } : {}),
    parserVersion: PARSER_VERSION,
    counts: { tables: doc.tables.length, rows, cells, flags: flags.length, items: body.length + 1 },
    flagCounts: countSeverities(flags),
    gsi1pk: K.deptGsi1Pk(department),
    gsi1sk: K.deptGsi1Sk(doc.meta.year, doc.meta.docType, ingestedAt, docId),
    gsi2pk: K.DOCS_GSI2_PK,
    gsi2sk: K.docsGsi2Sk(doc.meta.year, department, doc.meta.docType, docId),
  };
}

/** The META record of a PDF that could not be turned into a document. */
export function failedRecord(
  docId: string,
  source: SourceRef,
  fileName: string,
  bytes: number,
  ingestedAt: string,
  failure: FailureInfo,
): DocumentRecord {
  return {
    pk: K.docPk(docId),
    sk: K.META_SK,
    entity: "Document",
    docId,
    status: "FAILED",
    source,
    fileName,
    bytes,
    ingestedAt,
    schemaVersion: 1,
    docType: "unknown",
    family: "unknown",
    failure,
    parserVersion: PARSER_VERSION,
    gsi1pk: K.FAILED_GSI1_PK,
    gsi1sk: K.failedGsi1Sk(ingestedAt, docId),
  };
}

const STORAGE_FIELDS = ["pk", "sk", "entity", "docId", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"] as const;

function strip<T extends object>(item: T, extra: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(item as Record<string, unknown>) };
  for (const k of [...STORAGE_FIELDS, ...extra]) delete out[k];
  return out;
}

/** Public view of a table item (no storage keys). */
export const tableView = (t: TableItem): Omit<Table, "rows"> & { rowCount: number } =>
  strip(t, ["order"]) as unknown as Omit<Table, "rows"> & { rowCount: number };
/**
 * Public view of a flag item: the Flag (with `box` on `boxPage`, `page` where the statement is),
 * its document (docId, department, year, docType: 预算/决算) and `n`, its 1-based number in the
 * document's flags (= the order of the document model's flags), so a view can filter by kind and
 * open the document with that very flag selected.
 */
export const flagView = (f: FlagItem): Flag & { docId: string; department: string; year?: number; docType: string; n: number } => {
  const out = strip(f);
  out.docId = f.docId;
  return out as unknown as Flag & { docId: string; department: string; year?: number; docType: string; n: number };
};

/** Merges a row's parts (if it was split) back into Row objects, in order. */
export function rowsFromItems(items: readonly RowItem[]): Map<string, Row[]> {
  const byTable = new Map<string, RowItem[]>();
  for (const it of [...items].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0))) {
    const list = byTable.get(it.tableId) ?? [];
    const last = list.at(-1);
    if (last && last.position === it.position && it.part !== undefined) last.cells = [...last.cells, ...it.cells];
    else list.push({ ...it, cells: [...it.cells] });
    byTable.set(it.tableId, list);
  }
  const out = new Map<string, Row[]>();
  for (const [tableId, list] of byTable) out.set(tableId, list.map((r) => strip(r, ["tableId", "position", "part"]) as unknown as Row));
  return out;
}

/**
 * Rebuilds the DisclosureDocument (validated) and its flags from a document's stored items. The META
 * among them, when they were read whole (documentItems without a prefix), is the one they belong
 * to and is used before `stored`, which the caller may have read before a replacement.
 */
export function itemsToDocument(stored: DocumentRecord, items: readonly Record<string, unknown>[]): { document: DisclosureDocument; flags: Flag[] } {
  const meta = (items.find((i) => i.sk === K.META_SK && i.docId === stored.docId) as DocumentRecord | undefined) ?? stored;
  const of = <T>(entity: string): T[] =>
    items.filter((i) => i.entity === entity).sort((a, b) => String(a.sk).localeCompare(String(b.sk))) as T[];
  const rows = rowsFromItems(of<RowItem>("Row"));
  const tables = of<TableItem>("Table")
    .sort((a, b) => a.order - b.order)
    .map((t) => ({ ...(strip(t, ["order", "rowCount"]) as unknown as Omit<Table, "rows">), rows: rows.get(t.id) ?? [] }));
  const narrative = of<ChunkItem<unknown>>("Narrative").flatMap((c) => c.entries);
  const warnings = of<ChunkItem<unknown>>("Warnings").flatMap((c) => c.entries);
  const flags = of<FlagItem>("Flag").map((f) => Flag.parse(strip(f, ["n", "department", "year", "docType"])));
  const document = DisclosureDocument.parse({
    schemaVersion: meta.schemaVersion,
    source: {
      fileName: meta.fileName,
      sha256: meta.docId,
      bytes: meta.bytes,
      pageCount: meta.pageCount ?? 0,
      producer: meta.producer,
      creator: meta.creator,
    },
    meta: {
      title: meta.title,
      department: meta.department,
      year: meta.year,
      docType: meta.docType,
      family: meta.family,
      tableOfContents: meta.tableOfContents ?? [],
    },
    tables,
    narrative,
    warnings,
  });
  return { document, flags };
}

/** JSON with object keys sorted and undefined members left out: equal for equal values however stored. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The generation of a document's body items and of its flags, as its META names them. */
export function generationsOf(meta: Pick<DocumentRecord, "generation" | "flagGeneration"> | undefined): { body: number; flags: number } {
  return { body: meta?.generation ?? 0, flags: meta?.flagGeneration ?? 0 };
}

/** What a document's flags were checked against: the previous year's filing and its generation, or "-". */
export function checkedAgainstOf(previous: Pick<DocumentRecord, "docId" | "generation" | "flagGeneration"> | undefined): string {
  return previous ? `${previous.docId}@${previous.generation ?? 0}` : "-";
}

/**
 * Whether an item read from the table or an index (by its stored sort key) belongs to the generation
 * its document's META names — readers that query the table themselves keep only these (documents
 * without META: true, callers drop those). META and the lease are always current.
 */
export function isCurrentGeneration(storedSk: string, meta: Pick<DocumentRecord, "generation" | "flagGeneration"> | undefined): boolean {
  const { generation, sk } = K.parseGenerationSk(storedSk);
  if (generation === 0 && K.isDocumentControlSk(sk)) return true;
  if (!meta) return true;
  const gens = generationsOf(meta);
  return generation === (K.isFlagSk(sk) ? gens.flags : gens.body);
}
