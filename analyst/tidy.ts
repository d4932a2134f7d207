// Tidy cells: one row per numeric or text cell of every stored table, with everything an analyst
// filters on (department, year, kind, table, row label, code, column path, amount in 元, unit as
// printed, page, box). Built from the stored document model, the same for every export format.
import type { Box, DisclosureDocument, Table } from "../parsers/model.ts";
import type { Flag } from "../reconcile/flag.ts";
import { toYuan } from "./money.ts";

export interface TidyCell {
  docId: string;
  department: string;
  year: number | null;
  docType: string;
  fileName: string;
  table: string;
  tableId: string;
  title: string;
  kind: string;
  row: string;
  code: string;
  codeScheme: string;
  column: string;
  /** Exact amount converted to 元 ("" for text cells or tables without a unit). */
  amountYuan: string;
  /** The amount as printed in the table's unit. */
  value: string;
  text: string;
  unit: string;
  page: number;
  box: Box;
  isTotal: boolean;
}

export const PATH_SEPARATOR = " / ";

function rowLabelFor(table: Table, rowIdx: number, column: number): { label: string[]; code?: { code: string; scheme: string } } {
  const row = table.rows[rowIdx]!;
  const col = table.columns.find((c) => c.index === column);
  if (col?.side === "right") return { label: row.rightLabel ?? [], code: row.rightCode };
  return { label: row.label, code: row.code };
}

export function tidyCells(docId: string, doc: DisclosureDocument): TidyCell[] {
  const out: TidyCell[] = [];
  for (const table of doc.tables) {
    const columns = new Map(table.columns.map((c) => [c.index, c]));
    table.rows.forEach((row, ri) => {
      for (const cell of row.cells) {
        const col = columns.get(cell.column);
        if (col && col.role !== "value") continue; // labels and codes are in `row` / `code`
        const { label, code } = cell.label ? { label: cell.label, code: cell.code } : rowLabelFor(table, ri, cell.column);
        out.push({
          docId,
          department: doc.meta.department ?? "",
          year: doc.meta.year ?? null,
          docType: doc.meta.docType,
          fileName: doc.source.fileName,
          table: table.number,
          tableId: table.id,
          title: table.title,
          kind: table.kind,
          row: label.join(PATH_SEPARATOR),
          code: code?.code ?? "",
          codeScheme: code?.scheme ?? "",
          column: (col?.path ?? []).join(PATH_SEPARATOR),
          amountYuan: cell.value === null ? "" : toYuan(cell.value, table.unit),
          value: cell.value ?? "",
          text: cell.text,
          unit: table.unit ?? "",
          page: cell.page,
          box: cell.box,
          isTotal: row.isTotal,
        });
      }
    });
  }
  return out;
}

export interface TidyFlag {
  docId: string;
  department: string;
  year: number | null;
  docType: string;
  fileName: string;
  severity: string;
  rule: string;
  table: string;
  title: string;
  row: string;
  column: string;
  expected: string;
  actual: string;
  difference: string;
  unit: string;
  /** Where the flagged statement is (a narrative sentence's page for narrative rules). */
  page: number | null;
  /** The table cell's box "x0,y0,x1,y1" in points on `boxPage`. */
  box: string;
  /** The page `box` lies on (flags stored before boxPage existed: their box is on `page`). */
  boxPage: number | null;
  message: string;
}

export function tidyFlags(docId: string, doc: DisclosureDocument, flags: readonly Flag[]): TidyFlag[] {
  return flags.map((f) => ({
    docId,
    department: doc.meta.department ?? "",
    year: doc.meta.year ?? null,
    docType: doc.meta.docType,
    fileName: doc.source.fileName,
    severity: f.severity,
    rule: f.rule,
    table: f.table ?? "",
    title: f.title ?? "",
    row: (f.row ?? []).join(PATH_SEPARATOR),
    column: (f.column ?? []).join(PATH_SEPARATOR),
    expected: f.expected ?? "",
    actual: f.actual ?? "",
    difference: f.difference ?? "",
    unit: f.unit ?? "",
    page: f.page ?? null,
    box: f.box ? f.box.map((n) => n.toFixed(1)).join(",") : "",
    boxPage: f.box ? (f.boxPage ?? f.page ?? null) : null,
    message: f.message,
  }));
}
