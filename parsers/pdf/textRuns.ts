// Text runs of a page from pdfjs getTextContent, placed in viewport space (upright, top-left
// origin) and cleaned: characters normalised, whitespace-only items, runs wholly off the page,
// duplicates and text the page does not show are dropped.
//
// Invisible text. getTextContent reports every string in the content stream whatever its render
// mode or colour (pdfjs 5 has no option to filter; includeMarkedContent only adds marked-content
// brackets). So the operator list is walked in parallel (opWalker) to collect the boxes of text
// that is not shown: render mode 3 (invisible) or 7 (clip only), fill alpha 0, or white/near-white
// fill with nothing non-white (fill, image, shading) painted beneath it earlier. A text-content
// item whose box lies mostly inside such boxes, and not inside a visible text box, is dropped.
// Limits: clipping paths and optional-content (hidden layers) are not evaluated — text clipped by
// its cell is kept on purpose; text under a later opaque fill is kept.
import type { TextRun } from "./pageModel.ts";
import { countRadicals, normalizeChars } from "../text/normalizeChars.ts";
import { apply, type ImagePaint, type Matrix, type PathPaint, type Point, type TextPaint } from "./opWalker.ts";
import { isWhite, DEFAULT_RULING_SETTINGS } from "./rulings.ts";

export interface TextRunSettings {
  /** Runs with the same text whose boxes differ by at most this (each edge) are duplicates, pt. */
  duplicateTolerance: number;
  /** A run is off-page when its box lies wholly outside the page box grown by this, pt. */
  pageMargin: number;
  /** Share of a run's box that must be covered by invisible text for it to be dropped. */
  invisibleCover: number;
  /** Colour channels all ≥ this (0–255) count as white for white-on-white text. */
  whiteMin: number;
  /** A non-white fill counts as a background only when both its sides exceed this, pt. */
  backgroundMinSide: number;
  /** Font metrics used when the font gives none (fractions of the font size). */
  defaultAscent: number;
  defaultDescent: number;
}

export const DEFAULT_TEXT_RUN_SETTINGS: Readonly<TextRunSettings> = Object.freeze({
  duplicateTolerance: 1.0,
  pageMargin: 1.0,
  invisibleCover: 0.6,
  whiteMin: DEFAULT_RULING_SETTINGS.whiteMin,
  backgroundMinSide: 3.0,
  defaultAscent: 0.8,
  defaultDescent: -0.2,
});

export interface Box { x0: number; y0: number; x1: number; y1: number }

export interface RawTextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  fontName: string;
  dir?: string;
}

export interface TextStyle {
  ascent?: number;
  descent?: number;
  vertical?: boolean;
  fontFamily?: string;
}

export interface TextRunStats {
  itemsIn: number;
  droppedWhitespace: number;
  droppedOffPage: number;
  droppedDuplicate: number;
  droppedInvisible: number;
  radicalsMapped: number;
}

/** Collects, in paint order, the boxes of text that is not shown and of text that is. */
export class VisibilityTracker {
  readonly invisible: Box[] = [];
  readonly visible: Box[] = [];
  private readonly backgrounds: Box[] = [];

  constructor(private readonly viewport: Matrix, private readonly s: TextRunSettings) {}

  path(p: PathPaint): void {
    if (p.kind !== "fill" && p.kind !== "fillStroke") return;
    if (p.fillAlpha <= 0 || isWhite(p.fill, { whiteMin: this.s.whiteMin })) return;
    for (const sub of p.subpaths) {
      const b = boxOf(sub.points, this.viewport);
      if (b.x1 - b.x0 > this.s.backgroundMinSide && b.y1 - b.y0 > this.s.backgroundMinSide) this.backgrounds.push(b);
    }
  }

  image(i: ImagePaint): void {
    this.backgrounds.push(boxOf(i.quad, this.viewport));
  }

  text(t: TextPaint): void {
    const b = boxOf(t.quad, this.viewport);
    if (b.x1 - b.x0 <= 0 || b.y1 - b.y0 <= 0 || t.text.trim() === "") return;
    const mode = t.renderMode & 7;
    let shown = true;
    if (mode === 3 || mode === 7) shown = false;
    else if ((mode === 0 || mode === 4) && t.fillAlpha <= 0) shown = false;
    else if ((mode === 0 || mode === 4) && isWhite(t.fill, { whiteMin: this.s.whiteMin })) {
      const cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
      shown = this.backgrounds.some((g) => cx >= g.x0 && cx <= g.x1 && cy >= g.y0 && cy <= g.y1);
    }
    (shown ? this.visible : this.invisible).push(b);
  }
}

function boxOf(points: Point[], viewport: Matrix): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of points) {
    const [x, y] = apply(viewport, p.x, p.y);
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

function area(b: Box): number {
  return Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);
}

