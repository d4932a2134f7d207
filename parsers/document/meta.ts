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

export function tableOfContentsEntries(lines: readonly string[]): string[] {
  return lines
    .map(labelKey)
    .map((k) => k.replace(/[…．.·]{2,}.*$/u, "").trim())
    .filter((k) => /表$/u.test(k) && k.length <= 60);
}

export function readMeta(firstPagesText: readonly string[], tableTitles: readonly string[], departments: readonly string[], toc: string[]): Meta {
  const text = firstPagesText.map(labelKey).join("\n");
  const titleLine = firstPagesText.map(labelKey).find((l) => /(预算|决算)/u.test(l) && /20\d\d/u.test(l) && l.length <= 60);
  const yearMatch = /(20\d\d)\s*年度?/u.exec(titleLine ?? "") ?? /(20\d\d)\s*年度?/u.exec(text);
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
  const department = mostCommon(departments) ?? departmentFromTitle(titleLine);
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

function departmentFromTitle(title: string | undefined): string | undefined {
  const m = title ? /^(.+?)20\d\d年度?/u.exec(title) : null;
  return m && m[1]!.length >= 2 ? m[1] : undefined;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, n] of counts) if (n > bestCount) [best, bestCount] = [v, n];
  return best;
}
