// Ruling lines of a page, from the painted paths of its operator list.
//
// Producers draw table borders in several ways (measured on the real filings, see the report):
// stroked lines (m/l S), stroked rectangles (re S), thin filled rectangles (re f with one side
// ≲ 1 pt), both at once, or — Word — hundreds of tiny filled fragments per page. White or
// near-white fills are cell backgrounds and are ignored; so are fills wider than a line.
// Segments are taken to viewport space (upright page, top-left origin) and then merged: positions
// within `snapTolerance` become one line, collinear pieces with gaps ≤ `joinGap` are joined.
import type { Ruling } from "./pageModel.ts";
import { apply, type Matrix, type PathPaint, type Point, type Rgb } from "./opWalker.ts";

export interface RulingSettings {
  /** A segment is horizontal (vertical) when its ends differ by at most this in y (x), pt. */
  axisTolerance: number;
  /** A filled rectangle whose smaller side is at most this is a line, pt. */
  thinRectMax: number;
  /** A filled rectangle this small in both directions is a junction dot (see segmentsOfPaint), pt. */
  speckMax: number;
  /** Colour channels all ≥ this (0–255) count as white: backgrounds, erased lines. */
  whiteMin: number;
  /** Parallel segments whose positions differ by at most this are one line, pt. */
  snapTolerance: number;
  /** Collinear segments with a gap of at most this are joined, pt. */
  joinGap: number;
  /** Merged segments shorter than this are dropped (specks, arrow heads), pt. */
  minLength: number;
  /** Segments are clipped to the page box grown by this margin, pt. */
  pageMargin: number;
  /** A stroked sub-path with a slanted edge longer than this is a drawing, not ruling, pt. */
  maxSlantedEdge: number;
  /** A stroked sub-path with at least this many edges, whose median edge is shorter than
   *  drawingMaxMedianEdge, is a drawing (chart outline), not ruling. */
  drawingMinEdges: number;
  drawingMaxMedianEdge: number;
}

export const DEFAULT_RULING_SETTINGS: Readonly<RulingSettings> = Object.freeze({
  axisTolerance: 0.6,
  thinRectMax: 2.0,
  speckMax: 1.2,
  whiteMin: 235,
  snapTolerance: 1.0,
  joinGap: 2.0,
  minLength: 3.0,
  pageMargin: 1.0,
  maxSlantedEdge: 1.0,
  drawingMinEdges: 6,
  drawingMaxMedianEdge: 4.0,
});

interface Seg { orientation: "h" | "v"; at: number; from: number; to: number; weight: number }

export function isWhite(c: Rgb | null, settings: { whiteMin: number }): boolean {
  return c !== null && c[0] >= settings.whiteMin && c[1] >= settings.whiteMin && c[2] >= settings.whiteMin;
}

/** Raw (unmerged) segments in viewport space from one painted path. */
export function segmentsOfPaint(p: PathPaint, viewport: Matrix, s: RulingSettings): Seg[] {
  const out: Seg[] = [];
  const toView = (q: Point): Point => {
    const [x, y] = apply(viewport, q.x, q.y);
    return { x, y };
  };
  const strokes = (p.kind === "stroke" || p.kind === "fillStroke") && !isWhite(p.stroke, s) && p.strokeAlpha > 0;
  const fills = (p.kind === "fill" || p.kind === "fillStroke") && !isWhite(p.fill, s) && p.fillAlpha > 0;
  if (!strokes && !fills) return out;
  for (const sub of p.subpaths) {
    const pts = sub.points.map(toView);
    if (strokes && !sub.curved) {
      // A stroked sub-path with a slanted edge is a drawing (chart, polyline approximating a
      // curve), not table ruling: its near-horizontal pieces would otherwise become rulings.
      const n = pts.length;
      const edges = sub.closed ? n : n - 1;
      const found: Seg[] = [];
      let slanted = false;
      for (let k = 0; k < edges; k++) {
        const a = pts[k]!, b = pts[(k + 1) % n]!;
        const seg = axisSegment(a, b, s);
        if (seg) found.push(seg);
        else if (Math.hypot(a.x - b.x, a.y - b.y) > s.maxSlantedEdge) slanted = true;
      }
      // Likewise a staircase of many tiny steps (a chart's outline rasterised into a polyline).
      const staircase = edges >= s.drawingMinEdges && medianLength(found) < s.drawingMaxMedianEdge;
      if (!slanted && !staircase) out.push(...found);
    }
    if (fills && !sub.curved) {
      const rect = asRectangle(pts, s);
      if (!rect) continue;
      const w = rect.x1 - rect.x0;
      const h = rect.y1 - rect.y0;
      if (Math.max(w, h) <= s.speckMax) {
        // Word draws a tiny square at every junction between its line pieces. It extends the
        // lines that meet there (so h and v rulings reach each other's axis); an isolated dot
        // stays shorter than minLength and is dropped after merging.
        const cx = (rect.x0 + rect.x1) / 2, cy = (rect.y0 + rect.y1) / 2;
        out.push({ orientation: "h", at: cy, from: rect.x0, to: rect.x1, weight: 0 });
        out.push({ orientation: "v", at: cx, from: rect.y0, to: rect.y1, weight: 0 });
        continue;
      }
      if (h <= s.thinRectMax && w > h) {
        out.push({ orientation: "h", at: (rect.y0 + rect.y1) / 2, from: rect.x0, to: rect.x1, weight: w });
      } else if (w <= s.thinRectMax && h > w) {
        out.push({ orientation: "v", at: (rect.x0 + rect.x1) / 2, from: rect.y0, to: rect.y1, weight: h });
      }
    }
  }
  return out;
}

