// Document-level facts read from the text: department, year, budget vs 决算, template family,
// and the document's own 目录 (table of contents).
import type { DisclosureDocument } from "../model.ts";
import { labelKey } from "../text/normalizeLabel.ts";

type Meta = DisclosureDocument["meta"];

/** A 目录 page: titled 目录, or several dot-leader lines. */
export function isTableOfContentsPage(lines: readonly string[]): boolean {
  const keys = lines.map(labelKey);
  const leaders = keys.filter((k) => /[…]{2,}|\.{4,}|·{4,}/u.test(k)).length;
  return keys.some((k) => k === "目录") || leaders >= 3;
}

const NUMBERED_ENTRY = /^([一二三四五六七八九十]{1,3}、|\d{1,2}[.．、]|表\d|公开\d|第[一二三四]部分)/u;

/** 目录 entries ending in 表; an entry wrapped onto the next line is joined back. */
export function tableOfContentsEntries(lines: readonly string[]): string[] {
  const entries: string[] = [];
  for (const line of lines.map(labelKey)) {
    const text = line.replace(/[…．.·]{2,}.*$/u, "").replace(/\d+$/u, "").trim();
    if (text === "") continue;
    const last = entries[entries.length - 1];
    if (last !== undefined && !NUMBERED_ENTRY.test(text) && !/表$/u.test(last)) entries[entries.length - 1] = last + text;
    else entries.push(text);
  }
  return entries.filter((k) => /表$/u.test(k) && k.length <= 60);
}

export function readMeta(firstPagesText: readonly string[], tableTitles: readonly string[], departments: readonly string[], toc: string[], fileName = ""): Meta {
  const text = firstPagesText.map(labelKey).join("\n");
  const titleLine = coverTitle(firstPagesText);
  const yearMatch =
    /(20\d\d)\s*年度?/u.exec(titleLine ?? "") ?? /(20\d\d)\s*年度?/u.exec(text) ?? /(20\d\d)\s*年度?/u.exec(tableTitles.join("\n")) ?? /(20\d\d)/u.exec(fileName);
  const all = text + "\n" + tableTitles.join("\n");
  const finalAccounts = /决算/u.test(titleLine ?? "") || tableTitles.filter((t) => /决算/u.test(t)).length >= 2;
  const budget = /预算/u.test(all);
  const titles = tableTitles.map(labelKey);
  const family: Meta["family"] = titles.some((t) => /^公开\d+表/u.test(t)) || /江苏/u.test(all)
    ? "jiangsu"
    : titles.some((t) => /财务收支预算总表|收入支出决算总表/u.test(t)) || /上海/u.test(all)
      ? "shanghai"
      : titles.some((t) => /情况(明细)?表$/u.test(t))
        ? "seed11"
        : "unknown";
  const department = mostCommon(departments) ?? departmentFromTitle(titleLine) ?? departmentFromOverview(text);
  const year = yearMatch ? Number(yearMatch[1]) : undefined;
  return {
    ...(titleLine ? { title: titleLine } : {}),
    ...(department ? { department } : {}),
    ...(year ? { year } : {}),
    docType: finalAccounts ? "final_accounts" : budget ? "budget" : "unknown",
    family,
    tableOfContents: toc,
  };
}

/**
 * The cover title, which producers often break over several lines (`上海市普陀区规划和自然` /
 * `资源局` / `2024 年度部门决算`): lines joined until one names the year and 预算/决算.
 */
function coverTitle(lines: readonly string[]): string | undefined {
  let joined = "";
  for (const raw of lines.slice(0, 8)) {
    const line = labelKey(raw);
    if (/^目录$|^第[一二三四]部分/u.test(line)) break;
    joined += line;
    if (/20\d\d/u.test(joined) && /(预算|决算)/u.test(joined)) return joined.length <= 80 ? joined : undefined;
  }
  return undefined;
}

function departmentFromTitle(title: string | undefined): string | undefined {
  if (!title) return undefined;
  const before = /^(?:第[一二三四]部分)?(.+?)20\d\d年度?/u.exec(title)?.[1];
  const after = /^20\d\d年度?(.+?)(?:部门)?(?:预算|决算)/u.exec(title)?.[1];
  return [before, after].find((d) => d !== undefined && d.length >= 2 && d !== "部门");
}

/** `第一部分 上海市普陀区规划和自然资源局概况` names the department too. */
function departmentFromOverview(text: string): string | undefined {
  const m = /第一部分\s*(.{2,40}?)(?:20\d\d年度?)?(?:部门)?概况/u.exec(text);
  return m && m[1] !== "部门" ? m[1] : undefined;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, n] of counts) if (n > bestCount) [best, bestCount] = [v, n];
  return best;
}
