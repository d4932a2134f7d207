// Export formats over tidy cells and flags: CSV (RFC 4180, UTF-8 with BOM so Excel reads the Han
// text), JSON Lines, and XLSX — a cells sheet, a flags sheet and one sheet per table as printed,
// with the header rebuilt from the column paths (merged cells as in the PDF).
import type { DisclosureDocument, Table } from "../parsers/model.ts";
import type { Flag } from "../reconcile/flag.ts";
import { headerGrid, printedRow } from "../web/js/headerGrid.js";
import { tidyCells, tidyFlags, type TidyCell, type TidyFlag } from "./tidy.ts";

export const CELL_COLUMNS = ["department", "year", "docType", "table", "title", "kind", "row", "code", "codeScheme", "column", "amountYuan", "value", "text", "unit", "page", "box", "isTotal", "fileName", "docId"] as const;
export const FLAG_COLUMNS = ["department", "year", "docType", "severity", "rule", "table", "title", "row", "column", "expected", "actual", "difference", "unit", "page", "box", "boxPage", "message", "fileName", "docId"] as const;

export interface ExportDocument {
  docId: string;
  model: DisclosureDocument;
  flags: readonly Flag[];
}

function quote(field: string): string {
  return /[",\n\r]/u.test(field) ? `"${field.replace(/"/gu, '""')}"` : field;
}

function field(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map((n) => (typeof n === "number" ? n.toFixed(1) : String(n))).join(",");
  return String(v);
}

export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.join(",")];
  for (const r of rows) lines.push(columns.map((c) => quote(field(r[c]))).join(","));
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}

export function toJsonl(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length > 0 ? "\n" : "");
}

export function collect(docs: readonly ExportDocument[]): { cells: TidyCell[]; flags: TidyFlag[] } {
  return {
    cells: docs.flatMap((d) => tidyCells(d.docId, d.model)),
    flags: docs.flatMap((d) => tidyFlags(d.docId, d.model, d.flags)),
  };
}

/** Excel sheet names: ≤ 31 characters, none of []:*?/\ , unique in the workbook. */
export function sheetName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[[\]:*?/\\]/g, "_").slice(0, 31) || "sheet";
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)}~${i}`;
  taken.add(name.toLowerCase());
  return name;
}

/** A table as printed: header rows (merged as in the PDF) then one worksheet row per table row. */
export function printedTableGrid(table: Table): { header: ReturnType<typeof headerGrid>; body: (string | number | null)[][] } {
  const header = headerGrid(table.columns);
  // Amounts as numbers (Excel sums them); the exact decimal string is in the cells sheet.
  const body = table.rows.map((row) => printedRow(table, row).map(({ text, cell }) => (cell?.value != null ? Number(cell.value) : text === "" ? null : text)));
  return { header, body };
}

export async function toXlsx(docs: readonly ExportDocument[]): Promise<Uint8Array> {
  const ExcelJS = (await import("exceljs")).default;
  const wb = new ExcelJS.Workbook();
  wb.creator = "budgetlens";
  const taken = new Set<string>();
  const { cells, flags } = collect(docs);

  const cellSheet = wb.addWorksheet(sheetName("cells", taken), { views: [{ state: "frozen", ySplit: 1 }] });
  cellSheet.columns = CELL_COLUMNS.map((c) => ({ header: c, key: c, width: c === "title" || c === "row" || c === "column" ? 30 : 14 }));
  for (const c of cells) cellSheet.addRow(CELL_COLUMNS.map((k) => (k === "amountYuan" && c.amountYuan !== "" ? Number(c.amountYuan) : k === "page" ? c.page : field(c[k]))));
  cellSheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: CELL_COLUMNS.length } };

  const flagSheet = wb.addWorksheet(sheetName("flags", taken), { views: [{ state: "frozen", ySplit: 1 }] });
  flagSheet.columns = FLAG_COLUMNS.map((c) => ({ header: c, key: c, width: c === "message" ? 60 : 14 }));
  for (const f of flags) flagSheet.addRow(FLAG_COLUMNS.map((k) => field(f[k])));
  flagSheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: FLAG_COLUMNS.length } };

  docs.forEach((d, di) => {
    for (const table of d.model.tables) {
      const prefix = docs.length > 1 ? `${di + 1} ` : "";
      const ws = wb.addWorksheet(sheetName(`${prefix}${table.number}`, taken));
      ws.addRow([table.title]);
      ws.addRow([`${d.model.meta.department ?? ""} ${d.model.meta.year ?? ""}  单位：${table.unit ?? "—"}  页 ${table.pages.join(",")}`]);
      const top = 3;
      const { header, body } = printedTableGrid(table);
      for (const h of header.cells) {
        const r = top + h.row;
        const c = 1 + h.col;
        ws.getCell(r, c).value = h.text;
        ws.getCell(r, c).alignment = { horizontal: "center", vertical: "middle", wrapText: true };
        ws.getCell(r, c).font = { bold: true };
        if (h.rowSpan > 1 || h.colSpan > 1) ws.mergeCells(r, c, r + h.rowSpan - 1, c + h.colSpan - 1);
      }
      body.forEach((line, i) => {
        const row = ws.getRow(top + header.depth + i);
        line.forEach((v, j) => {
          if (v !== null) row.getCell(j + 1).value = v;
        });
      });
      table.columns.forEach((col, j) => (ws.getColumn(j + 1).width = col.role === "value" ? 14 : 28));
      if (table.note) ws.addRow([table.note]);
    }
  });
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

export type { TidyCell, TidyFlag };
