// Page layouts → table drafts (each a title plus its grids, continuation pages stitched) and the
// narrative (every outside line that is not a heading, a page number or the 目录).
import type { RawTable, PageLayout } from "../layout/rawTable.ts";
import type { Unit } from "../model.ts";
import { labelKey } from "../text/normalizeLabel.ts";
import { findHeading, isPageNumberLine, readHeadingLine, type Line } from "../tables/headings.ts";
import { looksLikeTableTitle } from "../tables/kinds.ts";
import type { TableSettings } from "../tables/settings.ts";

export interface TableDraft {
  number?: string;
  title: string;
  department?: string;
  unit?: Unit;
  grids: RawTable[];
  note: string | null;
  /** Page where the title is printed (a table replaced by a sentence has no grid). */
  page: number;
}

export interface Located {
  drafts: TableDraft[];
  narrative: { page: number; text: string }[];
}

const EMPTY_NOTE = /无数据|为空|空表|无(此|该|相关)?(项|类)?(收支|支出|收入|经费|数据)|没有|未(安排|发生)|不涉及/u;

export function locateTables(pages: readonly PageLayout[], tocPages: ReadonlySet<number>, settings: TableSettings): Located {
  const drafts: TableDraft[] = [];
  const narrative: Located["narrative"] = [];
  let open: TableDraft | undefined;
  for (const page of pages) {
    const used = new Set<Line>();
    const lines = page.outsideLines;
    const tables = [...page.tables].sort((a, b) => a.y0 - b.y0);
    let floor = 0;
    tables.forEach((table, i) => {
      const heading = findHeading(lines, table.y0, floor, settings.headingMaxGap);
      heading.linesUsed.forEach((l) => used.add(l));
      const hasTitle = heading.title !== undefined || heading.number !== undefined;
      const textAbove = lines.some((l) => l.y1 <= table.y0 && l.y0 >= floor && !used.has(l) && !isPageNumberLine(l.text));
      if (hasTitle) {
        open = {
          ...(heading.number ? { number: heading.number } : {}),
          title: heading.title ?? heading.number ?? "",
          ...(heading.department ? { department: heading.department } : {}),
          ...(heading.unit ? { unit: heading.unit } : {}),
          grids: [table],
          note: null,
          page: page.pageNumber,
        };
        drafts.push(open);
      } else if (open && i === 0 && !textAbove) {
        open.grids.push(table); // continuation page, with or without a repeated header
      } else {
        open = { title: "", grids: [table], note: null, page: page.pageNumber };
        drafts.push(open);
      }
      // A note under the grid (本表无数据 …) belongs to this table.
      const next = tables[i + 1];
      for (const l of lines) {
        if (l.y0 >= table.y1 - 1 && l.y0 - table.y1 <= settings.noteMaxGap && (!next || l.y1 <= next.y0) && EMPTY_NOTE.test(labelKey(l.text))) {
          open.note = open.note ? open.note + labelKey(l.text) : labelKey(l.text);
          used.add(l);
        }
      }
      floor = table.y1;
    });
    // Titles with no grid under them: a table replaced by a sentence (or left out), on non-目录 pages.
    if (!tocPages.has(page.pageNumber)) {
      const sorted = [...lines].sort((a, b) => a.y0 - b.y0);
      sorted.forEach((line, i) => {
        if (used.has(line)) return;
        const read = readHeadingLine(line.text);
        if (!read.title || !isStandaloneTitle(line.text)) return;
        const noteLines: string[] = [];
        for (const after of sorted.slice(i + 1)) {
          const r = readHeadingLine(after.text);
          if (r.title) break;
          if (r.matched) {
            used.add(after);
            continue;
          }
          if (EMPTY_NOTE.test(labelKey(after.text))) {
            noteLines.push(labelKey(after.text));
            used.add(after);
          }
          break;
        }
        if (noteLines.length === 0) return;
        used.add(line);
        open = undefined;
        drafts.push({ ...(read.number ? { number: read.number } : {}), title: read.title, grids: [], note: noteLines.join(""), page: page.pageNumber });
      });
    }
    if (tocPages.has(page.pageNumber)) continue;
    for (const line of lines) {
      if (used.has(line) || isPageNumberLine(line.text)) continue;
      narrative.push({ page: page.pageNumber, text: line.text });
    }
    // A page with narrative text after the last table closes the open table.
    const lastTable = tables[tables.length - 1];
    if (!lastTable || lines.some((l) => !used.has(l) && l.y0 > lastTable.y1 && !isPageNumberLine(l.text))) open = undefined;
  }
  return { drafts, narrative };
}

function isStandaloneTitle(text: string): boolean {
  const key = labelKey(text);
  return looksLikeTableTitle(key) && key.length <= 40;
}
