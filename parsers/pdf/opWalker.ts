// One pass over a pdfjs operator list that tracks the graphics state we care about (CTM, fill and
// stroke colour, fill alpha, text state) and reports what is painted: paths (rulings, backgrounds),
// text shows (for visibility checks) and images. Coordinates reported are PDF user space already
// multiplied by the CTM ("device space" of the page before the viewport transform).
//
// Operator-list format facts this relies on (pdfjs-dist 5.x, read from its evaluator):
// - Paths arrive as one `constructPath` op: args = [paintOp, [Float32Array | null], minMax|null].
//   paintOp is the OPS code of the painting operator (stroke, fill, eoFill, fillStroke, endPath…);
//   the Float32Array holds DrawOPS-coded data: 0 moveTo x y, 1 lineTo x y, 2 curveTo x1 y1 x2 y2 x y,
//   3 quadraticCurveTo, 4 closePath. `re` is already expanded to moveTo/lineTo×3/closePath.
//   The optimizer may fold `q cm <path> S Q` with a translation-only cm into the path data.
// - All colour operators are normalised to setFillRGBColor / setStrokeRGBColor with one "#rrggbb"
//   argument; pattern colours arrive as setFillColorN / setFillTransparent.
// - showText args[0] is an array of glyph objects ({unicode, width, isSpace, vmetric}) and numbers
//   (TJ adjustments in 1/1000 text space units).
import type { Pdfjs } from "./pdfjsRuntime.ts";

export type Matrix = [number, number, number, number, number, number];
export type Rgb = [number, number, number];

export const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m2 applied first, then m1 (pdfjs Util.transform convention). */
export function multiply(m1: Matrix, m2: Matrix): Matrix {
  return [
    m1[0] * m2[0] + m1[2] * m2[1],
    m1[1] * m2[0] + m1[3] * m2[1],
    m1[0] * m2[2] + m1[2] * m2[3],
    m1[1] * m2[2] + m1[3] * m2[3],
    m1[0] * m2[4] + m1[2] * m2[5] + m1[4],
    m1[1] * m2[4] + m1[3] * m2[5] + m1[5],
  ];
}

export function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

export interface Point { x: number; y: number }

export interface SubPath {
  points: Point[];
  closed: boolean;
  /** True when the sub-path contains a curve (its points are then only the on-curve ends). */
  curved: boolean;
}

export type PaintKind = "stroke" | "fill" | "fillStroke" | "none";

export interface PathPaint {
  kind: PaintKind;
  subpaths: SubPath[];
  /** null: a pattern / unknown colour (treated as visible, non-white). */
  fill: Rgb | null;
  stroke: Rgb | null;
  fillAlpha: number;
  strokeAlpha: number;
  /** Line width in device units (scaled by the CTM). */
  lineWidth: number;
}

export interface TextPaint {
  /**
   * Four corners of the shown string's box, device space. Computed on demand, like glyphs():
   * most shown text is never looked at again (only hidden text, white text and the text items a
   * split examines are).
   */
  quad(): [Point, Point, Point, Point];
  text: string;
  /** Text render mode Tr (0–7). */
  renderMode: number;
  fill: Rgb | null;
  stroke: Rgb | null;
  fillAlpha: number;
  /**
   * Each glyph: its text and box corners (device space), for locating words inside a run.
   * Computed on demand: only text items that must be split at a cell boundary need them.
   */
  glyphs(): GlyphPlacement[];
  /** Inside an optional-content group that is switched off (a hidden layer). */
  hidden: boolean;
}

export interface GlyphPlacement {
  text: string;
  quad: [Point, Point, Point, Point];
}

export interface ImagePaint {
  /** The unit square under the CTM: the image's place on the page. */
  quad: [Point, Point, Point, Point];
}

export interface OpVisitor {
  path?(p: PathPaint): void;
  text?(t: TextPaint): void;
  image?(i: ImagePaint): void;
}

interface TextState {
  fontName: string | null;
  fontSize: number;
  fontMatrix: number[];
  vertical: boolean;
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  leading: number;
  rise: number;
  renderMode: number;
}

interface GState {
  ctm: Matrix;
  fill: Rgb | null;
  stroke: Rgb | null;
  fillAlpha: number;
  strokeAlpha: number;
  lineWidth: number;
  text: TextState;
}

export interface FontInfo {
  fontMatrix?: number[];
  vertical?: boolean;
}

const BLACK: Rgb = [0, 0, 0];

function parseHex(arg: unknown): Rgb | null {
  if (typeof arg === "string" && /^#[0-9a-f]{6}$/i.test(arg)) {
    return [parseInt(arg.slice(1, 3), 16), parseInt(arg.slice(3, 5), 16), parseInt(arg.slice(5, 7), 16)];
  }
  if (Array.isArray(arg) || ArrayBuffer.isView(arg)) {
    const a = Array.from(arg as ArrayLike<number>);
    if (a.length >= 3) return [a[0]!, a[1]!, a[2]!];
  }
  return null;
}