function medianLength(segs: Seg[]): number {
  const lengths = segs.map((g) => g.to - g.from).sort((a, b) => a - b);
  return lengths[Math.floor(lengths.length / 2)] ?? 0;
}

function axisSegment(a: Point, b: Point, s: RulingSettings): Seg | null {
  const dx = Math.abs(a.x - b.x);
  const dy = Math.abs(a.y - b.y);
  if (dy <= s.axisTolerance && dx > dy) {
    return { orientation: "h", at: (a.y + b.y) / 2, from: Math.min(a.x, b.x), to: Math.max(a.x, b.x), weight: dx };
  }
  if (dx <= s.axisTolerance && dy > dx) {
    return { orientation: "v", at: (a.x + b.x) / 2, from: Math.min(a.y, b.y), to: Math.max(a.y, b.y), weight: dy };
  }
  return null;
}

/** The axis-aligned box of a closed 4-corner sub-path, or null when it is not such a rectangle. */
function asRectangle(pts: Point[], s: RulingSettings): { x0: number; y0: number; x1: number; y1: number } | null {
  let ps = pts;
  const first = ps[0];
  const last = ps[ps.length - 1];
  if (ps.length === 5 && first && last && Math.abs(first.x - last.x) <= s.axisTolerance && Math.abs(first.y - last.y) <= s.axisTolerance) {
    ps = ps.slice(0, 4);
  }
  if (ps.length !== 4) return null;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const p of ps) {
    x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
  }
  const near = (v: number, a: number, b: number) => Math.abs(v - a) <= s.axisTolerance || Math.abs(v - b) <= s.axisTolerance;
  if (!ps.every((p) => near(p.x, x0, x1) && near(p.y, y0, y1))) return null;
  return { x0, y0, x1, y1 };
}

/** Snap, join and clip raw segments into the page's rulings (sorted: h by y then x, v by x then y). */
export function mergeSegments(segs: Seg[], pageWidth: number, pageHeight: number, s: RulingSettings): Ruling[] {
  const out: Ruling[] = [];
  for (const orientation of ["h", "v"] as const) {
    const extent = orientation === "h" ? pageWidth : pageHeight;
    const across = orientation === "h" ? pageHeight : pageWidth;
    const list = segs
      .filter((g) => g.orientation === orientation)
      .filter((g) => g.at >= -s.pageMargin && g.at <= across + s.pageMargin)
      .map((g) => ({ ...g, from: Math.max(g.from, -s.pageMargin), to: Math.min(g.to, extent + s.pageMargin) }))
      .filter((g) => g.to > g.from)
      .sort((a, b) => a.at - b.at);
    // Cluster positions: a cluster grows while the next position is within snapTolerance of the
    // cluster's first member, so a chain of small offsets cannot drift far.
    let i = 0;
    while (i < list.length) {
      const start = list[i]!.at;
      let j = i;
      while (j < list.length && list[j]!.at - start <= s.snapTolerance) j++;
      const cluster = list.slice(i, j);
      i = j;
      // Within a cluster, join overlapping or nearly touching pieces along the line.
      cluster.sort((a, b) => a.from - b.from);
      let run: Seg[] = [];
      let runTo = -Infinity;
      const flush = () => {
        if (run.length === 0) return;
        const from = Math.min(...run.map((g) => g.from));
        const to = Math.max(...run.map((g) => g.to));
        if (to - from >= s.minLength) {
          const wsum = run.reduce((acc, g) => acc + Math.max(g.weight, 0.01), 0);
          const at = run.reduce((acc, g) => acc + g.at * Math.max(g.weight, 0.01), 0) / wsum;
          out.push({ orientation, at: round2(at), from: round2(from), to: round2(to) });
        }
        run = [];
        runTo = -Infinity;
      };
      for (const g of cluster) {
        if (run.length > 0 && g.from > runTo + s.joinGap) flush();
        run.push(g);
        runTo = Math.max(runTo, g.to);
      }
      flush();
    }
  }
  return out.sort((a, b) => (a.orientation === b.orientation ? a.at - b.at || a.from - b.from : a.orientation === "h" ? -1 : 1));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

export function extractRulings(paints: PathPaint[], viewport: Matrix, pageWidth: number, pageHeight: number, settings: Partial<RulingSettings> = {}): Ruling[] {
  const s: RulingSettings = { ...DEFAULT_RULING_SETTINGS, ...settings };
  const segs = paints.flatMap((p) => segmentsOfPaint(p, viewport, s));
  return mergeSegments(segs, pageWidth, pageHeight, s);
}
