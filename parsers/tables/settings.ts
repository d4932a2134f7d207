// Every tolerance the table-semantics layer uses, in one place.
export interface TableSettings {
  /** Max vertical gap (pt) between the lines of a heading block above a grid. */
  headingMaxGap: number;
  /** How far below a grid (pt) a note such as 本表无数据 may sit and still belong to it. */
  noteMaxGap: number;
  /** A continuation grid must start within this distance (pt) of the page's top text. */
  continuationTopSlack: number;
  /** Max gap (pt) between two grids stacked with no text between them for them to be one table. */
  stackedGridGap: number;
  /** Minimum horizontal overlap (fraction of the narrower) to map a continuation column. */
  columnOverlap: number;
}

export const DEFAULT_TABLE_SETTINGS: TableSettings = {
  headingMaxGap: 100,
  noteMaxGap: 120,
  continuationTopSlack: 80,
  columnOverlap: 0.5,
  stackedGridGap: 24,
};
