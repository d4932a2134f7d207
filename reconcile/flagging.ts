// Building flags: one place that turns a comparison into a Flag with the table, row, column, page,
// box, exact expected/actual/difference in the table's unit, and a bilingual message.
import type { Column, Row, Table, Unit } from "../parsers/model.ts";
import type { Flag, Severity } from "./flag.ts";
import { formatMicro, type Amount } from "./money.ts";
import { cellOf, type SideRow, type SideView } from "./tableIndex.ts";
import type { Comparison } from "./tolerance.ts";

export type Where = {
  table?: Table;
  row?: Row;
  /** The row's label as seen from its side (two-sided tables). */
  rowLabel?: string[];
  column?: Column;
  page?: number;
};

export function whereOf(view: SideView, r: SideRow | undefined, column?: Column): Where {
  return { table: view.table, ...(r ? { row: r.row, rowLabel: r.label } : {}), ...(column ? { column } : {}) };
}

type Located = Pick<Flag, "table" | "title" | "kind" | "page" | "row" | "column" | "box" | "boxPage">;

/**
 * Table, row, column, page and box of a finding. `box` always comes with `boxPage` (the page the
 * box lies on); an explicit `w.page` (a narrative sentence's page) moves `page` only, never the box.
 */
export function locate(w: Where): Located {
  const out: Located = {};
  if (w.table) {
    out.table = w.table.number;
    out.title = w.table.title;
    out.kind = w.table.kind;
    out.page = w.table.pages[0];
  }
  if (w.row) {
    out.page = w.row.page;
    out.row = w.rowLabel ?? w.row.label;
    const cell = w.column ? cellOf(w.row, w.column) : undefined;
    if (cell) {
      out.page = cell.page;
      out.box = cell.box;
      out.boxPage = cell.page;
    } else if (w.row.cells[0]) {
      // No printed cell (a blank where a figure belongs): point at the row — the part of it on the
      // row's page (a row is printed on one page; cells elsewhere would make a box of nothing).
      const onPage = w.row.cells.filter((c) => c.page === w.row!.page);
      const xs = (onPage.length > 0 ? onPage : w.row.cells).map((c) => c.box);
      out.boxPage = onPage.length > 0 ? w.row.page : w.row.cells[0].page;
      out.box = [Math.min(...xs.map((b) => b[0])), Math.min(...xs.map((b) => b[1])), Math.max(...xs.map((b) => b[2])), Math.max(...xs.map((b) => b[3]))];
    }
  }
  if (w.column) out.column = w.column.path;
  if (w.page !== undefined) out.page = w.page;
  return out;
}

export type CompareFlagInput = {
  rule: string;
  where: Where;
  cmp: Comparison;
  expected: bigint;
  actual: Amount | bigint;
  unit: Unit;
  /** What is being compared, Chinese and English, e.g. ["类 = Σ 款", "class = sum of its items"]. */
  zh: string;
  en: string;
  /** Severity when the difference exceeds rounding (default error). */
  mismatch?: Severity;
};

/** A flag for a comparison, or null when the figures agree exactly. Rounding-size gaps are info. */
export function compareFlag(i: CompareFlagInput): Flag | null {
  if (i.cmp.verdict === "equal") return null;
  const actual = typeof i.actual === "bigint" ? i.actual : i.actual.value;
  const severity: Severity = i.cmp.verdict === "rounding" ? "info" : (i.mismatch ?? "error");
  const exp = formatMicro(i.expected, i.unit);
  const act = formatMicro(actual, i.unit);
  const diff = formatMicro(actual - i.expected, i.unit);
  const bound = formatMicro(i.cmp.bound, i.unit, 2);
  const tail = i.cmp.verdict === "rounding"
    ? `差额 ${diff} ${i.unit} 在印刷数字的舍入范围内（±${bound}）/ difference ${diff} ${i.unit} is within the printed numbers' rounding (±${bound})`
    : `应为 ${exp}，实为 ${act}，相差 ${diff} ${i.unit} / expected ${exp}, printed ${act}, off by ${diff} ${i.unit}`;
  return {
    severity,
    rule: i.rule,
    ...locate(i.where),
    expected: exp,
    actual: act,
    difference: diff,
    unit: i.unit,
    message: `${i.zh}：${tail}（${i.en}）`,
  };
}

export function plainFlag(severity: Severity, rule: string, where: Where, zh: string, en: string, extra: Partial<Flag> = {}): Flag {
  return { severity, rule, ...locate(where), ...extra, message: `${zh} / ${en}` };
}