function coverage(b: Box, others: Box[]): number {
  const a = area(b);
  if (a <= 0) return 0;
  let covered = 0;
  for (const o of others) {
    if (o.x1 <= b.x0 || o.x0 >= b.x1 || o.y1 <= b.y0 || o.y0 >= b.y1) continue;
    covered += area({ x0: Math.max(b.x0, o.x0), y0: Math.max(b.y0, o.y0), x1: Math.min(b.x1, o.x1), y1: Math.min(b.y1, o.y1) });
  }
  return Math.min(1, covered / a);
}

/** Box of a text-content item in viewport space, from its transform, width and font metrics. */
export function itemBox(item: RawTextItem, style: TextStyle | undefined, viewport: Matrix, s: TextRunSettings): { box: Box; fontSize: number } {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform;
  const fontHeight = Math.hypot(c, d) || Math.hypot(a, b) || 1;
  const ulen = Math.hypot(a, b) || 1;
  const ux = a / ulen, uy = b / ulen;
  const vx = c / fontHeight, vy = d / fontHeight;
  let ascent = style?.ascent ?? 0;
  let descent = style?.descent ?? 0;
  if (!(ascent > 0.3 && ascent <= 1.5) || !(descent <= 0 && descent >= -0.8)) {
    ascent = s.defaultAscent;
    descent = s.defaultDescent;
  }
  const corners: Point[] = [];
  if (style?.vertical) {
    // Vertical text: origin at the top centre of the first glyph, advancing down (item.height).
    const half = (item.width || fontHeight) / 2;
    for (const [du, dv] of [[-half, 0], [half, 0], [half, -item.height], [-half, -item.height]] as const) {
      corners.push({ x: e + ux * du + vx * dv, y: f + uy * du + vy * dv });
    }
  } else {
    const w = item.width;
    for (const [du, dv] of [[0, descent], [w, descent], [w, ascent], [0, ascent]] as const) {
      corners.push({ x: e + ux * du + vx * dv * fontHeight, y: f + uy * du + vy * dv * fontHeight });
    }
  }
  const box = boxOf(corners, viewport);
  const scale = Math.sqrt(Math.abs(viewport[0] * viewport[3] - viewport[1] * viewport[2])) || 1;
  return { box, fontSize: fontHeight * scale };
}

export function buildTextRuns(args: {
  items: RawTextItem[];
  styles: Record<string, TextStyle>;
  viewport: Matrix;
  pageWidth: number;
  pageHeight: number;
  visibility?: VisibilityTracker;
  fontNameOf?: (loadedName: string) => string | undefined;
  settings?: Partial<TextRunSettings>;
}): { runs: TextRun[]; stats: TextRunStats } {
  const s: TextRunSettings = { ...DEFAULT_TEXT_RUN_SETTINGS, ...args.settings };
  const stats: TextRunStats = { itemsIn: args.items.length, droppedWhitespace: 0, droppedOffPage: 0, droppedDuplicate: 0, droppedInvisible: 0, radicalsMapped: 0 };
  const runs: TextRun[] = [];
  const seen = new Map<string, Box[]>();
  for (const item of args.items) {
    if (typeof item.str !== "string" || item.str.trim() === "") {
      stats.droppedWhitespace++;
      continue;
    }
    const { box, fontSize } = itemBox(item, args.styles[item.fontName], args.viewport, s);
    if (box.x1 < -s.pageMargin || box.x0 > args.pageWidth + s.pageMargin || box.y1 < -s.pageMargin || box.y0 > args.pageHeight + s.pageMargin) {
      stats.droppedOffPage++;
      continue;
    }
    const raw = item.str.trim();
    const text = normalizeChars(raw);
    if (text !== raw) stats.radicalsMapped += countRadicals(raw);
    const twins = seen.get(text) ?? [];
    const tol = s.duplicateTolerance;
    if (twins.some((t) => Math.abs(t.x0 - box.x0) <= tol && Math.abs(t.y0 - box.y0) <= tol && Math.abs(t.x1 - box.x1) <= tol && Math.abs(t.y1 - box.y1) <= tol)) {
      stats.droppedDuplicate++;
      continue;
    }
    if (args.visibility && args.visibility.invisible.length > 0) {
      const hidden = coverage(box, args.visibility.invisible);
      if (hidden >= s.invisibleCover && coverage(box, args.visibility.visible) < 1 - s.invisibleCover) {
        stats.droppedInvisible++;
        continue;
      }
    }
    twins.push(box);
    seen.set(text, twins);
    runs.push({
      text,
      x0: round2(box.x0), y0: round2(box.y0), x1: round2(box.x1), y1: round2(box.y1),
      fontSize: round2(fontSize),
      fontName: args.fontNameOf?.(item.fontName) ?? item.fontName,
    });
  }
  return { runs, stats };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