/** The first six numbers of a matrix argument (an array or a Float32Array) as a Matrix. */
export function matrixOf(m: ArrayLike<number>): Matrix {
  return [Number(m[0]), Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
}

function cloneState(s: GState): GState {
  const t = s.text;
  return {
    ctm: [s.ctm[0], s.ctm[1], s.ctm[2], s.ctm[3], s.ctm[4], s.ctm[5]],
    fill: s.fill, stroke: s.stroke, fillAlpha: s.fillAlpha, strokeAlpha: s.strokeAlpha, lineWidth: s.lineWidth,
    text: {
      fontName: t.fontName, fontSize: t.fontSize, fontMatrix: t.fontMatrix, vertical: t.vertical, charSpacing: t.charSpacing,
      wordSpacing: t.wordSpacing, hScale: t.hScale, leading: t.leading, rise: t.rise, renderMode: t.renderMode,
    },
  };
}

export function walkOperatorList(
  pdfjs: Pdfjs,
  opList: { fnArray: number[]; argsArray: unknown[] },
  initialCtm: Matrix,
  fontInfo: (loadedName: string) => FontInfo | undefined,
  visitor: OpVisitor,
  /** Optional-content visibility (pdfjs OptionalContentConfig.isVisible); all visible if absent. */
  isVisible: (group: unknown) => boolean = () => true,
): void {
  const OPS = pdfjs.OPS;
  const paintKinds = new Map<number, PaintKind>([
    [OPS.stroke, "stroke"], [OPS.closeStroke, "stroke"],
    [OPS.fill, "fill"], [OPS.eoFill, "fill"],
    [OPS.fillStroke, "fillStroke"], [OPS.eoFillStroke, "fillStroke"],
    [OPS.closeFillStroke, "fillStroke"], [OPS.closeEOFillStroke, "fillStroke"],
    [OPS.endPath, "none"],
  ]);
  let st: GState = {
    ctm: [...initialCtm] as Matrix,
    fill: BLACK, stroke: BLACK, fillAlpha: 1, strokeAlpha: 1, lineWidth: 1,
    text: { fontName: null, fontSize: 0, fontMatrix: [0.001, 0, 0, 0.001, 0, 0], vertical: false, charSpacing: 0, wordSpacing: 0, hScale: 1, leading: 0, rise: 0, renderMode: 0 },
  };
  const stack: GState[] = [];
  // Marked-content nesting: false for an optional-content group that is off. Content inside any
  // hidden group is not painted: its paths and images are not reported, its text is flagged.
  const marked: boolean[] = [];
  let hiddenDepth = 0;
  // Text object state: Tm (text matrix) and the pen offset (x, y) within it, as pdfjs's canvas does.
  let tm: Matrix = [...IDENTITY] as Matrix;
  let lineX = 0, lineY = 0, penX = 0, penY = 0;

  const { fnArray, argsArray } = opList;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i]!;
    const args = argsArray[i] as unknown[] | null;
    switch (fn) {
      case OPS.save:
        stack.push(cloneState(st));
        break;
      case OPS.restore:
        st = stack.pop() ?? st;
        break;
      case OPS.transform:
        st.ctm = multiply(st.ctm, matrixOf(args as number[]));
        break;
      case OPS.paintFormXObjectBegin: {
        stack.push(cloneState(st));
        const m = args?.[0] as ArrayLike<number> | null | undefined;
        if (m && m.length >= 6) st.ctm = multiply(st.ctm, matrixOf(m));
        break;
      }
      case OPS.paintFormXObjectEnd:
        st = stack.pop() ?? st;
        break;
      case OPS.setLineWidth:
        st.lineWidth = Number(args?.[0]) || 0;
        break;
      case OPS.setFillRGBColor:
        st.fill = parseHex(args?.[0]);
        break;
      case OPS.setStrokeRGBColor:
        st.stroke = parseHex(args?.[0]);
        break;
      case OPS.setFillColorN:
      case OPS.setFillTransparent:
        st.fill = null;
        break;
      case OPS.setStrokeColorN:
      case OPS.setStrokeTransparent:
        st.stroke = null;
        break;
      case OPS.setGState: {
        const entries = args?.[0] as [string, unknown][] | undefined;
        for (const [key, value] of entries ?? []) {
          if (key === "ca" && typeof value === "number") st.fillAlpha = value;
          if (key === "CA" && typeof value === "number") st.strokeAlpha = value;
          if (key === "LW" && typeof value === "number") st.lineWidth = value;
        }
        break;
      }
      case OPS.beginMarkedContent:
        marked.push(true);
        break;
      case OPS.beginMarkedContentProps: {
        const visible = args?.[0] === "OC" ? isVisible(args?.[1] ?? null) : true;
        marked.push(visible);
        if (!visible) hiddenDepth++;
        break;
      }
      case OPS.endMarkedContent:
        if (marked.pop() === false) hiddenDepth--;
        break;
      case OPS.constructPath: {
        const paintOp = args?.[0] as number;
        const kind = paintKinds.get(paintOp) ?? "none";
        const data = (args?.[1] as (Float32Array | null)[] | undefined)?.[0];
        if (!data || kind === "none" || !visitor.path || hiddenDepth > 0) break;
        visitor.path({
          kind,
          subpaths: decodePath(data, st.ctm),
          fill: st.fill, stroke: st.stroke, fillAlpha: st.fillAlpha, strokeAlpha: st.strokeAlpha,
          lineWidth: st.lineWidth * Math.sqrt(Math.abs(st.ctm[0] * st.ctm[3] - st.ctm[1] * st.ctm[2])),
        });
        break;
      }
      case OPS.paintImageXObject:
      case OPS.paintInlineImageXObject:
      case OPS.paintImageMaskXObject:
      case OPS.paintSolidColorImageMask:
      case OPS.paintImageXObjectRepeat:
      case OPS.paintInlineImageXObjectGroup:
      case OPS.paintImageMaskXObjectGroup:
      case OPS.paintImageMaskXObjectRepeat:
      case OPS.shadingFill:
        if (hiddenDepth === 0) visitor.image?.({ quad: quadOf(st.ctm, 0, 0, 1, 1) });
        break;
      // --- text state ---
      case OPS.beginText:
        tm = [...IDENTITY] as Matrix;
        lineX = lineY = penX = penY = 0;
        break;
      case OPS.setFont: {
        const name = String(args?.[0]);
        const size = Number(args?.[1]) || 0;
        const info = fontInfo(name);
        st.text.fontName = name;
        st.text.fontSize = size;
        st.text.fontMatrix = info?.fontMatrix && info.fontMatrix[0] ? info.fontMatrix : [0.001, 0, 0, 0.001, 0, 0];
        st.text.vertical = !!info?.vertical;
        break;
      }
      case OPS.setTextMatrix: {
        tm = matrixOf(args?.[0] as ArrayLike<number>);
        lineX = lineY = penX = penY = 0;
        break;
      }
      case OPS.moveText:
        lineX += Number(args?.[0]) || 0;
        lineY += Number(args?.[1]) || 0;
        penX = lineX; penY = lineY;
        break;
      case OPS.setLeadingMoveText:
        st.text.leading = -(Number(args?.[1]) || 0);
        lineX += Number(args?.[0]) || 0;
        lineY += Number(args?.[1]) || 0;
        penX = lineX; penY = lineY;
        break;
      case OPS.nextLine:
        lineY -= st.text.leading;
        penX = lineX; penY = lineY;
        break;
      case OPS.setLeading:
        st.text.leading = Number(args?.[0]) || 0;
        break;
      case OPS.setCharSpacing:
        st.text.charSpacing = Number(args?.[0]) || 0;
        break;
      case OPS.setWordSpacing:
        st.text.wordSpacing = Number(args?.[0]) || 0;
        break;
      case OPS.setHScale:
        st.text.hScale = (Number(args?.[0]) || 100) / 100;
        break;
      case OPS.setTextRise:
        st.text.rise = Number(args?.[0]) || 0;
        break;
      case OPS.setTextRenderingMode:
        st.text.renderMode = Number(args?.[0]) || 0;
        break;
      case OPS.showText: {
        const glyphs = (args?.[0] ?? []) as unknown[];
        const advance = showTextAdvance(glyphs, st.text);
        if (visitor.text && st.text.fontSize !== 0) {
          // The matrices are replaced, never changed in place, so holding them is a snapshot.
          visitor.text(lazyTextPaint(glyphs, { ...st.text }, st.ctm, tm, penX, penY, advance, st, hiddenDepth > 0));
        }
        if (st.text.vertical) penY += advance.dy;
        else penX += advance.dx;
        break;
      }
      default:
        break;
    }
  }
}

