// What one PDF page looks like to the table finder: positioned text runs and ruling segments.
// Coordinates: PDF points, page upright after /Rotate and the viewport transform,
// origin top-left, y grows downwards.

export interface TextRun {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  fontSize: number;
  fontName: string;
}

/** An axis-aligned ruling segment (stroked line or thin filled rectangle), already merged. */
export interface Ruling {
  orientation: "h" | "v";
  /** For "h": y; for "v": x. */
  at: number;
  /** Extent along the line: x0..x1 for "h", y0..y1 for "v". */
  from: number;
  to: number;
}

export interface PageModel {
  /** 1-based. */
  pageNumber: number;
  width: number;
  height: number;
  /** /Rotate of the page as declared (0, 90, 180, 270). */
  rotation: number;
  runs: TextRun[];
  rulings: Ruling[];
  /** Problems met while reading the page (e.g. runs truncated at PdfLimits.maxRunsPerPage). */
  warnings?: string[];
}

export interface PdfInfo {
  pageCount: number;
  producer?: string;
  creator?: string;
  title?: string;
}
