// The text items of a page as pdfjs getTextContent builds them, rebuilt from the page's operator
// list, so a page is read with one pdfjs pass (getOperatorList) instead of two.
//
// This is a port of PartialEvaluator.getTextContent (pdfjs-dist 5.6, src/core/evaluator.js;
// pdf.js is Copyright Mozilla Foundation, Apache License 2.0, the dependency's own licence) onto
// the operator list: the same text state (text/line matrices, CTM with q/Q, Tc Tw Tz TL Ts),
// the same glyph walk (widths, vertical metrics, whitespace and zero-width glyphs, word spacing
// on code 0x20), the same joining of glyphs into items and the same space insertion between
// chunks (gap ≥ 0.102 em and ≤ 0.6 em inside the flow becomes a space; larger gaps, line changes
// and backward jumps start a new item), the same flushes at marked content, XObjects and font
// changes, and pdfjs's own normalizeUnicode on each item. ToUnicode / CMap mapping (CJK
// Identity-H included) is pdfjs's: the operator list carries the glyphs' unicode.
//
// Operator-list facts this relies on (read from pdfjs's evaluator and optimizer):
// - Tj, ', " and TJ all arrive as showText; TJ's glyph array keeps its numbers (the adjustments),
//   ' and " arrive as nextLine (+ setWordSpacing, setCharSpacing) then showText.
// - setFont args are [loadedName, size]; setTextMatrix args[0] and the form matrix are
//   Float32Arrays. getTextContent works with the doubles parsed from the content stream, and its
//   thresholds are sharp (a gap of exactly -0.2 em is common with Tm-scaled text), so each float32
//   value is turned back into the shortest decimal that rounds to it: the number the producer wrote.
// - Form XObjects are inlined between paintFormXObjectBegin [matrix, bbox] and
//   paintFormXObjectEnd; getTextContent reads them with a nested state, which is mirrored here.
// Known differences: text is not bidi-reordered (right-to-left scripts stay in content order);
// an empty string inside TJ with a non-zero Tc is not seen (the operator list drops it); Type3
// fonts whose bbox pdfjs computed from the glyphs (isCharBBox) get the Type3 height correction
// only when Tf ≤ 1; inline image masks flush the current item like image XObjects do.
import type { Pdfjs } from "./pdfjsRuntime.ts";
import { matrixOf, multiply, type Matrix } from "./opWalker.ts";
import { memoize } from "../memo.ts";
import type { RawTextItem, TextStyle } from "./textRuns.ts";

/** What the text walk needs to know about a loaded font (from page.commonObjs). */
export interface TextFont {
  /** PDF font name (BaseFont), compared when the font changes. */
  name?: string;
  vertical?: boolean;
  fontMatrix?: number[];
  ascent?: number;
  descent?: number;
  fallbackName?: string;
  isType3Font?: boolean;
  bbox?: number[];
}

/** The facts of a loaded font from pdfjs's FontFaceObject (page.commonObjs.get(loadedName)). */
export function readTextFont(commonObjs: { has(name: string): boolean; get(name: string): unknown }, loadedName: string): TextFont {
  try {
    if (!commonObjs.has(loadedName)) return {};
    const f = commonObjs.get(loadedName) as Partial<Record<keyof TextFont, unknown>> | string | null;
    // A font pdfjs could not load resolves to its error message.
    if (!f || typeof f !== "object") return {};
    return {
      fontMatrix: Array.isArray(f.fontMatrix) ? f.fontMatrix.map(Number) : undefined,
      vertical: !!f.vertical,
      name: typeof f.name === "string" ? f.name : undefined,
      ascent: typeof f.ascent === "number" ? f.ascent : undefined,
      descent: typeof f.descent === "number" ? f.descent : undefined,
      fallbackName: typeof f.fallbackName === "string" ? f.fallbackName : undefined,
      isType3Font: !!f.isType3Font,
      bbox: Array.isArray(f.bbox) ? f.bbox.map(Number) : undefined,
    };
  } catch {
    return {};
  }
}

export interface TextContent {
  items: RawTextItem[];
  styles: Record<string, TextStyle>;
}

/**
 * The characters pdfjs's normalizeUnicode can change (NBSP, µ, spaces U+2000–200A, ligatures and
 * presentation forms U+FB00–FE7D …), as one cheap test: most items (digits, CJK) hold none and
 * skip its Unicode-aware replace. A test checks every BMP character against pdfjs's own.
 */
