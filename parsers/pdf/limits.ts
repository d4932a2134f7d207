// Resource limits for one PDF, in one place. A Lambda has bounded memory and time; a hostile or
// broken upload must fail with a clear PdfError instead of exhausting either.

export interface PdfLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number;
  /** Most pages accepted in one file. */
  maxPages: number;
  /** Longest time one page may take to extract (text + operator list), in ms. */
  pageTimeoutMs: number;
  /**
   * Most text runs kept per page. A page over it is truncated (first runs in content order kept)
   * and carries a warning on PageModel.warnings: a budget page has a few hundred runs; tens of
   * thousands means per-glyph output or garbage, and the rest of the document is still useful.
   */
  maxRunsPerPage: number;
  /**
   * Largest image (pixels) pdfjs decodes while building a page's operator list. Images are not
   * read for their content here, only placed; a bigger one is skipped (a guard against
   * decompression bombs), so it cannot count as the background of white text.
   */
  maxImagePixels: number;
  /**
   * Most bytes one Flate stream may inflate to (checked natively before pdfjs reads the file,
   * streamGuard.ts). A budget page's content stream is a few hundred KB; a scan's image tens of MB.
   */
  maxStreamBytes: number;
  /**
   * Most memory (MB) one parse may add to the process. Enforced only where the parse runs in a
   * worker thread (functions/shared/parseInWorker.ts stops the worker and the document fails with
   * memory_limit); the parser itself cannot bound its own memory. A 300-page filing peaks near
   * 220 MB RSS in all; 1 GB leaves a 2 GB Lambda room for the rest.
   */
  maxMemoryMb: number;
}

export const DEFAULT_PDF_LIMITS: Readonly<PdfLimits> = Object.freeze({
  maxBytes: 100 * 1024 * 1024,
  maxPages: 500,
  pageTimeoutMs: 20_000,
  maxRunsPerPage: 50_000,
  maxStreamBytes: 256 * 1024 * 1024,
  maxImagePixels: 50_000_000,
  maxMemoryMb: 1024,
});

export function resolveLimits(limits?: Partial<PdfLimits>): PdfLimits {
  const out: PdfLimits = { ...DEFAULT_PDF_LIMITS };
  for (const key of Object.keys(DEFAULT_PDF_LIMITS) as (keyof PdfLimits)[]) {
    const v = limits?.[key];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`PdfLimits.${key} must be a positive number, got ${v}`);
    out[key] = v;
  }
  return out;
}
