// PDF bytes → PageModels. The one place that talks to pdfjs-dist.
//
// openPdf validates the bytes and limits, opens the document and returns a handle whose
// readPage(n) extracts one page from one pdfjs pass (getOperatorList): text items (textContent.ts),
// cleaned into text runs (textRuns.ts), and rulings (rulings.ts), both helped by one operator-list
// walk (opWalker.ts), in viewport space (upright, top-left).
import type { PageModel, PdfInfo } from "./pageModel.ts";
import { PdfError } from "./errors.ts";
import { resolveLimits, type PdfLimits } from "./limits.ts";
import { findDecompressionBomb } from "./streamGuard.ts";
import { loadPdfjs, resolvePdfjsAssets, sameThreadWorker, textOnlyFontOptions } from "./pdfjsRuntime.ts";
import { walkOperatorList, type Matrix, type PathPaint } from "./opWalker.ts";
import { extractRulings, type RulingSettings } from "./rulings.ts";
import { readTextFont, textContentFromOperatorList, type TextFont } from "./textContent.ts";
import { buildTextRuns, DEFAULT_TEXT_RUN_SETTINGS, VisibilityTracker, type RawTextItem, type TextRunSettings, type TextRunStats, type TextStyle } from "./textRuns.ts";

export interface PdfSettings {
  rulings?: Partial<RulingSettings>;
  textRuns?: Partial<TextRunSettings>;
}

export interface OpenedPdf {
  info: PdfInfo;
  pageCount: number;
  limits: PdfLimits;
  /** Extract page n (1-based). Rejects with PdfError("page_timeout" | "corrupt"). */
  readPage(n: number): Promise<PageModel>;
  /**
   * Every page in order. Rejects with PdfError("no_text_layer") when no page has any text
   * (a scan without OCR): the tables cannot be read without OCR.
   */
  readAllPages(): Promise<PageModel[]>;
  /** Per-page drop counts of the last readPage calls (diagnostics for dumpPages / evaluation). */
  stats: Map<number, TextRunStats>;
  close(): Promise<void>;
}

const PDF_HEADER = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