export const MAY_NEED_NORMALIZING = /[\u00a0\u00b5\u037e\u0eb3\u2000-\u200a\u202f\u2126\ufb00-\ufe7d]/;
const FONT_IDENTITY_MATRIX = [0.001, 0, 0, 0.001, 0, 0];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
// pdfjs getTextContent's thresholds, in units of the font size.
const TRACKING_SPACE_FACTOR = 0.102;
const NOT_A_SPACE_FACTOR = 0.03;
const NEGATIVE_SPACE_FACTOR = -0.2;
const SPACE_IN_FLOW_MIN_FACTOR = 0.102;
const SPACE_IN_FLOW_MAX_FACTOR = 0.6;
const VERTICAL_SHIFT_RATIO = 0.25;

interface Glyph {
  unicode?: string;
  width?: number;
  vmetric?: number[] | null;
  originalCharCode?: number;
}

/** pdfjs getCharUnicodeCategory: whitespace, zero-width diacritic (Mn), invisible format mark (Cf). */
const SPECIAL_CHAR = /^(\s)|(\p{Mn})|(\p{Cf})$/u;
interface Category { isWhitespace: boolean; isZeroWidthDiacritic: boolean; isInvisibleFormatMark: boolean }
const categories = new Map<string, Category>();
const PLAIN: Category = { isWhitespace: false, isZeroWidthDiacritic: false, isInvisibleFormatMark: false };
function categoryOf(char: string): Category {
  if (char.length === 1) {
    // Fast path: printable ASCII and the CJK blocks are none of the three.
    const code = char.charCodeAt(0);
    if ((code > 0x20 && code < 0x7f) || (code >= 0x3400 && code <= 0x9fff)) return PLAIN;
  }
  let c = categories.get(char);
  if (!c) {
    const g = char.match(SPECIAL_CHAR);
    c = { isWhitespace: !!g?.[1], isZeroWidthDiacritic: !!g?.[2], isInvisibleFormatMark: !!g?.[3] };
    categories.set(char, c);
  }
  return c;
}

/** pdfjs TextState (text part of the graphics state; saved and restored with q/Q). */
class TextState {
  ctm: number[] = [...IDENTITY];
  loadedName: string | null = null;
  font: TextFont | null = null;
  fontSize = 0;
  fontMatrix: number[] = FONT_IDENTITY_MATRIX;
  textMatrix: number[] = [...IDENTITY];
  textLineMatrix: number[] = [...IDENTITY];
  charSpacing = 0;
  wordSpacing = 0;
  leading = 0;
  textHScale = 1;
  textRise = 0;

  clone(): TextState {
    const c = Object.assign(new TextState(), this);
    c.textMatrix = this.textMatrix.slice();
    c.textLineMatrix = this.textLineMatrix.slice();
    c.fontMatrix = this.fontMatrix.slice();
    return c;
  }
  translateTextMatrix(x: number, y: number): void {
    const m = this.textMatrix;
    m[4] = m[0]! * x + m[2]! * y + m[4]!;
    m[5] = m[1]! * x + m[3]! * y + m[5]!;
  }
  translateTextLineMatrix(x: number, y: number): void {
    const m = this.textLineMatrix;
    m[4] = m[0]! * x + m[2]! * y + m[4]!;
    m[5] = m[1]! * x + m[3]! * y + m[5]!;
  }
  carriageReturn(): void {
    this.translateTextLineMatrix(0, -this.leading);
    this.textMatrix = this.textLineMatrix.slice();
  }
}

/** The item being built (pdfjs textContentItem). */
interface Item {
  initialized: boolean;
  str: string[];
  totalWidth: number;
  totalHeight: number;
  width: number;
  height: number;
  vertical: boolean;
  prevTransform: number[] | null;
  prevTextRise: number;
  textAdvanceScale: number;
  spaceInFlowMin: number;
  spaceInFlowMax: number;
  trackingSpaceMin: number;
  negativeSpaceMax: number;
  notASpace: number;
  transform: number[] | null;
  fontName: string | null;
}

/**
 * One content stream being read: the page, or a form XObject (getTextContent reads a form with a
 * nested call: its own state stack, item and last-characters memory).
 */
