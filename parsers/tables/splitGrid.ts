// Some producers (Word) draw several tables as one connected ruled grid, with each table's
// title (`五、2018年度…财政拨款支出预算表`) and 单位 as full-width rows inside it; others put
// the title inside the grid's first rows. Cut a grid at such rows into one part per table.
import type { RawCell, RawTable } from "../layout/rawTable.ts";
import { readHeadingLine } from "./headings.ts";
import { cellsStartingInRow, toGrid } from "./grid.ts";
import type { Unit } from "../model.ts";
import { joinWrappedLines } from "../text/normalizeLabel.ts";

export interface GridHeading {
  number?: string;
  title?: string;
  unit?: Unit;
  department?: string;
}

export interface GridPart {
  /** Heading read from rows inside the grid (null when the part starts with no such rows). */
  heading: GridHeading | null;
  grid: RawTable;
}

/** A row holding one text (a title, 单位：万元, `(2023年度)`), across most of the grid. */
function headingRowText(cells: readonly RawCell[], gridCols: number): string | null {
  const withText = cells.filter((c) => c.lines.length > 0);
  if (withText.length !== 1) return null;
  const cell = withText[0]!;
  if (cell.colSpan * 2 < gridCols && cells.length > 1) return null;
  return joinWrappedLines(cell.lines);
}

export function splitAtTitleRows(raw: RawTable): GridPart[] {
  const grid = toGrid(raw);
  const starts: { row: number; end: number; heading: GridHeading }[] = [];
  let r = 0;
  while (r < grid.rows) {
    const heading: GridHeading = {};
    let end = r;
    while (end < grid.rows) {
      const text = headingRowText(cellsStartingInRow(grid, end), grid.cols);
      if (text === null) break;
      const read = readHeadingLine(text);
      const yearNote = /^[(（]?\s*20\d\d\s*年度?\s*[)）]?$/u.test(text);
      if (!read.matched && !yearNote) break;
      if (read.title && heading.title) break; // the next table's title
      if (read.title) heading.title = read.title;
      if (read.number) heading.number = read.number;
      if (read.unit) heading.unit = read.unit;
      if (read.department) heading.department = read.department;
      end++;
    }
    if (end > r && (heading.title || heading.number || (r === 0 && (heading.unit || heading.department)))) {
      starts.push({ row: r, end, heading });
      r = end;
    } else r++;
  }
  if (starts.length === 0) return [{ heading: null, grid: raw }];
  const parts: GridPart[] = [];
  if (starts[0]!.row > 0) parts.push({ heading: null, grid: sliceRows(raw, 0, starts[0]!.row) });
  starts.forEach((s, i) => {
    const until = starts[i + 1]?.row ?? grid.rows;
    if (until > s.end || s.heading.title) parts.push({ heading: s.heading, grid: sliceRows(raw, s.end, until) });
  });
  return parts;
}

/** Grid rows [from, to) as a table of their own; cells crossing the cut are clipped. */
export function sliceRows(raw: RawTable, from: number, to: number): RawTable {
  const rowEdges = raw.rowEdges.slice(from, to + 1);
  const cells: RawCell[] = [];
  for (const cell of raw.cells) {
    const top = Math.max(cell.row, from);
    const bottom = Math.min(cell.row + cell.rowSpan, to);
    if (bottom <= top) continue;
    const clipped = cell.row === top && bottom === cell.row + cell.rowSpan;
    cells.push({ ...cell, row: top - from, rowSpan: bottom - top, ...(clipped ? {} : { lines: cell.row === top ? cell.lines : [], runs: cell.row === top ? cell.runs : [] }) });
  }
  return {
    ...raw,
    y0: rowEdges[0] ?? raw.y0,
    y1: rowEdges[rowEdges.length - 1] ?? raw.y1,
    rowEdges,
    cells,
  };
}
