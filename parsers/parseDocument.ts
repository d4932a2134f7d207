// PDF bytes → DisclosureDocument: pages (pdfjs) → layouts (grids) → located tables →
// assembled tables → meta and narrative, validated by the zod model before it leaves.
import { createHash } from "node:crypto";
import { locateTables, type TableDraft } from "./document/locateTables.ts";
import { isTableOfContentsPage, readMeta, tableOfContentsEntries } from "./document/meta.ts";
import { NotADisclosureError } from "./document/notADisclosure.ts";
import { layoutPage } from "./layout/layoutPage.ts";
import type { PageLayout } from "./layout/rawTable.ts";
import { DisclosureDocument, type Table, type Unit } from "./model.ts";
import { PdfError } from "./pdf/errors.ts";
import type { PdfLimits } from "./pdf/limits.ts";
import { openPdf } from "./pdf/loadPdf.ts";
import { assembleTable } from "./tables/assembleTable.ts";
import { kindOfTitle } from "./tables/kinds.ts";
import { DEFAULT_TABLE_SETTINGS, type TableSettings } from "./tables/settings.ts";
import { normalizeLabel } from "./text/normalizeLabel.ts";

export interface ParseOptions {
  fileName: string;
  limits?: Partial<PdfLimits>;
  tableSettings?: Partial<TableSettings>;
  /** Called after each page is laid out (progress bars). */
  onPage?: (pageNumber: number, pageCount: number) => void;
  /** Stops the parse between pages (pdfjs cannot be interrupted inside one): the Lambda's time budget. */
  signal?: AbortSignal;
}

export async function parseDocument(bytes: Uint8Array, opts: ParseOptions): Promise<DisclosureDocument> {
  const settings = { ...DEFAULT_TABLE_SETTINGS, ...opts.tableSettings };
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const pdf = await openPdf(bytes, opts.limits);
  const warnings: DisclosureDocument["warnings"] = [];
  const layouts: PageLayout[] = [];
  let runs = 0;
  try {
    for (let n = 1; n <= pdf.pageCount; n++) {
      opts.signal?.throwIfAborted();
      const page = await pdf.readPage(n);
      runs += page.runs.length;
      for (const w of (page as { warnings?: string[] }).warnings ?? []) warnings.push({ code: "page", message: w, page: n });
      layouts.push(layoutPage(page));
      opts.onPage?.(n, pdf.pageCount);
    }
  } finally {
    await pdf.close();
  }
  if (runs === 0) {
    throw new PdfError("no_text_layer", `No text layer on any of the ${pdf.pageCount} pages: a scanned or image-only PDF needs OCR before it can be read.`);
  }
  const lineTexts = (l: PageLayout) => [...l.outsideLines].sort((a, b) => a.y0 - b.y0).map((x) => x.text);
  const tocPages = new Set(layouts.filter((l) => isTableOfContentsPage(lineTexts(l))).map((l) => l.pageNumber));
  const toc = layouts.filter((l) => tocPages.has(l.pageNumber)).flatMap((l) => tableOfContentsEntries(lineTexts(l)));
  const located = locateTables(layouts, tocPages, settings);
  const drafts = located.drafts.filter((d) => d.title !== "" || hasAmounts(d));
  const unitFallback = mostCommonUnit(drafts);
  const tables: Table[] = drafts.map((d, i) => toTable(d, i, unitFallback, settings));
  nameProjectPerformanceTables(tables);
  const meta = readMeta(
    layouts.slice(0, 3).flatMap(lineTexts),
    tables.map((t) => t.title),
    tables.flatMap((t) => (t.department ? [t.department] : [])),
    toc,
    opts.fileName,
  );
  const budgetTables = tables.filter((t) => t.kind !== "other").length;
  if (budgetTables === 0 && meta.docType === "unknown") {
    throw new NotADisclosureError(`Not a budget disclosure: no 预算/决算 tables and no budget wording in ${pdf.pageCount} pages.`);
  }
  return DisclosureDocument.parse({
    schemaVersion: 1,
    source: {
      fileName: opts.fileName,
      sha256,
      bytes: bytes.byteLength,
      pageCount: pdf.pageCount,
      ...(pdf.info.producer ? { producer: pdf.info.producer } : {}),
      ...(pdf.info.creator ? { creator: pdf.info.creator } : {}),
    },
    meta,
    tables,
    narrative: located.narrative,
    warnings,
  });
}

function hasAmounts(d: TableDraft): boolean {
  return d.grids.some((g) => g.cells.some((c) => c.lines.some((l) => /\d[\d,]*\.\d\d/u.test(l))));
}

function mostCommonUnit(drafts: readonly TableDraft[]): Unit | null {
  const yuan = drafts.filter((d) => d.unit === "元").length;
  const wan = drafts.filter((d) => d.unit === "万元").length;
  return yuan === 0 && wan === 0 ? null : wan >= yuan ? "万元" : "元";
}

function toTable(d: TableDraft, i: number, unitFallback: Unit | null, settings: TableSettings): Table {
  const id = `t${String(i + 1).padStart(2, "0")}`;
  const title = d.title === "" ? `(untitled table on page ${d.grids[0]?.pageNumber ?? d.page})` : d.title;
  const identity = {
    id,
    number: d.number ?? (d.title === "" ? id : d.title),
    title,
    kind: kindOfTitle(d.title),
    ...(d.department ? { department: d.department } : {}),
    unit: d.unit ?? null,
    note: d.note,
  };
  if (d.grids.length === 0) {
    return { ...identity, pages: [d.page], method: "lattice", columns: [], rows: [], empty: true, remarks: ["no grid printed: the table is replaced by its note"] };
  }
  const table = assembleTable(identity, d.grids, settings);
  if (table.unit === null && unitFallback !== null && !table.empty) {
    table.unit = unitFallback;
    table.remarks.push(`no 单位 printed: assumed ${unitFallback}, the unit most tables of this document print`);
  }
  return table;
}

/** 项目支出绩效目标表 are one per project: number them by the project they describe. */
function nameProjectPerformanceTables(tables: Table[]): void {
  for (const t of tables) {
    if (t.kind !== "performance_project") continue;
    const name = t.form?.find((e) => /^项目名称$/u.test(e.key))?.value;
    // Forms print the 项目负责人 beside the name, sometimes in the same cell.
    if (name) t.number = `项目支出绩效目标表:${normalizeLabel(name).replace(/(项目)?负责人.*$|联系(人|电话).*$/u, "")}`;
  }
}