/** The PDF spec lets the header start anywhere in the first 1024 bytes. */
function findHeader(bytes: Uint8Array): number {
  const end = Math.min(bytes.length - PDF_HEADER.length, 1024);
  outer: for (let i = 0; i <= end; i++) {
    for (let k = 0; k < PDF_HEADER.length; k++) if (bytes[i + k] !== PDF_HEADER[k]) continue outer;
    return i;
  }
  return -1;
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export async function openPdf(bytes: Uint8Array, limits?: Partial<PdfLimits>, settings: PdfSettings = {}): Promise<OpenedPdf> {
  const lim = resolveLimits(limits);
  if (!bytes || bytes.length === 0) throw new PdfError("empty", "The file is empty (0 bytes): nothing to read. Upload the PDF again.");
  if (bytes.length > lim.maxBytes) {
    throw new PdfError("too_large", `The file is ${mb(bytes.length)}, over the ${mb(lim.maxBytes)} limit for one PDF.`);
  }
  if (findHeader(bytes) < 0) {
    throw new PdfError("not_pdf", "The file is not a PDF (it does not start with %PDF-). Check that the right file was uploaded, not a Word/Excel/HTML file renamed to .pdf.");
  }
  const bomb = findDecompressionBomb(bytes, lim.maxStreamBytes);
  if (bomb) {
    throw new PdfError("decompression_bomb", `The PDF holds a compressed stream (at byte ${bomb.offset}, ${bomb.filters}) that inflates to more than ${mb(lim.maxStreamBytes)}: a decompression bomb, not a disclosure. It was not read.`);
  }
  const pdfjs = await loadPdfjs();
  const assets = resolvePdfjsAssets();
  const worker = await sameThreadWorker();
  const task = pdfjs.getDocument({
    worker,
    // pdfjs transfers (detaches) the buffer it is given: hand it a copy so the caller's bytes survive.
    data: bytes.slice(),
    isEvalSupported: false,
    ...textOnlyFontOptions(),
    useSystemFonts: false,
    cMapUrl: assets.cMapUrl,
    cMapPacked: true,
    standardFontDataUrl: assets.standardFontDataUrl,
    wasmUrl: assets.wasmUrl,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    maxImageSize: lim.maxImagePixels,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  // pdfjs leaves a worker it was given alive: every exit below goes through destroyTask.
  const destroyTask = async () => {
    await task.destroy().catch(() => undefined);
    worker.destroy();
  };
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (e) {
    await destroyTask();
    const name = (e as { name?: string })?.name;
    if (name === "PasswordException") {
      throw new PdfError("encrypted", "The PDF is password-protected: it cannot be opened without the password. Ask the publisher for an unprotected copy.", { cause: e });
    }
    throw new PdfError("corrupt", `The PDF is damaged and cannot be read (${(e as Error)?.message ?? String(e)}). It may be truncated: download it again.`, { cause: e });
  }
  const pageCount = doc.numPages;
  if (pageCount > lim.maxPages) {
    await destroyTask();
    throw new PdfError("too_many_pages", `The PDF has ${pageCount} pages, over the limit of ${lim.maxPages} pages for one file.`);
  }
  if (pageCount === 0) {
    await destroyTask();
    throw new PdfError("corrupt", "The PDF has no pages.");
  }
  const info: PdfInfo = { pageCount };
  try {
    const meta = await doc.getMetadata();
    const i = (meta.info ?? {}) as Record<string, unknown>;
    if (typeof i.Producer === "string" && i.Producer) info.producer = i.Producer;
    if (typeof i.Creator === "string" && i.Creator) info.creator = i.Creator;
    if (typeof i.Title === "string" && i.Title) info.title = i.Title;
  } catch {
    /* metadata is optional */
  }

  // Hidden layers (optional content switched off in the default view) are not shown.
  let ocConfig: { isVisible(group: unknown): boolean } | null = null;
  try {
    ocConfig = (await doc.getOptionalContentConfig()) as unknown as { isVisible(group: unknown): boolean };
  } catch {
    /* no usable optional-content configuration: everything visible */
  }
  const isVisible = (group: unknown) => {
    try {
      return ocConfig ? ocConfig.isVisible(group) : true;
    } catch {
      return true;
    }
  };

  const stats = new Map<number, TextRunStats>();
  let closed = false;

  async function extractPage(n: number): Promise<PageModel> {
    const page = await doc.getPage(n);
    try {
      const viewport = page.getViewport({ scale: 1 });
      const vt = viewport.transform as Matrix;
      const width = round2(viewport.width);
      const height = round2(viewport.height);
      // One pdfjs pass: the operator list gives the rulings, the visibility of text and the text
      // items themselves (textContent.ts rebuilds what getTextContent would return). A macrotask
      // yield follows it: pdfjs's fake worker runs in this thread and yields only through
      // microtasks, so the timeout timer can fire only between phases.
      const opList = await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE });
      await yieldToEventLoop();
      const fontCache = new Map<string, TextFont>();
      const fontInfo = (name: string): TextFont => {
        let f = fontCache.get(name);
        if (!f) fontCache.set(name, (f = readTextFont(page.commonObjs, name)));
        return f;
      };
      let content = textContentFromOperatorList(pdfjs, opList, fontInfo, page.view);
      if (!opList.fnArray.includes(pdfjs.OPS.showText)) {
        // No text in the operator list. pdfjs drops a page's whole operator list when the page's
        // annotations cannot be parsed (hostile nesting), while getTextContent, which does not
        // read annotations, still finds the text; on a page without text this pass is cheap.
        const tc = await page.getTextContent({ includeMarkedContent: false });
        await yieldToEventLoop();
        content = { items: tc.items.filter((it): it is typeof it & RawTextItem => "str" in it) as RawTextItem[], styles: tc.styles as Record<string, TextStyle> };
      }
      const textSettings = settings.textRuns ?? {};
      const visibility = new VisibilityTracker(vt, { ...DEFAULT_TEXT_RUN_SETTINGS, ...textSettings });
      const paths: PathPaint[] = [];
      walkOperatorList(pdfjs, opList, [1, 0, 0, 1, 0, 0], fontInfo, {
        path: (p) => {
          paths.push(p);
          visibility.path(p);
        },
        text: (t) => visibility.text(t),
        image: (i) => visibility.image(i),
      }, isVisible);
      const rulings = extractRulings(paths, vt, width, height, settings.rulings);
      // Bound the work on pathological pages: more than twice the run limit is never needed.
      const allItems = content.items;
      const items = capItems(allItems, 2 * lim.maxRunsPerPage);
      const { runs, stats: st } = buildTextRuns({
        items,
        styles: content.styles,
        viewport: vt,
        pageWidth: width,
        pageHeight: height,
        visibility,
        rulings,
        fontNameOf: (loaded) => decodeFontName(fontInfo(loaded)?.name),
        settings: textSettings,
      });
      stats.set(n, st);
      const model: PageModel = {
        pageNumber: n,
        width,
        height,
        rotation: page.rotate,
        runs,
        rulings,
      };
      if (runs.length > lim.maxRunsPerPage) {
        model.runs = runs.slice(0, lim.maxRunsPerPage);
        const total = items.length < allItems.length ? `more than ${runs.length}` : `${runs.length}`;
        model.warnings = [`Page ${n} has ${total} text runs; only the first ${lim.maxRunsPerPage} were kept (PdfLimits.maxRunsPerPage).`];
      }
      return model;
    } finally {
      page.cleanup();
    }
  }

  async function readPage(n: number): Promise<PageModel> {
    if (closed) throw new Error("openPdf: document already closed");
    if (!Number.isInteger(n) || n < 1 || n > pageCount) throw new RangeError(`Page ${n} does not exist (the PDF has ${pageCount} pages)`);
    // The limit is enforced twice: a timer that rejects at the next async boundary of the
    // extraction (pdfjs parses in this thread and cannot be pre-empted inside one operator-list
    // or text-content pass), and a check of the elapsed time once the page is done, so a page
    // over the limit always fails the same way. Only a worker thread / the Lambda timeout can
    // bound wall time harder.
    const tooSlow = () => new PdfError("page_timeout", `Page ${n} took longer than ${formatMs(lim.pageTimeoutMs)} to read; the page is too complex or damaged.`, { page: n });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(tooSlow()), lim.pageTimeoutMs);
    });
    const started = performance.now();
    try {
      const model = await Promise.race([extractPage(n), timeout]);
      if (performance.now() - started > lim.pageTimeoutMs) throw tooSlow();
      return model;
    } catch (e) {
      if (e instanceof PdfError) throw e;
      throw new PdfError("corrupt", `Page ${n} of the PDF is damaged and cannot be read (${(e as Error)?.message ?? String(e)}).`, { page: n, cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    info,
    pageCount,
    limits: lim,
    stats,
    readPage,
    async readAllPages() {
      const pages: PageModel[] = [];
      for (let n = 1; n <= pageCount; n++) pages.push(await readPage(n));
      if (pages.every((p) => p.runs.length === 0)) {
        throw new PdfError("no_text_layer", `The PDF has no text layer on any of its ${pageCount} pages (it is a scan or images only); its tables cannot be read without OCR.`);
      }
      return pages;
    },
    async close() {
      if (closed) return;
      closed = true;
      await destroyTask();
    },
  };
}

/** Open, read every page, close. */
export async function extractPages(bytes: Uint8Array, limits?: Partial<PdfLimits>, settings?: PdfSettings): Promise<{ info: PdfInfo; pages: PageModel[] }> {
  const pdf = await openPdf(bytes, limits, settings);
  try {
    return { info: pdf.info, pages: await pdf.readAllPages() };
  } finally {
    await pdf.close();
  }
}

/**
 * Chinese producers write BaseFont names as raw GBK bytes (宋体 arrives as "ËÎÌå"); decode them
 * so fontName is readable. Names that are not valid GBK are returned unchanged.
 */
export function decodeFontName(name: string | undefined): string | undefined {
  if (!name || !/[\u0080-\u00ff]/.test(name) || [...name].some((ch) => ch.charCodeAt(0) > 0xff)) return name;
  try {
    return new TextDecoder("gbk", { fatal: true }).decode(Buffer.from(name, "latin1"));
  } catch {
    return name;
  }
}

/** The items up to the one that makes `max` non-blank items (pdfjs also emits blank spacer items). */
function capItems(items: RawTextItem[], max: number): RawTextItem[] {
  if (items.length <= max) return items;
  let seen = 0;
  for (let i = 0; i < items.length; i++) {
    if (items[i]!.str.trim() !== "" && ++seen > max) return items.slice(0, i);
  }
  return items;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
