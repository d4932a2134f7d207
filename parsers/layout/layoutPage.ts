// PageModel → PageLayout: the whole geometry chain, each step its own small function.
//   lattice: rulings → mergeEdges → closeOpenEnds → edgesToIntersections → intersectionsToCells → cellsToTables → tableToGrid
//   text:    runs → assignRunsToCells (by glyph position, runs split at cell borders) → lines per cell
//   stream:  text left outside ruled tables → findStreamTables (aligned lines, whitespace columns)
//   rest:    → outsideLines, top to bottom
import type { PageModel } from "../pdf/pageModel.ts";
import type { PageLayout } from "./rawTable.ts";
import { resolveSettings, type LayoutSettings } from "./settings.ts";
import { closeOpenEnds, mergeEdges, rulingsToEdges } from "./edges.ts";
import { edgesToIntersections } from "./intersections.ts";
import { intersectionsToCells } from "./cells.ts";
import { cellsToTables, tableToGrid, type Grid } from "./tables.ts";
import { gridToRawTable } from "./rawTableFromGrid.ts";
import { assignRunsToCells } from "./assignText.ts";
import { runsToLines } from "./lines.ts";
import { findStreamTables } from "./stream.ts";

/** Ruled tables of a page as grids (no text yet). */
export function findLatticeGrids(page: Pick<PageModel, "rulings">, settings: LayoutSettings): Grid[] {
  const merged = mergeEdges(rulingsToEdges(page.rulings), settings);
  const edges = settings.openEndMinEdges > 0 ? mergeEdges(closeOpenEnds(merged, settings), settings) : merged;
  const intersections = edgesToIntersections(edges, settings);
  const cells = intersectionsToCells(intersections, settings);
  return cellsToTables(cells)
    .filter((t) => t.length >= settings.minTableCells)
    .map((t) => tableToGrid(t, settings));
}

export function layoutPage(page: PageModel, overrides?: Partial<LayoutSettings>): PageLayout {
  const settings = resolveSettings(overrides);
  const grids = findLatticeGrids(page, settings);
  const assignment = assignRunsToCells(grids, page.runs, settings);
  const tables = grids.map((g, i) => gridToRawTable(g, assignment.cellRuns[i]!, page.pageNumber, "lattice", settings));

  let rest = assignment.outside;
  if (settings.stream) {
    const found = findStreamTables(rest, page, grids, settings);
    tables.push(...found.tables);
    rest = found.rest;
  }
  tables.sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);

  return {
    pageNumber: page.pageNumber,
    width: page.width,
    height: page.height,
    tables,
    outsideLines: runsToLines(rest, settings),
  };
}
