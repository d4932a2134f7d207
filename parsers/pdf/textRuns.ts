// Text runs of a page from its text items (getTextContent's, rebuilt from the operator list by
// textContent.ts), placed in viewport space (upright, top-left
// origin) and cleaned: characters normalised, whitespace-only items, runs wholly off the page,
// duplicates and text the page does not show are dropped.
//
// Invisible text. The text items hold every string in the content stream whatever its render
// mode or colour (as pdfjs getTextContent's do: pdfjs 5 has no option to filter). So the operator
// list is also walked by opWalker to collect the boxes of text
// that is not shown: render mode 3 (invisible) or 7 (clip only), fill alpha 0, inside an
// optional-content group that is off, or white/near-white fill with nothing non-white (fill,
// image, shading) painted beneath it earlier. A text-content
// item whose box lies mostly inside such boxes, and not inside a visible text box, is dropped.
// Limits: clipping paths are not evaluated — text clipped by its cell is kept on purpose; text
// under a later opaque fill is kept.
import type { Ruling, TextRun } from "./pageModel.ts";
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
  /** Split a run at an inner space when both neighbouring words are numbers (adjacent cells). */
  splitAdjacentNumbers: boolean;
  /** A vertical ruling within this of the gap between two words splits the run there, pt. */
  rulingSplitSlack: number;
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
  splitAdjacentNumbers: true,
  rulingSplitSlack: 1.0,
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
  /** Runs split where pdfjs had joined neighbouring cells with a space. */
  splits: number;
}

interface PlacedGlyph { text: string; box: Box }
interface ShownText { box: Box; paint: TextPaint; glyphs?: PlacedGlyph[] }

/**
 * What the page does not show. Only hidden text and white text need their boxes while the page is
 * walked (white text is shown only over an earlier background); the boxes of shown text are
 * placed when first needed: to compare with hidden text (pages without any skip that) and to find
 * the glyphs of an item that may be split.
 */
export class VisibilityTracker {
  readonly invisible = new BoxIndex<{ box: Box }>();
  invisibleCount = 0;
  private readonly backgrounds: Box[] = [];
  private readonly shownPaints: { paint: TextPaint; box?: Box }[] = [];
  private shownIndex: BoxIndex<ShownText> | undefined;

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
    const mode = t.renderMode & 7;
    let shown = true;
    let box: Box | undefined;
    if (t.hidden || mode === 3 || mode === 7) shown = false;
    else if ((mode === 0 || mode === 4) && t.fillAlpha <= 0) shown = false;
    else if ((mode === 0 || mode === 4) && isWhite(t.fill, { whiteMin: this.s.whiteMin })) {
      box = boxOf(t.quad(), this.viewport);
      const cx = (box.x0 + box.x1) / 2, cy = (box.y0 + box.y1) / 2;
      shown = this.backgrounds.some((g) => cx >= g.x0 && cx <= g.x1 && cy >= g.y0 && cy <= g.y1);
    }
    if (shown) {
      this.shownPaints.push({ paint: t, box });
      return;
    }
    if (t.text.trim() === "") return;
    box ??= boxOf(t.quad(), this.viewport);
    if (!isProperBox(box)) return;
    this.invisible.add({ box });
    this.invisibleCount++;
  }

  /** Boxes of the shown text (placed on first use). */
  get visible(): BoxIndex<{ box: Box }> {
    return this.shown();
  }

  /** Shown glyphs (viewport space) of the text painted across `box`, for locating a text item's words. */
  glyphsNear(box: Box): PlacedGlyph[] {
    const out: PlacedGlyph[] = [];
    // Every paint in the band, not only those overlapping the box: a TJ can move glyphs back
    // outside the box of its show operator.
    for (const entry of this.shown().near(box)) {
      entry.glyphs ??= entry.paint.glyphs().filter((g) => g.text.trim() !== "").map((g) => ({ text: g.text, box: boxOf(g.quad, this.viewport) }));
      for (const g of entry.glyphs) out.push(g);
    }
    return out;
  }

  private shown(): BoxIndex<ShownText> {
    if (!this.shownIndex) {
      this.shownIndex = new BoxIndex<ShownText>();
      for (const { paint, box } of this.shownPaints) {
        if (paint.text.trim() === "") continue;
        const b = box ?? boxOf(paint.quad(), this.viewport);
        if (isProperBox(b)) this.shownIndex.add({ box: b, paint });
      }
    }
    return this.shownIndex;
  }
}

