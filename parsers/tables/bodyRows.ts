// Grid body rows → per-logical-column slots, for the first grid of a table and for every
// continuation grid (mapped onto the first grid's columns by horizontal overlap).
import type { RawCell } from "../layout/rawTable.ts";
import type { Grid } from "./grid.ts";
import { cellAt } from "./grid.ts";
import type { LogicalColumn } from "./header.ts";
import { parseAmount } from "./amounts.ts";
import { joinWrappedLines } from "../text/normalizeLabel.ts";

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

/**
 * For each grid column, the logical column it belongs to, or -1. A grid column that spans several
 * logical columns (a continuation page merged `支出合计` across them) belongs to the first one it
 * covers, as a merged cell does on the first page; otherwise the one it overlaps most.
 */
export function mapGridColumns(grid: Grid, columns: readonly LogicalColumn[], minOverlap: number): number[] {
  const edges = grid.raw.colEdges;
  return Array.from({ length: grid.cols }, (_, c) => {
    const x0 = edges[c]!;
    const x1 = edges[c + 1]!;
    const overlapOf = (col: LogicalColumn) => Math.min(x1, col.x1) - Math.max(x0, col.x0);
    const covered = columns.findIndex((col) => overlapOf(col) >= 0.8 * (col.x1 - col.x0));
    const coversSeveral = columns.filter((col) => overlapOf(col) >= 0.8 * (col.x1 - col.x0)).length > 1;
    if (coversSeveral) return covered;
    let best = -1;
    let bestOverlap = 0;
    columns.forEach((col, i) => {
      const overlap = overlapOf(col);
      const narrower = Math.max(1e-6, Math.min(x1 - x0, col.x1 - col.x0));
      if (overlap / narrower >= minOverlap && overlap > bestOverlap) {
        best = i;
        bestOverlap = overlap;
      }
    });
    return best;
  });
}

/**
 * A row the page break cut in two (Word/WPS let a row break across pages): the continuation's
 * first row holds only the rest of the labels (`业支出`, `小计`) in columns where the previous
 * page's last row has text. Join it back into that row.
 */
export function joinRowSplitByPageBreak(previous: BodyRow | undefined, rows: BodyRow[]): BodyRow[] {
  const first = rows[0];
  if (!previous || !first) return rows;
  const slots = [...first.slots.entries()];
  const continues = slots.every(([col, slot]) => {
    const above = previous.slots.get(col);
    return !slot.inherited && parseAmount(slot.text) === null && above !== undefined && !above.inherited && parseAmount(above.text) === null;
  });
  if (!continues) return rows;
  for (const [col, slot] of slots) {
    const above = previous.slots.get(col)!;
    previous.slots.set(col, { ...above, text: joinWrappedLines([above.text, slot.text]) });
  }
  return rows.slice(1);
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