class Stream {
  state: TextState;
  readonly stack: TextState[] = [];
  /** Font facts of the last flush (pdfjs currentTextState). */
  current: { fontSize: number; loadedName: string | null; name?: string; vertical: boolean } | null = null;
  readonly item: Item = {
    initialized: false, str: [], totalWidth: 0, totalHeight: 0, width: 0, height: 0, vertical: false,
    prevTransform: null, prevTextRise: 0, textAdvanceScale: 0, spaceInFlowMin: 0, spaceInFlowMax: 0,
    trackingSpaceMin: Infinity, negativeSpaceMax: -Infinity, notASpace: -Infinity, transform: null, fontName: null,
  };
  /** Storage for item.prevTransform, rewritten after every glyph. */
  readonly prevTransform = new Array<number>(6);
  readonly twoLastChars = [" ", " "];
  twoLastCharsPos = 0;
  constructor(state: TextState) {
    this.state = state;
  }
}

export function textContentFromOperatorList(
  pdfjs: Pdfjs,
  opList: { fnArray: number[]; argsArray: unknown[] },
  fontOf: (loadedName: string) => TextFont | undefined,
  /** The page's view box (page.view, PDF user space): glyphs wholly outside are skipped. */
  viewBox: number[],
): TextContent {
  const OPS = pdfjs.OPS;
  const normalize = (str: string) => (MAY_NEED_NORMALIZING.test(str) ? pdfjs.normalizeUnicode(str) : str);
  const items: RawTextItem[] = [];
  const styles: Record<string, TextStyle> = {};
  const streams: Stream[] = [new Stream(new TextState())];
  let s = streams[0]!;
  let st = s.state;

  // --- pdfjs getTextContent helpers, same names and order of operations ---
  function saveLastChar(char: string): boolean {
    const nextPos = (s.twoLastCharsPos + 1) % 2;
    const ret = s.twoLastChars[s.twoLastCharsPos] !== " " && s.twoLastChars[nextPos] === " ";
    s.twoLastChars[s.twoLastCharsPos] = char;
    s.twoLastCharsPos = nextPos;
    return ret;
  }
  function shouldAddWhitespace(): boolean {
    return s.twoLastChars[s.twoLastCharsPos] !== " " && s.twoLastChars[(s.twoLastCharsPos + 1) % 2] === " ";
  }
  function resetLastChars(): void {
    s.twoLastChars[0] = s.twoLastChars[1] = " ";
    s.twoLastCharsPos = 0;
  }
  function pushWhitespace(width: number, height: number, transform = s.item.prevTransform, fontName = s.item.fontName): void {
    items.push({ str: " ", dir: "ltr", width, height, transform: transform ? transform.slice() : [...IDENTITY], fontName: fontName ?? "" });
  }
  /**
   * pdfjs getCurrentTextTransform: CTM × Tm × [Tfs·Th 0 0 Tfs 0 Ts], written into `out` (no
   * allocation on the per-glyph path). The products keep Util.transform's order of operations,
   * so the result is bit-identical to pdfjs's.
   */
  function currentTextTransform(out: number[] = new Array<number>(6)): number[] {
    const T = st.textMatrix, C = st.ctm;
    const a = st.fontSize * st.textHScale, rise = st.textRise;
    let d = st.fontSize;
    const font = st.font;
    if (font?.isType3Font && st.fontSize <= 1 && !sameMatrix(st.fontMatrix, FONT_IDENTITY_MATRIX)) {
      const glyphHeight = font.bbox ? font.bbox[3]! - font.bbox[1]! : 0;
      if (glyphHeight > 0) d *= glyphHeight * st.fontMatrix[3]!;
    }
    const m0 = T[0]! * a + T[2]! * 0, m1 = T[1]! * a + T[3]! * 0;
    const m2 = T[0]! * 0 + T[2]! * d, m3 = T[1]! * 0 + T[3]! * d;
    const m4 = T[0]! * 0 + T[2]! * rise + T[4]!, m5 = T[1]! * 0 + T[3]! * rise + T[5]!;
    out[0] = C[0]! * m0 + C[2]! * m1;
    out[1] = C[1]! * m0 + C[3]! * m1;
    out[2] = C[0]! * m2 + C[2]! * m3;
    out[3] = C[1]! * m2 + C[3]! * m3;
    out[4] = C[0]! * m4 + C[2]! * m5 + C[4]!;
    out[5] = C[1]! * m4 + C[3]! * m5 + C[5]!;
    return out;
  }
  const scratch = new Array<number>(6);
  function ensureTextContentItem(): Item {
    const item = s.item;
    if (item.initialized) return item;
    const font = st.font ?? {};
    const loadedName = st.loadedName ?? "";
    if (!(loadedName in styles)) {
      styles[loadedName] = { fontFamily: font.fallbackName, ascent: font.ascent, descent: font.descent, vertical: !!font.vertical };
    }
    item.fontName = loadedName;
    const trm = (item.transform = currentTextTransform());
    if (!font.vertical) {
      item.width = item.totalWidth = 0;
      item.height = item.totalHeight = Math.hypot(trm[2]!, trm[3]!);
      item.vertical = false;
    } else {
      item.width = item.totalWidth = Math.hypot(trm[0]!, trm[1]!);
      item.height = item.totalHeight = 0;
      item.vertical = true;
    }
    const scaleLineX = Math.hypot(st.textLineMatrix[0]!, st.textLineMatrix[1]!);
    const scaleCtmX = Math.hypot(st.ctm[0]!, st.ctm[1]!);
    item.textAdvanceScale = scaleCtmX * scaleLineX;
    const fontSize = st.fontSize;
    item.trackingSpaceMin = fontSize * TRACKING_SPACE_FACTOR;
    item.notASpace = fontSize * NOT_A_SPACE_FACTOR;
    item.negativeSpaceMax = fontSize * NEGATIVE_SPACE_FACTOR;
    item.spaceInFlowMin = fontSize * SPACE_IN_FLOW_MIN_FACTOR;
    item.spaceInFlowMax = fontSize * SPACE_IN_FLOW_MAX_FACTOR;
    item.initialized = true;
    return item;
  }
  function updateAdvanceScale(): void {
    const item = s.item;
    if (!item.initialized) return;
    const scaleLineX = Math.hypot(st.textLineMatrix[0]!, st.textLineMatrix[1]!);
    const scaleCtmX = Math.hypot(st.ctm[0]!, st.ctm[1]!);
    const scaleFactor = scaleCtmX * scaleLineX;
    if (scaleFactor === item.textAdvanceScale) return;
    if (!item.vertical) {
      item.totalWidth += item.width * item.textAdvanceScale;
      item.width = 0;
    } else {
      item.totalHeight += item.height * item.textAdvanceScale;
      item.height = 0;
    }
    item.textAdvanceScale = scaleFactor;
  }
  function flushTextContentItem(): void {
    const item = s.item;
    if (!item.initialized) return;
    if (!item.vertical) item.totalWidth += item.width * item.textAdvanceScale;
    else item.totalHeight += item.height * item.textAdvanceScale;
    items.push({
      str: normalize(item.str.join("")),
      dir: item.vertical ? "ttb" : "ltr",
      width: Math.abs(item.totalWidth),
      height: Math.abs(item.totalHeight),
      transform: item.transform!,
      fontName: item.fontName ?? "",
    });
    item.initialized = false;
    item.str.length = 0;
  }
  function appendEOL(): void {
    resetLastChars();
    if (s.item.initialized) flushTextContentItem();
    else items.push({ str: "", dir: "ltr", width: 0, height: 0, transform: currentTextTransform(), fontName: st.loadedName ?? "" });
  }
  function addFakeSpaces(width: number, transf: number[] | null, textOrientation: number): boolean {
    const item = s.item;
    if (textOrientation * item.spaceInFlowMin <= width && width <= textOrientation * item.spaceInFlowMax) {
      if (item.initialized) {
        resetLastChars();
        item.str.push(" ");
      }
      return false;
    }
    const fontName = item.fontName;
    let height = 0;
    if (item.vertical) {
      height = width;
      width = 0;
    }
    flushTextContentItem();
    resetLastChars();
    pushWhitespace(Math.abs(width), Math.abs(height), transf || currentTextTransform(), fontName);
    return true;
  }
  function applyInverseRotation(x: number, y: number, m: number[]): [number, number] {
    const scale = Math.hypot(m[0]!, m[1]!);
    return [(m[0]! * x + m[1]! * y) / scale, (m[2]! * x + m[3]! * y) / scale];
  }
  function compareWithLastPosition(glyphWidth: number): boolean {
    const item = s.item;
    const currentTransform = currentTextTransform(scratch);
    let posX = currentTransform[4]!;
    let posY = currentTransform[5]!;
    if (st.font?.vertical) {
      if (posX < viewBox[0]! || posX > viewBox[2]! || posY + glyphWidth < viewBox[1]! || posY > viewBox[3]!) return false;
    } else if (posX + glyphWidth < viewBox[0]! || posX > viewBox[2]! || posY < viewBox[1]! || posY > viewBox[3]!) {
      return false;
    }
    if (!st.font || !item.prevTransform) return true;
    let lastPosX = item.prevTransform[4]!;
    let lastPosY = item.prevTransform[5]!;
    if (lastPosX === posX && lastPosY === posY) return true;
    let rotate = -1;
    if (currentTransform[0] && currentTransform[1] === 0 && currentTransform[2] === 0) rotate = currentTransform[0] > 0 ? 0 : 180;
    else if (currentTransform[1] && currentTransform[0] === 0 && currentTransform[3] === 0) rotate = currentTransform[1] > 0 ? 90 : 270;
    switch (rotate) {
      case 0:
        break;
      case 90:
        [posX, posY] = [posY, posX];
        [lastPosX, lastPosY] = [lastPosY, lastPosX];
        break;
      case 180:
        [posX, posY, lastPosX, lastPosY] = [-posX, -posY, -lastPosX, -lastPosY];
        break;
      case 270:
        [posX, posY] = [-posY, -posX];
        [lastPosX, lastPosY] = [-lastPosY, -lastPosX];
        break;
      default:
        [posX, posY] = applyInverseRotation(posX, posY, currentTransform);
        [lastPosX, lastPosY] = applyInverseRotation(lastPosX, lastPosY, item.prevTransform);
    }
    if (st.font.vertical) {
      const advanceY = (lastPosY - posY) / item.textAdvanceScale;
      const advanceX = posX - lastPosX;
      const textOrientation = Math.sign(item.height || item.totalHeight);
      if (advanceY < textOrientation * item.negativeSpaceMax) {
        if (Math.abs(advanceX) > 0.5 * item.width) {
          appendEOL();
          return true;
        }
        resetLastChars();
        flushTextContentItem();
        return true;
      }
      if (Math.abs(advanceX) > item.width) {
        appendEOL();
        return true;
      }
      if (advanceY <= textOrientation * item.notASpace) resetLastChars();
      if (advanceY <= textOrientation * item.trackingSpaceMin) {
        if (shouldAddWhitespace()) {
          resetLastChars();
          flushTextContentItem();
          pushWhitespace(0, Math.abs(advanceY));
        } else {
          item.height += advanceY;
        }
      } else if (!addFakeSpaces(advanceY, item.prevTransform, textOrientation)) {
        if (item.str.length === 0) {
          resetLastChars();
          pushWhitespace(0, Math.abs(advanceY));
        } else {
          item.height += advanceY;
        }
      }
      if (Math.abs(advanceX) > item.width * VERTICAL_SHIFT_RATIO) flushTextContentItem();
      return true;
    }
    const advanceX = (posX - lastPosX) / item.textAdvanceScale;
    const advanceY = posY - lastPosY;
    const textOrientation = Math.sign(item.width || item.totalWidth);
    if (advanceX < textOrientation * item.negativeSpaceMax) {
      if (Math.abs(advanceY) > 0.5 * item.height) {
        appendEOL();
        return true;
      }
      resetLastChars();
      flushTextContentItem();
      return true;
    }
    const textRiseDelta = st.textRise - item.prevTextRise;
    const advanceYCorrected = textRiseDelta === 0 ? advanceY : advanceY - (currentTransform[3]! / st.fontSize) * textRiseDelta;
    if (Math.abs(advanceYCorrected) > item.height) {
      appendEOL();
      return true;
    }
    if (advanceX <= textOrientation * item.notASpace) resetLastChars();
    if (advanceX <= textOrientation * item.trackingSpaceMin) {
      if (shouldAddWhitespace()) {
        resetLastChars();
        flushTextContentItem();
        pushWhitespace(Math.abs(advanceX), 0);
      } else {
        item.width += advanceX;
      }
    } else if (!addFakeSpaces(advanceX, item.prevTransform, textOrientation)) {
      if (item.str.length === 0) {
        resetLastChars();
        pushWhitespace(Math.abs(advanceX), 0);
      } else {
        item.width += advanceX;
      }
    }
    if (Math.abs(advanceY) > item.height * VERTICAL_SHIFT_RATIO) flushTextContentItem();
    return true;
  }
  /** One chunk of a show operator: glyphs up to a non-zero TJ adjustment (pdfjs buildTextContentItem). */
  function buildTextContentItem(glyphs: Glyph[], extraSpacing: number): void {
    const cur = s.current!;
    const font = st.font ?? {};
    if (cur.fontSize !== st.fontSize || (cur.loadedName !== st.loadedName && (cur.name !== font.name || cur.vertical !== !!font.vertical))) {
      flushTextContentItem();
      s.current = facts();
    }
    const vertical = !!font.vertical;
    const baseCharSpacing = vertical ? -st.charSpacing : st.charSpacing;
    if (glyphs.length === 0) {
      const charSpacing = baseCharSpacing + extraSpacing;
      if (charSpacing) {
        if (!vertical) st.translateTextMatrix(charSpacing * st.textHScale, 0);
        else st.translateTextMatrix(0, -charSpacing);
      }
      return;
    }
    const scale = st.fontMatrix[0]! * st.fontSize;
    for (let i = 0, ii = glyphs.length; i < ii; i++) {
      const glyph = glyphs[i]!;
      const unicode = glyph.unicode ?? "";
      const category = categoryOf(unicode);
      if (category.isInvisibleFormatMark) continue;
      let charSpacing = baseCharSpacing + (i + 1 === ii ? extraSpacing : 0);
      let glyphWidth = glyph.width ?? 0;
      if (vertical) glyphWidth = glyph.vmetric ? glyph.vmetric[0]! : -glyphWidth;
      let scaledDim = glyphWidth * scale;
      if (glyph.originalCharCode === 0x20) charSpacing += st.wordSpacing;
      if (category.isWhitespace) {
        if (!vertical) {
          charSpacing += scaledDim;
          st.translateTextMatrix(charSpacing * st.textHScale, 0);
        } else {
          charSpacing += -scaledDim;
          st.translateTextMatrix(0, -charSpacing);
        }
        saveLastChar(" ");
        continue;
      }
      if (!category.isZeroWidthDiacritic && !compareWithLastPosition(scaledDim)) {
        if (!vertical) st.translateTextMatrix(scaledDim * st.textHScale, 0);
        else st.translateTextMatrix(0, scaledDim);
        continue;
      }
      const textChunk = ensureTextContentItem();
      if (category.isZeroWidthDiacritic) scaledDim = 0;
      if (!vertical) {
        scaledDim *= st.textHScale;
        st.translateTextMatrix(scaledDim, 0);
        textChunk.width += scaledDim;
      } else {
        st.translateTextMatrix(0, scaledDim);
        scaledDim = Math.abs(scaledDim);
        textChunk.height += scaledDim;
      }
      if (scaledDim) {
        textChunk.prevTransform = currentTextTransform(s.prevTransform);
        textChunk.prevTextRise = st.textRise;
      }
      if (saveLastChar(unicode)) textChunk.str.push(" ");
      textChunk.str.push(unicode);
      if (charSpacing) {
        if (!vertical) st.translateTextMatrix(charSpacing * st.textHScale, 0);
        else st.translateTextMatrix(0, -charSpacing);
      }
    }
  }
  function facts(): NonNullable<Stream["current"]> {
    return { fontSize: st.fontSize, loadedName: st.loadedName, name: st.font?.name, vertical: !!st.font?.vertical };
  }
  function setFont(loadedName: string, size: number): void {
    if (st.font && loadedName === st.loadedName && size === st.fontSize) return;
    st.fontSize = size;
    st.loadedName = loadedName;
    st.font = fontOf(loadedName) ?? {};
    st.fontMatrix = st.font.fontMatrix && st.font.fontMatrix.length === 6 ? st.font.fontMatrix : FONT_IDENTITY_MATRIX;
  }

  const { fnArray, argsArray } = opList;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i]!;
    const args = argsArray[i] as unknown[] | null;
    st = s.state;
    s.current ??= facts();
    switch (fn) {
      case OPS.save:
        s.stack.push(s.state);
        s.state = s.state.clone();
        break;
      case OPS.restore:
        s.state = s.stack.pop() ?? s.state;
        break;
      case OPS.transform:
        st.ctm = multiply(st.ctm as Matrix, matrixOf(args as number[]));
        break;
      case OPS.paintFormXObjectBegin: {
        flushTextContentItem();
        const inner = st.clone();
        const m = args?.[0] as ArrayLike<number> | null | undefined;
        if (m && m.length >= 6) inner.ctm = multiply(inner.ctm as Matrix, fromFloat32(m));
        s = new Stream(inner);
        streams.push(s);
        break;
      }
      case OPS.paintFormXObjectEnd:
        if (streams.length > 1) {
          flushTextContentItem();
          streams.pop();
          s = streams[streams.length - 1]!;
        }
        break;
      // Image XObjects (Do) end the current item in getTextContent; inline images do not.
      case OPS.paintImageXObject:
      case OPS.paintImageXObjectRepeat:
      case OPS.paintImageMaskXObject:
      case OPS.paintImageMaskXObjectGroup:
      case OPS.paintImageMaskXObjectRepeat:
      case OPS.paintSolidColorImageMask:
      case OPS.beginMarkedContent:
      case OPS.beginMarkedContentProps:
      case OPS.endMarkedContent:
        flushTextContentItem();
        break;
      case OPS.setGState: {
        const entries = args?.[0] as [string, unknown][] | undefined;
        const font = entries?.find((e) => e[0] === "Font")?.[1] as [string, number] | undefined;
        if (font) {
          flushTextContentItem();
          st.font = null;
          setFont(String(font[0]), Number(font[1]) || 0);
        }
        break;
      }
      case OPS.setFont:
        setFont(String(args?.[0]), Number(args?.[1]) || 0);
        break;
      case OPS.setTextRise:
        st.textRise = Number(args?.[0]) || 0;
        break;
      case OPS.setHScale:
        st.textHScale = (Number(args?.[0]) || 0) / 100;
        break;
      case OPS.setLeading:
        st.leading = Number(args?.[0]) || 0;
        break;
      case OPS.moveText:
        st.translateTextLineMatrix(Number(args?.[0]) || 0, Number(args?.[1]) || 0);
        st.textMatrix = st.textLineMatrix.slice();
        break;
      case OPS.setLeadingMoveText:
        st.leading = -(Number(args?.[1]) || 0);
        st.translateTextLineMatrix(Number(args?.[0]) || 0, Number(args?.[1]) || 0);
        st.textMatrix = st.textLineMatrix.slice();
        break;
      case OPS.nextLine:
        st.carriageReturn();
        break;
      case OPS.setTextMatrix: {
        const m = fromFloat32(args?.[0] as ArrayLike<number>);
        st.textMatrix = m.slice();
        st.textLineMatrix = m.slice();
        updateAdvanceScale();
        break;
      }
      case OPS.setCharSpacing:
        st.charSpacing = Number(args?.[0]) || 0;
        break;
      case OPS.setWordSpacing:
        st.wordSpacing = Number(args?.[0]) || 0;
        break;
      case OPS.beginText:
        st.textMatrix = [...IDENTITY];
        st.textLineMatrix = [...IDENTITY];
        break;
      case OPS.showText: {
        if (!st.font) break;
        const elements = (args?.[0] ?? []) as unknown[];
        const spaceFactor = ((st.font.vertical ? 1 : -1) * st.fontSize) / 1000;
        let chunk: Glyph[] = [];
        let sawNumber = false;
        for (const el of elements) {
          if (typeof el === "number") {
            sawNumber = true;
            if (el !== 0) {
              buildTextContentItem(chunk, el * spaceFactor);
              chunk = [];
            }
          } else if (el && typeof el === "object") {
            chunk.push(el as Glyph);
          }
        }
        if (chunk.length > 0 || !sawNumber) buildTextContentItem(chunk, 0);
        break;
      }
      default:
        break;
    }
  }
  while (streams.length > 0) {
    s = streams.pop()!;
    st = s.state;
    flushTextContentItem();
  }
  return { items, styles };
}

/** The shortest decimal that rounds to this float32 (what the content stream said). */
export function decimalOfFloat32(f: number): number {
  if (Number.isInteger(f) || !Number.isFinite(f)) return f;
  return shortestDecimal(f);
}
const shortestDecimal = memoize((f: number): number => {
  for (let p = 1; p <= 9; p++) {
    const c = Number(f.toPrecision(p));
    if (Math.fround(c) === f) return c;
  }
  return f;
}, 100_000);

function fromFloat32(m: ArrayLike<number>): Matrix {
  const d = (i: number) => decimalOfFloat32(Number(m[i]) || 0);
  return [d(0), d(1), d(2), d(3), d(4), d(5)];
}

function sameMatrix(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
