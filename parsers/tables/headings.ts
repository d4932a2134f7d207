// The heading block printed above a table grid: number (`表 1`, `公开01表`, `1.`), title,
// 编制部门 and 单位. Read upwards from the grid's top edge, stopping at the first line that is
// not part of a heading (narrative, the previous table's notes).
import type { Unit } from "../model.ts";
import { labelKey, normalizeLabel } from "../text/normalizeLabel.ts";
import { looksLikeTableTitle } from "./kinds.ts";

export interface Line {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Heading {
  number?: string;
  title?: string;
  department?: string;
  unit?: Unit;
  /** Top of the heading block (the first line used). */
  top: number;
  linesUsed: Line[];
}

const NUMBER_ONLY = /^(表(\d{1,2})|公开(\d{1,2})表)$/u;
const NUMBERED_TITLE = /^(?:(表\d{1,2})|(公开\d{1,2}表)|(\d{1,2})[.．、]|([一二三四五六七八九十]{1,3})、)(.+)$/u;
const DEPARTMENT = /(?:编制部门|编制单位|预算单位|单位名称|部门名称|^部门)[:：]\s*(.+?)(?=\s*(?:金额)?单位[:：]|$)/u;
const UNIT = /(?:金额)?单位[:：]\s*(万元|元)/u;
const PAGE_NUMBER = /^[-—–\s]*(第\s*)?\d{1,4}\s*(页)?[-—–\s]*(\/\s*共?\s*\d+\s*页?)?$/u;
const BOOKLET_TITLE = /年度?部门(预|决)算(表|公开)?$|^(第[一二三四]部分)/u;

export function isPageNumberLine(text: string): boolean {
  return PAGE_NUMBER.test(text.normalize("NFKC").trim());
}

/** Parse one heading line; returns which parts it holds (a line can hold 部门 and 单位 together). */
export function readHeadingLine(text: string): Partial<Omit<Heading, "top" | "linesUsed">> & { matched: boolean } {
  const clean = normalizeLabel(text.normalize("NFKC"));
  const key = labelKey(clean);
  const out: Partial<Omit<Heading, "top" | "linesUsed">> & { matched: boolean } = { matched: false };
  const unit = UNIT.exec(key);
  if (unit) {
    out.unit = unit[1] as Unit;
    out.matched = true;
  }
  const dept = DEPARTMENT.exec(clean);
  if (dept && !/^(万元|元)$/u.test(dept[1]!.trim())) {
    out.department = dept[1]!.trim();
    out.matched = true;
  }
  if (out.matched) return out;
  const numberOnly = NUMBER_ONLY.exec(key);
  if (numberOnly) return { number: numberOnly[2] ? `表${numberOnly[2]}` : `公开${pad2(numberOnly[3]!)}表`, matched: true };
  const numbered = NUMBERED_TITLE.exec(key);
  if (numbered && looksLikeTableTitle(numbered[5]!)) {
    const number = numbered[1] ?? (numbered[2] ? numbered[2].replace(/\d+/u, (d) => pad2(d)) : (numbered[3] ?? numbered[4]));
    return { number, title: numbered[5]!, matched: true };
  }
  if (looksLikeTableTitle(key)) return { title: key, matched: true };
  if (BOOKLET_TITLE.test(key) || isPageNumberLine(key)) return { matched: true };
  return out;
}

function pad2(digits: string): string {
  return digits.length === 1 ? "0" + digits : digits;
}

/**
 * Collect the heading of a table whose grid starts at `tableTop`, from the page's outside
 * lines above it (and below `floor`, the previous table's bottom or the page top).
 */
export function findHeading(lines: readonly Line[], tableTop: number, floor: number, maxGap: number): Heading {
  const above = lines.filter((l) => l.y1 <= tableTop + 1 && l.y0 >= floor - 1).sort((a, b) => b.y0 - a.y0);
  const heading: Heading = { top: tableTop, linesUsed: [] };
  let lastTop = tableTop;
  for (let i = 0; i < above.length; i++) {
    const line = above[i]!;
    if (lastTop - line.y1 > maxGap) break;
    let read = readHeadingLine(line.text);
    let top = line.y0;
    // A title wrapped onto a second line (`…培训费支出预算` / `表`): read the two lines as one.
    const upper = above[i + 1];
    if (!read.matched && upper && line.y0 - upper.y1 < (line.y1 - line.y0) * 1.5) {
      const joined = readHeadingLine(upper.text + line.text);
      if (joined.title) {
        read = joined;
        heading.linesUsed.push(line);
        top = upper.y0;
        i++;
      }
    }
    if (!read.matched) break;
    heading.linesUsed.push(above[i]!);
    heading.top = top;
    lastTop = top;
    if (read.unit && !heading.unit) heading.unit = read.unit;
    if (read.department && !heading.department) heading.department = read.department;
    if (read.number && !heading.number) heading.number = read.number;
    if (read.title && !heading.title) heading.title = read.title;
  }
  return heading;
}