interface GlyphOffset { text: string; start: number; end: number }

/** One shown string whose box and glyph boxes are computed only when asked for. */
function lazyTextPaint(
  glyphs: unknown[], t: TextState, ctm: Matrix, tm: Matrix, penX: number, penY: number,
  advance: { dx: number; dy: number; text: string }, colours: Pick<GState, "fill" | "stroke" | "fillAlpha">, hidden: boolean,
): TextPaint {
  const fs = Math.abs(t.fontSize);
  let base: Matrix | undefined;
  // Text space → device: [fs*Th 0 0 fs 0 rise] then Tm then CTM; pen offset inside Tm.
  const baseMatrix = () => (base ??= multiply(multiply(ctm, tm), [1, 0, 0, 1, penX, penY + t.rise]));
  return {
    text: advance.text, renderMode: t.renderMode, fill: colours.fill, stroke: colours.stroke, fillAlpha: colours.fillAlpha, hidden,
    quad: () => (t.vertical ? quadOf(baseMatrix(), -fs / 2, advance.dy, fs, -advance.dy) : quadOf(baseMatrix(), 0, -0.2 * fs, advance.dx, fs)),
    glyphs: () => {
      const placed: GlyphOffset[] = [];
      showTextAdvance(glyphs, t, placed);
      const m = baseMatrix();
      return placed.map((g) => ({
        text: g.text,
        quad: t.vertical ? quadOf(m, -fs / 2, g.end, fs, g.start - g.end) : quadOf(m, g.start, -0.2 * fs, g.end - g.start, fs),
      }));
    },
  };
}