function isProperBox(b: Box): boolean {
  return b.x1 - b.x0 > 0 && b.y1 - b.y0 > 0;
}

function boxOf(points: Point[], viewport: Matrix): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of points) {
    const [x, y] = apply(viewport, p.x, p.y);
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

/**
 * Boxes bucketed by horizontal bands, so "which boxes touch this one" stays cheap on pages with
 * tens of thousands of runs or glyphs (OCR layers, hostile files).
 */
export class BoxIndex<T extends { box: Box }> {
  private readonly bands = new Map<number, T[]>();
  /** Largest half-height stored: how far a query must look beyond its own band range. */
  private reach = 0;
  constructor(private readonly band = 8) {}

  add(item: T): void {
    // Each item lives in the band of its vertical centre: no duplicates, no dedupe on query.
    const k = Math.floor((item.box.y0 + item.box.y1) / 2 / this.band);
    this.reach = Math.max(this.reach, (item.box.y1 - item.box.y0) / 2);
    const list = this.bands.get(k);
    if (list) list.push(item);
    else this.bands.set(k, [item]);
  }

  /** Items whose box may intersect b. */
  near(b: Box): T[] {
    const out: T[] = [];
    const first = Math.floor((b.y0 - this.reach) / this.band), last = Math.floor((b.y1 + this.reach) / this.band);
    for (let k = first; k <= last; k++) {
      const list = this.bands.get(k);
      if (list) for (const it of list) out.push(it);
    }
    return out;
  }
}

function area(b: Box): number {
  return Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);
}

function coverage(b: Box, index: BoxIndex<{ box: Box }>): number {
  const a = area(b);
  if (a <= 0) return 0;
  let covered = 0;
  for (const { box: o } of index.near(b)) {
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
  /** The page's rulings: a run crossing a vertical ruling at a space is split there. */
  rulings?: Ruling[];
  fontNameOf?: (loadedName: string) => string | undefined;
  settings?: Partial<TextRunSettings>;
}): { runs: TextRun[]; stats: TextRunStats } {
  const s: TextRunSettings = { ...DEFAULT_TEXT_RUN_SETTINGS, ...args.settings };
  const stats: TextRunStats = { itemsIn: args.items.length, droppedWhitespace: 0, droppedOffPage: 0, droppedDuplicate: 0, droppedInvisible: 0, radicalsMapped: 0, splits: 0 };
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
    if (args.visibility && args.visibility.invisibleCount > 0) {
      const hidden = coverage(box, args.visibility.invisible);
      if (hidden >= s.invisibleCover && coverage(box, args.visibility.visible) < 1 - s.invisibleCover) {
        stats.droppedInvisible++;
        continue;
      }
    }
    twins.push(box);
    seen.set(text, twins);
    const fontName = args.fontNameOf?.(item.fontName) ?? item.fontName;
    const parts = text.includes(" ") && args.visibility ? splitAtCellBoundaries(text, box, args.visibility, args.rulings ?? [], s) : null;
    if (parts && parts.length > 1) stats.splits += parts.length - 1;
    for (const part of parts ?? [{ text, box }]) {
      runs.push({
        text: part.text,
        x0: round2(part.box.x0), y0: round2(part.box.y0), x1: round2(part.box.x1), y1: round2(part.box.y1),
        fontSize: round2(fontSize),
        fontName,
      });
    }
  }
  return { runs, stats };
}

