// Rulings → edges: the first lattice steps. Upstream rulings may still be doubled (a stroke and a
// fill at one place), a pixel apart, or cut into fragments (Word draws 300–430 tiny rectangles per
// page); these steps turn them into one long edge per drawn line.
import type { Ruling } from "../pdf/pageModel.ts";
import type { LayoutSettings } from "./settings.ts";

/** An axis-aligned line segment; `at` is y for "h" and x for "v"; from < to along the line. */
export interface Edge {
  orientation: "h" | "v";
  at: number;
  from: number;
  to: number;
}

export function rulingsToEdges(rulings: readonly Ruling[]): Edge[] {
  return rulings
    .filter((r) => Number.isFinite(r.at) && Number.isFinite(r.from) && Number.isFinite(r.to))
    .map((r) => ({ orientation: r.orientation, at: r.at, from: Math.min(r.from, r.to), to: Math.max(r.from, r.to) }));
}

/**
 * Groups sorted numbers into chains whose neighbours are at most `tolerance` apart
 * (pdfplumber's cluster_list). Returns the clusters in ascending order.
 */
export function clusterValues(values: readonly number[], tolerance: number): number[][] {
  const sorted = [...values].sort((a, b) => a - b);
  const clusters: number[][] = [];
  let current: number[] = [];
  for (const v of sorted) {
    const last = current[current.length - 1];
    if (last !== undefined && v - last > tolerance) {
      clusters.push(current);
      current = [];
    }
    current.push(v);
  }
  if (current.length > 0) clusters.push(current);
  return clusters;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Moves edges of one orientation whose `at` lie within snapTolerance onto their cluster mean. */
export function snapEdges(edges: readonly Edge[], settings: Pick<LayoutSettings, "snapTolerance">): Edge[] {
  const out: Edge[] = [];
  for (const orientation of ["h", "v"] as const) {
    const group = edges.filter((e) => e.orientation === orientation);
    const clusters = clusterValues(
      group.map((e) => e.at),
      settings.snapTolerance,
    );
    const snapTo = new Map<number, number>();
    for (const c of clusters) {
      const m = round3(mean(c));
      for (const v of c) snapTo.set(v, m);
    }
    for (const e of group) out.push({ ...e, at: snapTo.get(e.at) ?? e.at });
  }
  return out;
}

/** Joins collinear edges (same orientation and `at`) that overlap or are at most joinTolerance apart. */
export function joinEdges(edges: readonly Edge[], settings: Pick<LayoutSettings, "joinTolerance">): Edge[] {
  const byLine = new Map<string, Edge[]>();
  for (const e of edges) {
    const key = `${e.orientation}:${e.at}`;
    const list = byLine.get(key);
    if (list) list.push(e);
    else byLine.set(key, [e]);
  }
  const out: Edge[] = [];
  for (const list of byLine.values()) {
    list.sort((a, b) => a.from - b.from);
    let cur: Edge | undefined;
    for (const e of list) {
      if (cur && e.from <= cur.to + settings.joinTolerance) {
        cur.to = Math.max(cur.to, e.to);
      } else {
        if (cur) out.push(cur);
        cur = { ...e };
      }
    }
    if (cur) out.push(cur);
  }
  return out;
}

/** snapEdges then joinEdges, then drop crumbs shorter than edgeMinLength. */
export function mergeEdges(
  edges: readonly Edge[],
  settings: Pick<LayoutSettings, "snapTolerance" | "joinTolerance" | "edgeMinLength">,
): Edge[] {
  return joinEdges(snapEdges(edges, settings), settings).filter((e) => e.to - e.from >= settings.edgeMinLength);
}

/** Rounds to 1/1000 pt so that snapped coordinates compare equal as map keys. */
export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Closes tables left open by a page break or a borderless side: where at least openEndMinEdges
 * parallel edges have a FREE end (no perpendicular edge passes through it) at the same coordinate
 * (e.g. the column rules of a table continued from the previous page start at the top of the page
 * with no rule above its first row), add the missing perpendicular edge across them. Ends that
 * already touch a rule are never counted, so separate tables are not tied together, and neither
 * are edges that cross no perpendicular edge at all (a table ruled only horizontally).
 * Expects snapped edges.
 */
export function closeOpenEnds(
  edges: readonly Edge[],
  settings: Pick<LayoutSettings, "snapTolerance" | "intersectionTolerance" | "openEndMinEdges">,
): Edge[] {
  const tol = settings.intersectionTolerance;
  const added: Edge[] = [];
  for (const orientation of ["v", "h"] as const) {
    const other = orientation === "v" ? "h" : "v";
    const group = edges.filter((e) => e.orientation === orientation);
    const perpendicular = edges.filter((e) => e.orientation === other);
    for (const end of ["from", "to"] as const) {
      const touches = (e: Edge, p: Edge, at: number) => Math.abs(p.at - at) <= tol && p.from - tol <= e.at && e.at <= p.to + tol;
      // Only edges that are part of a lattice (crossed by some perpendicular edge) can have an open
      // end: rules with no perpendicular edge at all (a table ruled only horizontally) stay as they are.
      const inLattice = (e: Edge) => perpendicular.some((p) => p.at >= e.from - tol && p.at <= e.to + tol && p.from - tol <= e.at && e.at <= p.to + tol);
      const free = group.filter((e) => inLattice(e) && !perpendicular.some((p) => touches(e, p, e[end])));
      for (const cluster of clusterValues(
        free.map((e) => e[end]),
        settings.snapTolerance,
      )) {
        const lo = Math.min(...cluster);
        const hi = Math.max(...cluster);
        const members = free.filter((e) => e[end] >= lo && e[end] <= hi);
        const at = round3(mean(members.map((e) => e[end])));
        // A rule already drawn on the same line (the top of a neighbouring header block) counts as
        // one more member, and the added edge runs on to it so the corners meet.
        const collinear = perpendicular.filter((p) => Math.abs(p.at - at) <= settings.snapTolerance);
        if (members.length + (collinear.length > 0 ? 1 : 0) < settings.openEndMinEdges) continue;
        const xs = [...members.map((e) => e.at), ...collinear.flatMap((p) => [p.from, p.to])];
        added.push({ orientation: other, at, from: Math.min(...xs), to: Math.max(...xs) });
      }
    }
  }
  return added.length > 0 ? [...edges, ...added] : [...edges];
}
