// Which grid rows are header, which is the `※ 1 2 3` numbering row, and each logical
// column's header path. A row is body as soon as it carries an amount, a classification code
// in its first column, or a total label in its first column (empty tables print only 合计).
import { labelKey } from "../text/normalizeLabel.ts";
import { parseAmount } from "./amounts.ts";
import { parseCode } from "./codes.ts";
import { cellAt, textAt, type Grid } from "./grid.ts";

const TOTAL_LABEL = /^(.{0,8}(合计|总计|小计)|收入总计|支出总计)$/u;
const NUMBERING_TOKEN = /^(※|\*|栏次|行次|甲|乙|丙|丁|\d{1,2})$/u;

export function isTotalLabel(text: string): boolean {
  return TOTAL_LABEL.test(labelKey(text));
}

/** `※ ※ ※ 1 2 3`, `栏次 1 2 3`: at least two column numbers and nothing else. */
export function isNumberingRow(grid: Grid, r: number): boolean {
  let numbers = 0;
  let nonEmpty = 0;
  for (let c = 0; c < grid.cols; c++) {
    const cell = cellAt(grid, r, c);
    if (!cell || cell.row !== r || (c > 0 && cellAt(grid, r, c - 1) === cell)) continue;
    const t = labelKey(textAt(grid, r, c));
    if (t === "") continue;
    nonEmpty++;
    const tokens = t.match(/※|\*|栏次|行次|\d{1,2}|甲|乙|丙|丁|./gu) ?? [];
    if (!tokens.every((tok) => NUMBERING_TOKEN.test(tok))) return false;
    numbers += tokens.filter((tok) => /^\d+$/u.test(tok)).length;
  }
  return nonEmpty > 0 && numbers >= 2;
}

export function isBodyRow(grid: Grid, r: number): boolean {
  const first = labelKey(textAt(grid, r, 0));
  if (first !== "" && parseCode([first]) !== null) return true;
  let otherText = false;
  for (let c = 1; c < grid.cols; c++) {
    const cell = cellAt(grid, r, c);
    if (!cell || cell.row !== r || cell === cellAt(grid, r, 0)) continue;
    const t = textAt(grid, r, c);
    if (parseAmount(t) !== null) return true; // numbering rows (※ 1 2 3) are recognised before this
    if (t !== "") otherText = true;
  }
  // `合计` alone (an empty table's total row) is body; `合计 基本支出 项目支出` is a header.
  if (first !== "" && isTotalLabel(first) && !otherText) return true;
  // A code split over 类/款/项 columns: "208" "01" "99" in the first cells.
  const lead = [0, 1, 2].map((c) => textAt(grid, r, c)).filter((t) => t !== "");
  return lead.length > 0 && /^\d{3}$/u.test(lead[0]!.trim()) && parseCode(lead) !== null;
}

export interface HeaderShape {
  /** Grid rows 0..headerRows-1 are header (numbering rows included). */
  headerRows: number;
  numberingRows: number[];
}

export function findHeaderShape(grid: Grid, allRowsAreBody: boolean): HeaderShape {
  const numberingRows: number[] = [];
  if (allRowsAreBody) return { headerRows: 0, numberingRows };
  let r = 0;
  for (; r < grid.rows; r++) {
    if (isNumberingRow(grid, r)) {
      numberingRows.push(r);
      continue;
    }
    if (isBodyRow(grid, r)) break;
  }
  return { headerRows: r, numberingRows };
}

/** A logical column: consecutive grid columns under one leaf header cell. */
export interface LogicalColumn {
  gridCols: number[];
  x0: number;
  x1: number;
  path: string[];
  number?: string;
}

export function logicalColumns(grid: Grid, shape: HeaderShape): LogicalColumn[] {
  const pathRows: number[] = [];
  for (let r = 0; r < shape.headerRows; r++) if (!shape.numberingRows.includes(r)) pathRows.push(r);
  const leafRow = pathRows[pathRows.length - 1];
  const out: LogicalColumn[] = [];
  for (let c = 0; c < grid.cols; c++) {
    const leaf = leafRow === undefined ? undefined : cellAt(grid, leafRow, c);
    const prev = out[out.length - 1];
    const prevLeaf = leafRow === undefined || c === 0 ? undefined : cellAt(grid, leafRow, c - 1);
    const x0 = grid.raw.colEdges[c]!;
    const x1 = grid.raw.colEdges[c + 1]!;
    if (prev && leaf && leaf === prevLeaf) {
      prev.gridCols.push(c);
      prev.x1 = x1;
      continue;
    }
    const path: string[] = [];
    let last: unknown;
    for (const r of pathRows) {
      const cell = cellAt(grid, r, c);
      if (!cell || cell === last) continue;
      last = cell;
      const t = textAt(grid, r, c);
      if (t !== "") path.push(t);
    }
    const numberRow = shape.numberingRows[0];
    const number = numberRow === undefined ? undefined : textAt(grid, numberRow, c) || undefined;
    out.push({ gridCols: [c], x0, x1, path, ...(number ? { number } : {}) });
  }
  return out;
}

/**
 * A leaf header merged over several grid columns (`项目名称` over a category column and an item
 * column) is one logical column only if the body never prints separate texts under it; when it
 * does, each grid column becomes its own logical column with the same header path.
 */
export function splitColumnsByBody(grid: Grid, columns: readonly LogicalColumn[], fromRow: number): LogicalColumn[] {
  return columns.flatMap((col) => {
    if (col.gridCols.length < 2) return [col];
    const separate = Array.from({ length: grid.rows - fromRow }, (_, i) => fromRow + i).some((r) => {
      const starts = new Set(col.gridCols.map((c) => cellAt(grid, r, c)).filter((cell) => cell !== undefined && cell.lines.length > 0));
      return starts.size > 1;
    });
    if (!separate) return [col];
    return col.gridCols.map((c) => ({ ...col, gridCols: [c], x0: grid.raw.colEdges[c]!, x1: grid.raw.colEdges[c + 1]! }));
  });
}
