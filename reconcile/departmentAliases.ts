// The same department under different names across years. Filings print a department's name as
// they please: 中国共产党江苏省委员会办公厅 in 2017, 中共江苏省委办公厅 in 2019 (the 委办 filings in
// /work/shared/real). Year-over-year views, the across-years rule and the series of a department
// (keys.ts) compare departments by `departmentKey(name)`:
//
//   1. normalise — only rewrites that cannot turn one department's name into another's:
//      Unicode NFKC (full-width letters, digits, brackets → half-width), whitespace removed,
//      中国共产党… → 中共…, 中共<place>委员会 → 中共<place>委 (a place ends in 省/市/区/县/州/盟/旗/自治区…:
//      the party committee of that place; 纪律检查委员会 and other bodies do not match), the
//      jurisdiction short forms of SHORT_FORMS, and a trailing 本级 / (本级) / 机关 (the department's
//      own accounts vs the department);
//   2. the alias table — names a reviewer has confirmed denote one department (DEPARTMENT_ALIASES).
//
// Nothing fuzzy: no edit distance, no substring match. Two names share a key only when a rule above
// or a reviewed alias entry says so. To add an alias, add an entry with the evidence in `note`;
// the module refuses (at import) a name listed under two departments.

export interface AliasEntry {
  /** The name shown for the department (its current official name). */
  department: string;
  /** Every other name its filings have printed (normalised before use, so spelling variants need no entry). */
  names: string[];
  /** Where the names were seen, and why they are the same department. */
  note: string;
}

/** Reviewed aliases. Each entry: one department; every name in it means that department. */
export const DEPARTMENT_ALIASES: readonly AliasEntry[] = Object.freeze([
  {
    department: "中共江苏省委办公厅",
    names: ["中国共产党江苏省委员会办公厅", "江苏省委办公厅", "省委办公厅"],
    note: "委办: 江苏省委办公厅2017年预算公开表格.pdf prints 中国共产党江苏省委员会办公厅, the 2019 filing 中共江苏省委办公厅; the publisher files both under 江苏省委办公厅 (ae86jack/open-budget pdf_files/jszwfw/江苏省委办公厅).",
  },
]);

/**
 * Jurisdiction short forms: within one province's filings the province is dropped (江苏省委 → 省委,
 * as the publisher's own file names do). Listed, not derived: only jurisdictions a reviewer added.
 * The lookahead keeps 江苏省委员会 (e.g. 政协江苏省委员会) whole.
 */
export const SHORT_FORMS: readonly (readonly [RegExp, string])[] = Object.freeze([[/江苏省委(?!员会)/g, "省委"] as const]);

const PLACE = "(?:自治区|自治州|自治县|省|市|区|县|州|盟|旗)";
const PARTY_COMMITTEE = new RegExp(`^中共(.*?${PLACE})委员会`);

/** The generic, safe normalisation of a department name (see the header). */
export function normalizeDepartment(name: string): string {
  let s = name.normalize("NFKC").replace(/\s+/gu, "");
  s = s.replace(/^中国共产党/u, "中共");
  s = s.replace(PARTY_COMMITTEE, "中共$1委");
  for (const [from, to] of SHORT_FORMS) s = s.replace(from, to);
  s = s.replace(/(?:\(本级\)|本级|机关)$/u, "");
  return s;
}

function buildIndex(entries: readonly AliasEntry[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const e of entries) {
    const key = normalizeDepartment(e.department);
    for (const n of [e.department, ...e.names]) {
      const k = normalizeDepartment(n);
      const other = index.get(k);
      if (other !== undefined && other !== key) throw new Error(`department alias table: "${n}" is listed under two departments (${other}, ${key})`);
      index.set(k, key);
    }
  }
  return index;
}

const INDEX = buildIndex(DEPARTMENT_ALIASES);

/** The key two names of the same department share. Equal keys = same department; nothing else is merged. */
export function departmentKey(name: string): string {
  const n = normalizeDepartment(name);
  return INDEX.get(n) ?? n;
}

/** Whether two department names denote the same department (by the rules above only). */
export function sameDepartment(a: string, b: string): boolean {
  return departmentKey(a) === departmentKey(b);
}

/** For tests and reviews: the index a table builds (throws on a name listed twice). */
export const aliasIndex = (entries: readonly AliasEntry[]): ReadonlyMap<string, string> => buildIndex(entries);