/**
 * Advance of one showText in text-matrix units, mirroring pdfjs canvas showText; with `placed`,
 * also the start/end offset of every glyph along the writing direction.
 */
function showTextAdvance(glyphs: unknown[], t: TextState, placed?: GlyphOffset[]): { dx: number; dy: number; text: string } {
  const fontDirection = t.fontSize < 0 ? -1 : 1;
  const fontSize = Math.abs(t.fontSize);
  const widthAdvanceScale = fontSize * (t.fontMatrix[0] ?? 0.001);
  const spacingDir = t.vertical ? 1 : -1;
  // Horizontal offsets are scaled by Th (and the font direction) when applied, as in pdfjs.
  const k = t.vertical ? 1 : t.hScale * fontDirection;
  let x = 0;
  let text = "";
  for (const g of glyphs) {
    if (typeof g === "number") {
      x += spacingDir * g * fontSize / 1000;
      continue;
    }
    if (!g || typeof g !== "object") continue;
    const glyph = g as { width?: number; unicode?: string; isSpace?: boolean; vmetric?: number[] };
    const spacing = (glyph.isSpace ? t.wordSpacing : 0) + t.charSpacing;
    const u = glyph.unicode ?? "";
    text += u;
    const start = x;
    let w: number;
    if (t.vertical) {
      const vw = glyph.vmetric?.[0] ?? glyph.width ?? 0;
      w = -vw * widthAdvanceScale;
    } else {
      w = (glyph.width ?? 0) * widthAdvanceScale;
    }
    placed?.push({ text: u, start: start * k, end: (start + w) * k });
    x += w + spacing * fontDirection;
  }
  return t.vertical ? { dx: 0, dy: x, text } : { dx: x * k, dy: 0, text };
}

function quadOf(m: Matrix, x: number, y: number, w: number, h: number): [Point, Point, Point, Point] {
  const p = (px: number, py: number): Point => {
    const [X, Y] = apply(m, px, py);
    return { x: X, y: Y };
  };
  return [p(x, y), p(x + w, y), p(x + w, y + h), p(x, y + h)];
}

// pdfjs already appends a closePath code for the closing paint operators (s, b, b*).
function decodePath(data: Float32Array, ctm: Matrix): SubPath[] {
  const out: SubPath[] = [];
  let cur: SubPath | null = null;
  const pt = (x: number, y: number): Point => {
    const [X, Y] = apply(ctm, x, y);
    return { x: X, y: Y };
  };
  for (let k = 0; k < data.length;) {
    const op = data[k++];
    switch (op) {
      case 0: // moveTo
        cur = { points: [pt(data[k]!, data[k + 1]!)], closed: false, curved: false };
        out.push(cur);
        k += 2;
        break;
      case 1: // lineTo
        if (!cur) { cur = { points: [], closed: false, curved: false }; out.push(cur); }
        cur.points.push(pt(data[k]!, data[k + 1]!));
        k += 2;
        break;
      case 2: // curveTo
        if (!cur) { cur = { points: [], closed: false, curved: false }; out.push(cur); }
        cur.curved = true;
        cur.points.push(pt(data[k + 4]!, data[k + 5]!));
        k += 6;
        break;
      case 3: // quadraticCurveTo
        if (!cur) { cur = { points: [], closed: false, curved: false }; out.push(cur); }
        cur.curved = true;
        cur.points.push(pt(data[k + 2]!, data[k + 3]!));
        k += 4;
        break;
      case 4: // closePath: the current point returns to the sub-path start
        if (cur) {
          cur.closed = true;
          const start: Point | undefined = cur.points[0];
          cur = start ? { points: [start], closed: false, curved: false } : null;
          if (cur) out.push(cur);
        }
        break;
      default:
        k = data.length; // unknown code: stop rather than misread the rest
    }
  }
  return out.filter((s) => s.points.length > 1 || s.closed);
}
