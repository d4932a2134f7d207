// Edges → intersections: every point where a horizontal and a vertical edge meet (within tolerance),
// remembering which edges pass through it, so that cells can check that corners are really connected.
import type { Edge } from "./edges.ts";
import type { LayoutSettings } from "./settings.ts";

export interface Intersection {
  x: number;
  y: number;
  /** Indexes (into the edge list given to edgesToIntersections) of the edges through this point (a few at most). */
  h: number[];
  v: number[];
}

/** The intersections in the order they were found, and a lookup by exact position. */
export class IntersectionMap {
  private readonly byPoint = new Map<number, Map<number, Intersection>>();
  private readonly list: Intersection[] = [];

  get size(): number {
    return this.list.length;
  }

  get(x: number, y: number): Intersection | undefined {
    return this.byPoint.get(x)?.get(y);
  }

  /** The intersection at (x, y), created on first use. */
  at(x: number, y: number): Intersection {
    let column = this.byPoint.get(x);
    if (!column) this.byPoint.set(x, (column = new Map()));
    let p = column.get(y);
    if (!p) {
      p = { x, y, h: [], v: [] };
      column.set(y, p);
      this.list.push(p);
    }
    return p;
  }

  values(): readonly Intersection[] {
    return this.list;
  }
}

export function edgesToIntersections(
  edges: readonly Edge[],
  settings: Pick<LayoutSettings, "intersectionTolerance">,
): IntersectionMap {
  const tol = settings.intersectionTolerance;
  const out = new IntersectionMap();
  for (let vi = 0; vi < edges.length; vi++) {
    const v = edges[vi]!;
    if (v.orientation !== "v") continue;
    for (let hi = 0; hi < edges.length; hi++) {
      const h = edges[hi]!;
      if (h.orientation !== "h") continue;
      const meets = v.from <= h.at + tol && v.to >= h.at - tol && v.at >= h.from - tol && v.at <= h.to + tol;
      if (!meets) continue;
      const p = out.at(v.at, h.at);
      // Vertical edges are the outer loop, so a repeated vi is always the last entry.
      if (!p.h.includes(hi)) p.h.push(hi);
      if (p.v[p.v.length - 1] !== vi) p.v.push(vi);
    }
  }
  return out;
}
