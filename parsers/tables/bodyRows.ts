// Grid body rows → per-logical-column slots, for the first grid of a table and for every
// continuation grid (mapped onto the first grid's columns by horizontal overlap).
import type { RawCell } from "../layout/rawTable.ts";
import type { Grid } from "./grid.ts";
import { cellAt } from "./grid.ts";
import type { LogicalColumn } from "./header.ts";

export interface Slot {
  text: string;
  cell: RawCell;
  /** The cell started in an earlier row (a row-spanning category label). */
  inherited: boolean;
}

export interface BodyRow {
  page: number;
  /** Slots by logical column index (first non-empty grid cell of that column in this row). */
  slots: Map<number, Slot>;
}

/** For each grid column, the logical column it belongs to (by overlap), or -1. */
export function mapGridColumns(grid: Grid, columns: readonly LogicalColumn[], minOverlap: number): number[] {
  const edges = grid.raw.colEdges;
  return Array.from({ length: grid.cols }, (_, c) => {
    const x0 = edges[c]!;
    const x1 = edges[c + 1]!;
    let best = -1;
    let bestOverlap = 0;
    columns.forEach((col, i) => {
      const overlap = Math.min(x1, col.x1) - Math.max(x0, col.x0);
      const narrower = Math.max(1e-6, Math.min(x1 - x0, col.x1 - col.x0));
      if (overlap / narrower >= minOverlap && overlap > bestOverlap) {
        best = i;
        bestOverlap = overlap;
      }
    });
    return best;
  });
}

export function readBodyRows(grid: Grid, fromRow: number, skipRows: readonly number[], colMap: readonly number[]): BodyRow[] {
  const rows: BodyRow[] = [];
  for (let r = fromRow; r < grid.rows; r++) {
    if (skipRows.includes(r)) continue;
    const slots = new Map<number, Slot>();
    for (let c = 0; c < grid.cols; c++) {
      const logical = colMap[c]!;
      if (logical < 0 || slots.has(logical)) continue;
      const cell = cellAt(grid, r, c);
      if (!cell) continue;
      const text = grid.text.get(cell) ?? "";
      if (text === "") continue;
      // A cell spanning several logical columns belongs to the first one only.
      if (cell.col < c && colMap[cell.col] !== undefined && colMap[cell.col]! >= 0 && colMap[cell.col] !== logical) continue;
      slots.set(logical, { text, cell, inherited: cell.row < r });
    }
    if (slots.size > 0 && [...slots.values()].some((s) => !s.inherited)) rows.push({ page: grid.raw.pageNumber, slots });
  }
  return rows;
}
