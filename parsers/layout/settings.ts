// Every tolerance of the table geometry layer, in one place (pdfplumber's table_settings idea).
// Units are PDF points unless the name says "Ratio" (then: times the font size of the text involved).

export interface LayoutSettings {
  // ── lattice: rulings → edges ──────────────────────────────────────────────
  /** Edges whose positions differ by at most this are snapped onto one line (double strokes, fill + stroke). */
  snapTolerance: number;
  /** Collinear segments whose ends are at most this far apart are joined (Word draws rulings as fragments). */
  joinTolerance: number;
  /** Edges shorter than this after joining are ignored (dots, tick marks, underline crumbs). */
  edgeMinLength: number;
  /**
   * Add the missing closing rule where at least this many parallel edges end at one coordinate with
   * no rule across them (a table continued from the previous page starts without a top rule).
   * 0 disables it.
   */
  openEndMinEdges: number;
  /** A horizontal and a vertical edge intersect if each reaches within this of the other. */
  intersectionTolerance: number;
  /** Cell corners closer than this are the same grid line when building rowEdges/colEdges. */
  gridTolerance: number;
  /** A lattice table needs at least this many cells (a lone rectangle is a frame or a text box, not a table). */
  minTableCells: number;
  /** Cells thinner than this (either direction) are dropped: the gap between a double border. */
  minCellSize: number;

  // ── text: runs → lines ───────────────────────────────────────────────────
  /** Two runs are on one text line if their vertical overlap is at least this share of the shorter run's height. */
  lineOverlapRatio: number;
  /**
   * Between two runs joined on one line, insert ONE space iff the gap exceeds this × font size.
   * Runs' own inner spaces are kept verbatim; we never insert more than one space. Letter-spaced
   * labels (`合   计`) therefore come out as `合 计` or `合   计`: collapsing whitespace between Han
   * characters is left to normalisation downstream, which is the only place that knows the meaning.
   */
  spaceGapRatio: number;
  /** A run is split per character across cell borders only if a border lies this far inside the run. */
  splitMargin: number;

  // ── stream: unruled tables from text alignment ───────────────────────────
  /** Enable the text-alignment fallback for tables without (full) ruling. */
  stream: boolean;
  /**
   * Inside a line, a gap wider than this × font size separates two cells (a "segment" boundary).
   * 类/款/项 code columns are only ~1.4 em apart; justified prose stays well below 1 em.
   */
  streamSegmentGapRatio: number;
  /** Between a code (`01`) and a name, a gap of this × font size already separates two cells. */
  streamCodeGapRatio: number;
  /** A stream table needs at least this many rows with ≥ 2 segments. */
  streamMinRows: number;
  /** …and at least this many columns. */
  streamMinCols: number;
  /**
   * …and at least this many rows with an amount (a number) outside the first column. Budget
   * tables have amounts (a 三公 table may have a single row of them, plus its 合计); without this a
   * numbered list (`1.  2025年…预算总表`) or a table of contents looks like a two-column table.
   */
  streamMinAmountRows: number;
  /**
   * Consecutive table lines may be at most this × font size apart (gap between line boxes): A3
   * tables have rows 2–3 em apart. Titles and notes around a table do not join it anyway (a
   * region starts and ends on a multi-segment line).
   */
  streamMaxLineGapRatio: number;
  /** A column gap must be empty in at least this share of the table's multi-segment lines. */
  streamGapSupportRatio: number;
  /** A one-segment line inside a table region wider than this share of the region is prose: it ends the region. */
  streamMaxSingleLineRatio: number;
  /** A horizontal rule counts as a row separator of a stream table if it spans this share of the table width. */
  streamRuleSpanRatio: number;
  /**
   * Lines that are never table rows even when their alignment says so: the 编制部门/单位 line printed
   * right above a table has two far-apart segments like a row, and would become a bogus first row.
   */
  streamNonRowPatterns: RegExp[];
}

export const DEFAULT_LAYOUT_SETTINGS: Readonly<LayoutSettings> = Object.freeze({
  snapTolerance: 3,
  joinTolerance: 3,
  edgeMinLength: 3,
  openEndMinEdges: 3,
  intersectionTolerance: 3,
  gridTolerance: 2,
  minTableCells: 2,
  minCellSize: 2,

  lineOverlapRatio: 0.5,
  spaceGapRatio: 0.25,
  splitMargin: 1,

  stream: true,
  streamSegmentGapRatio: 1,
  streamCodeGapRatio: 0.4,
  streamMinRows: 3,
  streamMinCols: 2,
  streamMinAmountRows: 2,
  streamMaxLineGapRatio: 4,
  streamGapSupportRatio: 0.8,
  streamMaxSingleLineRatio: 0.6,
  streamRuleSpanRatio: 0.8,
  streamNonRowPatterns: [/^\s*(编制)?(部门|单位)(名称)?\s*[:：]/, /^\s*表\s*\d+\s*$/],
});

export function resolveSettings(overrides?: Partial<LayoutSettings>): LayoutSettings {
  return { ...DEFAULT_LAYOUT_SETTINGS, ...(overrides ?? {}) };
}
