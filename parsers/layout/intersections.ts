// Edges → intersections: every point where a horizontal and a vertical edge meet (within tolerance),
// remembering which edges pass through it, so that cells can check that corners are really connected.
import type { Edge } from "./edges.ts";
import type { LayoutSettings } from "./settings.ts";

export interface Intersection {
  x: number;
  y: number;
  /** Indexes (into the edge list given to edgesToIntersections) of the edges through this point. */
  h: Set<number>;
  v: Set<number>;
}

export type IntersectionMap = Map<string, Intersection>;

export const pointKey = (x: number, y: number): string => `${x},${y}`;

export function edgesToIntersections(
  edges: readonly Edge[],
  settings: Pick<LayoutSettings, "intersectionTolerance">,
): IntersectionMap {
  const tol = settings.intersectionTolerance;
  const out: IntersectionMap = new Map();
  edges.forEach((v, vi) => {
    if (v.orientation !== "v") return;
    edges.forEach((h, hi) => {
      if (h.orientation !== "h") return;
      const meets = v.from <= h.at + tol && v.to >= h.at - tol && v.at >= h.from - tol && v.at <= h.to + tol;
      if (!meets) return;
      const key = pointKey(v.at, h.at);
      let p = out.get(key);
      if (!p) {
        p = { x: v.at, y: h.at, h: new Set(), v: new Set() };
        out.set(key, p);
      }
      p.h.add(hi);
      p.v.add(vi);
    });
  });
  return out;
}
