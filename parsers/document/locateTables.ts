// Page layouts → table drafts (each a title plus its grids, continuation pages stitched) and the
// narrative (every outside line that is not a heading, a page number or the 目录).
import type { RawTable, PageLayout } from "../layout/rawTable.ts";
import type { Unit } from "../model.ts";
import { labelKey } from "../text/normalizeLabel.ts";
import { parseAmount } from "../tables/amounts.ts";
import { findHeading, isPageNumberLine, readHeadingLine, type Line } from "../tables/headings.ts";
import { looksLikeTableTitle } from "../tables/kinds.ts";
import type { TableSettings } from "../tables/settings.ts";
import { splitAtTitleRows, type GridHeading } from "../tables/splitGrid.ts";

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

/** Notes that say why a table is empty: 本表无数据, 此表为空, 本部门无该项目, 没有使用…安排的支出 … */
const EMPTY_NOTE = /本表无|无数据|为空|空表|本(部门|单位)(无|没有|未)|无(此|该|相关)(项目|项|类)?|无(收支|支出|收入|经费)|没有|未(安排|发生|使用)|不涉及/u;

/** A line that is a table row printed outside the ruling (text with an amount), not narrative. */
function isRowLike(text: string): boolean {
  return text.split(/\s+/u).some((tok) => parseAmount(tok) !== null && /[.,]/u.test(tok)) && !/[。；]/u.test(text);
}

function draftFrom(heading: GridHeading, page: number, grids: RawTable[]): TableDraft {
  return {
    ...(heading.number ? { number: heading.number } : {}),
    title: heading.title ?? heading.number ?? "",
    ...(heading.department ? { department: heading.department } : {}),
    ...(heading.unit ? { unit: heading.unit } : {}),
    grids,
    note: null,
    page,
  };
}

function merge(outer: GridHeading, inner: GridHeading | null): GridHeading {
  return { ...outer, ...Object.fromEntries(Object.entries(inner ?? {}).filter(([, v]) => v !== undefined)) };
}

export function locateTables(pages: readonly PageLayout[], tocPages: ReadonlySet<number>, settings: TableSettings): Located {
  const drafts: TableDraft[] = [];
  const narrative: Located["narrative"] = [];
  let open: TableDraft | undefined;
  /** A heading printed at the bottom of a page whose grid starts on the next page. */
  let pending: GridHeading | undefined;
  for (const page of pages) {
    const used = new Set<Line>();
    const lines = page.outsideLines;
    const tables = [...page.tables].sort((a, b) => a.y0 - b.y0);
    let floor = 0;
    tables.forEach((table, i) => {
      const found = findHeading(lines, table.y0, floor, settings.headingMaxGap);
      found.linesUsed.forEach((l) => used.add(l));
      const outer: GridHeading = { ...(found.number ? { number: found.number } : {}), ...(found.title ? { title: found.title } : {}), ...(found.unit ? { unit: found.unit } : {}), ...(found.department ? { department: found.department } : {}) };
      const textAbove = lines.some((l) => l.y1 <= table.y0 && l.y0 >= floor && !used.has(l) && !isPageNumberLine(l.text) && !isRowLike(l.text));
      splitAtTitleRows(table).forEach((part, p) => {
        const heading = p === 0 ? merge(outer, part.heading) : merge({}, part.heading);
        const titled = heading.title !== undefined || heading.number !== undefined;
        if (titled) {
          open = draftFrom(heading, page.pageNumber, [part.grid]);
          drafts.push(open);
        } else if (p === 0 && i === 0 && !textAbove && pending) {
          open = draftFrom(merge(pending, heading), page.pageNumber, [part.grid]);
          drafts.push(open);
        } else if (p === 0 && i === 0 && !textAbove && open) {
          open.grids.push(part.grid); // continuation page, with or without a repeated header
        } else if (p === 0 && i > 0 && !textAbove && open && table.y0 - tables[i - 1]!.y1 <= settings.stackedGridGap) {
          open.grids.push(part.grid); // a second grid right under the first (a 绩效 form, then its indicators)
        } else {
          open = draftFrom(heading, page.pageNumber, [part.grid]);
          drafts.push(open);
        }
        pending = undefined;
      });
      // A note under the grid (本表无数据 …) belongs to the table the grid ends.
      const next = tables[i + 1];
      for (const l of lines) {
        if (open && l.y0 >= table.y1 - 1 && l.y0 - table.y1 <= settings.noteMaxGap && (!next || l.y1 <= next.y0) && EMPTY_NOTE.test(labelKey(l.text))) {
          open.note = open.note ? open.note + labelKey(l.text) : labelKey(l.text);
          used.add(l);
        }
      }
      floor = table.y1;
    });
    const sorted = [...lines].sort((a, b) => a.y0 - b.y0);
    if (!tocPages.has(page.pageNumber)) {
      // Titles with no grid under them: a table replaced by a sentence, or a heading whose grid
      // starts on the next page.
      sorted.forEach((line, i) => {
        if (used.has(line)) return;
        const read = readHeadingLine(line.text);
        if (!read.title || !isStandaloneTitle(line.text)) return;
        const heading: GridHeading = { title: read.title, ...(read.number ? { number: read.number } : {}) };
        const noteLines: string[] = [];
        const headingLines: Line[] = [line];
        let rest = false;
        for (const after of sorted.slice(i + 1)) {
          if (used.has(after)) continue;
          const r = readHeadingLine(after.text);
          if (r.title) break;
          if (r.matched) {
            headingLines.push(after);
            if (r.unit) heading.unit = r.unit;
            if (r.department) heading.department = r.department;
            if (r.number) heading.number = r.number;
            continue;
          }
          if (EMPTY_NOTE.test(labelKey(after.text))) noteLines.push(labelKey(after.text));
          else rest = true;
          break;
        }
        const lastTable = tables[tables.length - 1];
        if (noteLines.length > 0) {
          headingLines.forEach((l) => used.add(l));
          sorted.filter((l) => noteLines.includes(labelKey(l.text))).forEach((l) => used.add(l));
          open = undefined;
          drafts.push({ ...draftFrom(heading, page.pageNumber, []), note: noteLines.join("") });
        } else if (!rest && (!lastTable || line.y0 >= lastTable.y1)) {
          headingLines.forEach((l) => used.add(l));
          pending = heading;
        }
      });
    }
    if (tocPages.has(page.pageNumber)) continue;
    for (const line of sorted) {
      if (used.has(line) || isPageNumberLine(line.text)) continue;
      narrative.push({ page: page.pageNumber, text: line.text });
    }
    // Narrative after the last table closes the open table: the next page's grid is a new one.
    const lastTable = tables[tables.length - 1];
    if (!lastTable || lines.some((l) => !used.has(l) && l.y0 > lastTable.y1 && !isPageNumberLine(l.text))) open = undefined;
  }
  return { drafts, narrative };
}

function isStandaloneTitle(text: string): boolean {
  const key = labelKey(text);
  return looksLikeTableTitle(key) && key.length <= 40;
}
