// The PDF page-extraction layer: bytes → PageModel (text runs + rulings per page).
export { openPdf, extractPages, type OpenedPdf, type PdfSettings } from "./loadPdf.ts";
export { PdfError, isPdfError, type PdfErrorCode } from "./errors.ts";
export { DEFAULT_PDF_LIMITS, type PdfLimits } from "./limits.ts";
export { DEFAULT_RULING_SETTINGS, type RulingSettings } from "./rulings.ts";
export { DEFAULT_TEXT_RUN_SETTINGS, type TextRunSettings } from "./textRuns.ts";
export type { PageModel, TextRun, Ruling, PdfInfo } from "./pageModel.ts";
