// Intersections → cells: for every intersection, the smallest rectangle whose four corners are
// intersections joined by edges (pdfplumber's intersections_to_cells). A missing inner ruling
// therefore yields one larger (merged) cell, which is exactly how a spanning header cell is drawn.
import type { IntersectionMap, Intersection } from "./intersections.ts";
import type { LayoutSettings } from "./settings.ts";

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function shares(a: readonly number[], b: readonly number[]): boolean {
  for (const x of a) if (b.includes(x)) return true;
  return false;
}

/** Two points on one vertical (or horizontal) line are connected if one edge passes through both. */
function connectsV(a: Intersection, b: Intersection): boolean {
  return a.x === b.x && shares(a.v, b.v);
}
function connectsH(a: Intersection, b: Intersection): boolean {
  return a.y === b.y && shares(a.h, b.h);
}

export function intersectionsToCells(
  intersections: IntersectionMap,
  settings: Pick<LayoutSettings, "minCellSize">,
): Box[] {
  const byX = new Map<number, Intersection[]>();
  const byY = new Map<number, Intersection[]>();
  for (const p of intersections.values()) {
    (byX.get(p.x) ?? byX.set(p.x, []).get(p.x)!).push(p);
    (byY.get(p.y) ?? byY.set(p.y, []).get(p.y)!).push(p);
  }
  // Position of each point in its column (sorted by y) and its row (sorted by x): the points
  // below / to the right of p are then the rest of that list, not a scan.
  const indexInX = new Map<Intersection, number>();
  const indexInY = new Map<Intersection, number>();
  for (const list of byX.values()) list.sort((a, b) => a.y - b.y).forEach((q, i) => indexInX.set(q, i));
  for (const list of byY.values()) list.sort((a, b) => a.x - b.x).forEach((q, i) => indexInY.set(q, i));

  const cells: Box[] = [];
  for (const p of intersections.values()) {
    const column = byX.get(p.x)!;
    const row = byY.get(p.y)!;
    let found: Box | undefined;
    outer: for (let i = indexInX.get(p)! + 1; i < column.length; i++) {
      const b = column[i]!;
      if (!connectsV(p, b)) continue;
      for (let k = indexInY.get(p)! + 1; k < row.length; k++) {
        const r = row[k]!;
        if (!connectsH(p, r)) continue;
        const corner = intersections.get(r.x, b.y);
        if (corner && connectsV(corner, r) && connectsH(corner, b)) {
          found = { x0: p.x, y0: p.y, x1: r.x, y1: b.y };
          break outer;
        }
      }
    }
    if (found && found.x1 - found.x0 >= settings.minCellSize && found.y1 - found.y0 >= settings.minCellSize) {
      cells.push(found);
    }
  }
  return cells;
}
