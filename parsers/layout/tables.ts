// Cells → tables → grids. A page can hold several tables (and a boxed title block): tables are the
// connected groups of cells (cells sharing a corner, pdfplumber's cells_to_tables). Each table then
// becomes a grid: its row/column lines are all the distinct cell boundaries, and a merged cell
// spans every grid slot it covers.
import type { Box } from "./cells.ts";
import { clusterValues } from "./edges.ts";
import type { LayoutSettings } from "./settings.ts";

/** Groups cells into tables: two cells belong together when they share a corner. Tables come top to bottom. */
export function cellsToTables(cells: readonly Box[]): Box[][] {
  const parent = cells.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  // Corner → first cell seen there, keyed x then y (exact positions: corners come from one grid of intersections).
  const cornerOwner = new Map<number, Map<number, number>>();
  const join = (x: number, y: number, i: number) => {
    let column = cornerOwner.get(x);
    if (!column) cornerOwner.set(x, (column = new Map()));
    const j = column.get(y);
    if (j === undefined) column.set(y, i);
    else parent[find(i)] = find(j);
  };
  cells.forEach((c, i) => {
    join(c.x0, c.y0, i);
    join(c.x1, c.y0, i);
    join(c.x0, c.y1, i);
    join(c.x1, c.y1, i);
  });
  const groups = new Map<number, Box[]>();
  cells.forEach((c, i) => {
    const r = find(i);
    (groups.get(r) ?? groups.set(r, []).get(r)!).push(c);
  });
  return [...groups.values()]
    .map((t) => ({ t, b: bbox(t) }))
    .sort((a, b) => a.b.y0 - b.b.y0 || a.b.x0 - b.b.x0)
    .map(({ t }) => t);
}

export function bbox(boxes: readonly Box[]): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x0); y0 = Math.min(y0, b.y0); x1 = Math.max(x1, b.x1); y1 = Math.max(y1, b.y1);
  }
  return { x0, y0, x1, y1 };
}

/** A cell placed on a grid (no text yet). */
export interface GridCell extends Box {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
}

export interface Grid extends Box {
  rowEdges: number[];
  colEdges: number[];
  cells: GridCell[];
}

/** Distinct boundary positions: values within gridTolerance become one line (their mean). */
export function gridLines(values: readonly number[], tolerance: number): number[] {
  return clusterValues(values, tolerance).map((c) => c.reduce((a, b) => a + b, 0) / c.length);
}

/** Index of the grid line nearest to v (lines ascending; binary search). */
export function nearestIndex(lines: readonly number[], v: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  // lo is the first line ≥ v; the one before may be nearer.
  return lo > 0 && Math.abs(lines[lo - 1]! - v) <= Math.abs(lines[lo]! - v) ? lo - 1 : lo;
}

/**
 * Builds the grid of one table: rowEdges/colEdges from all cell boundaries, each cell's spans.
 * Guarantees every slot is covered by exactly one cell: where cells overlap (a frame drawn around
 * a grid), the smaller cell wins; slots no cell covers (a missing border) are filled with maximal
 * empty rectangles so that text found there still has a cell to go to.
 */
export function tableToGrid(cells: readonly Box[], settings: Pick<LayoutSettings, "gridTolerance">): Grid {
  const rowEdges = gridLines(
    cells.flatMap((c) => [c.y0, c.y1]),
    settings.gridTolerance,
  );
  const colEdges = gridLines(
    cells.flatMap((c) => [c.x0, c.x1]),
    settings.gridTolerance,
  );
  const nRows = rowEdges.length - 1;
  const nCols = colEdges.length - 1;
  const owner: (GridCell | undefined)[][] = Array.from({ length: nRows }, () => new Array<GridCell | undefined>(nCols));
  const placed: GridCell[] = [];

  const bySize = [...cells].sort((a, b) => (a.x1 - a.x0) * (a.y1 - a.y0) - (b.x1 - b.x0) * (b.y1 - b.y0));
  for (const c of bySize) {
    const row = nearestIndex(rowEdges, c.y0);
    const col = nearestIndex(colEdges, c.x0);
    const rowSpan = nearestIndex(rowEdges, c.y1) - row;
    const colSpan = nearestIndex(colEdges, c.x1) - col;
    if (rowSpan < 1 || colSpan < 1) continue;
    let free = true;
    for (let r = row; r < row + rowSpan && free; r++) for (let k = col; k < col + colSpan; k++) if (owner[r]![k]) free = false;
    if (!free) continue;
    const g: GridCell = {
      row,
      col,
      rowSpan,
      colSpan,
      x0: colEdges[col]!,
      y0: rowEdges[row]!,
      x1: colEdges[col + colSpan]!,
      y1: rowEdges[row + rowSpan]!,
    };
    for (let r = row; r < row + rowSpan; r++) for (let k = col; k < col + colSpan; k++) owner[r]![k] = g;
    placed.push(g);
  }

  // Fill holes with maximal rectangles, scanning in reading order.
  for (let r = 0; r < nRows; r++) {
    for (let k = 0; k < nCols; k++) {
      if (owner[r]![k]) continue;
      let k1 = k;
      while (k1 + 1 < nCols && !owner[r]![k1 + 1]) k1++;
      let r1 = r;
      while (r1 + 1 < nRows && owner[r1 + 1]!.slice(k, k1 + 1).every((o) => !o)) r1++;
      const g: GridCell = {
        row: r,
        col: k,
        rowSpan: r1 - r + 1,
        colSpan: k1 - k + 1,
        x0: colEdges[k]!,
        y0: rowEdges[r]!,
        x1: colEdges[k1 + 1]!,
        y1: rowEdges[r1 + 1]!,
      };
      for (let rr = r; rr <= r1; rr++) for (let kk = k; kk <= k1; kk++) owner[rr]![kk] = g;
      placed.push(g);
    }
  }
  placed.sort((a, b) => a.row - b.row || a.col - b.col);
  return {
    x0: colEdges[0]!,
    y0: rowEdges[0]!,
    x1: colEdges[nCols]!,
    y1: rowEdges[nRows]!,
    rowEdges,
    colEdges,
    cells: placed,
  };
}