const AMOUNT = /^[-−(]?\d[\d,]*(\.\d+)?%?\)?$/u;

/** Comparable form of text from the operator list and from getTextContent. */
function canon(s: string): string {
  return normalizeChars(s).normalize("NFKC").replace(/\s+/gu, "");
}

/**
 * pdfjs joins text chunks on one line into one item, with a space, when the gap is under 0.6 em
 * — which is how a right-aligned amount and the label of the next cell become one item
 * ("96,282,213.44 一、公共安全支出"). Here the words of such an item are located from the glyph
 * placements of the operator list, and the item is cut between two words when a vertical ruling
 * runs through the gap between them, or (settings.splitAdjacentNumbers) when both are numbers.
 * Returns null when nothing is cut or the words cannot be matched to glyphs (then the item stays
 * whole).
 */
export function splitAtCellBoundaries(text: string, box: Box, glyphs: Pick<VisibilityTracker, "glyphsNear">, rulings: Ruling[], s: TextRunSettings): { text: string; box: Box }[] | null {
  const words = text.split(/ +/u).filter((w) => w !== "");
  if (words.length < 2) return null;
  const cy = (box.y0 + box.y1) / 2;
  const verticals = rulings.filter((g) => g.orientation === "v" && g.at > box.x0 && g.at < box.x1 && g.from <= cy && g.to >= cy);
  const numberPairs = s.splitAdjacentNumbers && words.some((w, i) => i > 0 && AMOUNT.test(w) && AMOUNT.test(words[i - 1]!));
  if (verticals.length === 0 && !numberPairs) return null;
  // The glyphs of this item: centred inside its box, left to right.
  const mine = glyphs
    .glyphsNear(box)
    .filter((g) => {
      const gx = (g.box.x0 + g.box.x1) / 2, gy = (g.box.y0 + g.box.y1) / 2;
      return gx >= box.x0 - 1 && gx <= box.x1 + 1 && gy >= box.y0 && gy <= box.y1;
    })
    .sort((a, b) => a.box.x0 - b.box.x0)
    // Text printed twice (fake bold, double output) gives each glyph twice: keep one.
    .filter((g, i, all) => {
      const prev = all[i - 1];
      return !(prev && prev.text === g.text && Math.abs(prev.box.x0 - g.box.x0) < 1 && Math.abs(prev.box.y0 - g.box.y0) < 1);
    });
  const spans: { x0: number; x1: number }[] = [];
  let k = 0;
  for (const w of words) {
    const want = canon(w);
    let got = "";
    let x0 = Infinity, x1 = -Infinity;
    while (got.length < want.length && k < mine.length) {
      const g = mine[k++]!;
      got += canon(g.text);
      x0 = Math.min(x0, g.box.x0);
      x1 = Math.max(x1, g.box.x1);
    }
    if (got !== want) return null;
    spans.push({ x0, x1 });
  }
  const groups: { words: string[]; x0: number; x1: number }[] = [];
  words.forEach((w, i) => {
    const sp = spans[i]!;
    const prev = groups[groups.length - 1];
    let cut = i > 0 && s.splitAdjacentNumbers && AMOUNT.test(w) && AMOUNT.test(words[i - 1]!);
    if (i > 0 && !cut) {
      const gap0 = spans[i - 1]!.x1 - s.rulingSplitSlack, gap1 = sp.x0 + s.rulingSplitSlack;
      cut = verticals.some((g) => g.at >= gap0 && g.at <= gap1);
    }
    if (!prev || cut) groups.push({ words: [w], x0: sp.x0, x1: sp.x1 });
    else {
      prev.words.push(w);
      prev.x1 = Math.max(prev.x1, sp.x1);
    }
  });
  if (groups.length < 2) return null;
  return groups.map((g, i) => ({
    text: g.words.join(" "),
    box: { x0: i === 0 ? box.x0 : g.x0, y0: box.y0, x1: i === groups.length - 1 ? box.x1 : g.x1, y1: box.y1 },
  }));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
