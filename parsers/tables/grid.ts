// Slot lookups over a RawTable: which cell covers grid row r, column c, and its joined text.
import type { RawCell, RawTable } from "../layout/rawTable.ts";
import { joinWrappedLines } from "../text/normalizeLabel.ts";

export interface Grid {
  raw: RawTable;
  rows: number;
  cols: number;
  /** cover[r][c] = the cell covering that slot. */
  cover: (RawCell | undefined)[][];
  text: Map<RawCell, string>;
}

// A table's raw grid is read several times (header shape, stream repair, rows); RawTables are
// never changed once built (repairs make new ones), so each is turned into a Grid once.
const grids = new WeakMap<RawTable, Grid>();

export function toGrid(raw: RawTable): Grid {
  let grid = grids.get(raw);
  if (!grid) grids.set(raw, (grid = buildGrid(raw)));
  return grid;
}

function buildGrid(raw: RawTable): Grid {
  const rows = Math.max(0, raw.rowEdges.length - 1);
  const cols = Math.max(0, raw.colEdges.length - 1);
  const cover: (RawCell | undefined)[][] = Array.from({ length: rows }, () => new Array<RawCell | undefined>(cols).fill(undefined));
  const text = new Map<RawCell, string>();
  for (const cell of raw.cells) {
    text.set(cell, joinWrappedLines(cell.lines));
    for (let r = cell.row; r < Math.min(rows, cell.row + cell.rowSpan); r++) {
      for (let c = cell.col; c < Math.min(cols, cell.col + cell.colSpan); c++) cover[r]![c] = cell;
    }
  }
  return { raw, rows, cols, cover, text };
}

export function cellAt(grid: Grid, r: number, c: number): RawCell | undefined {
  return grid.cover[r]?.[c];
}

export function textAt(grid: Grid, r: number, c: number): string {
  const cell = cellAt(grid, r, c);
  return cell ? (grid.text.get(cell) ?? "") : "";
}

/** Cells whose top-left slot is in row r, left to right. */
export function cellsStartingInRow(grid: Grid, r: number): RawCell[] {
  const seen = new Set<RawCell>();
  const out: RawCell[] = [];
  for (let c = 0; c < grid.cols; c++) {
    const cell = grid.cover[r]?.[c];
    if (cell && cell.row === r && !seen.has(cell)) {
      seen.add(cell);
      out.push(cell);
    }
  }
  return out;
}
