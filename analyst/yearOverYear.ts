// A department year over year: every table row side by side across its filings, with the change
// computed from the printed figures (in 元, exact, whatever unit each year printed) next to what the
// filings themselves state (比上年增加/减少 … in the narrative), and headcount over the years with
// what each filing claimed. Pure: stored document models in, comparison out.
import type { DisclosureDocument, Table } from "../parsers/model.ts";
import { extractNarrativeFacts } from "../parsers/narrative/index.ts";
import type { Flag } from "../reconcile/flag.ts";
import { formatYuan, micro, percentChange } from "./money.ts";
import { PATH_SEPARATOR } from "./tidy.ts";

export interface Filing {
  docId: string;
  year: number;
  fileName: string;
  model: DisclosureDocument;
  flags: readonly Flag[];
}

export interface YearValue {
  docId: string;
  /** As printed, in `unit`. */
  value: string;
  text: string;
  unit: string | null;
  /** Exact, converted to 元. */
  yuan: string;
  page: number;
}

export interface YoyRow {
  /** code:<scheme>:<code> or label:<label> — how the row is matched across years. */
  key: string;
  label: string[];
  code?: string;
  isTotal: boolean;
  /** column path (joined) → year → value */
  values: Record<string, Record<string, YearValue>>;
  /** column path → change between consecutive years that both print the value, in 元. */
  changes: Record<string, { from: number; to: number; yuan: string; percent?: string }[]>;
}

export interface YoyTable {
  kind: string;
  title: string;
  numbers: Record<string, string>;
  columns: string[];
  rows: YoyRow[];
}

export interface StatedChange {
  year: number;
  docId: string;
  page: number;
  subject: string;
  amount: string;
  unit: string;
  direction: string;
  changeAmount?: string;
  changePercent?: string;
  base: string;
  sentence: string;
}

export interface YearOverYear {
  department: string;
  docType: string;
  years: number[];
  filings: { year: number; docId: string; fileName: string }[];
  tables: YoyTable[];
  stated: StatedChange[];
  /** The reconciliation's own across-years findings (stated change vs the stored previous filing). */
  yearFlags: (Flag & { year: number; docId: string })[];
}

const norm = (s: string): string => s.replace(/\s+/g, "");

function rowKey(label: readonly string[], code: { scheme: string; code: string } | undefined): string {
  return code ? `code:${code.scheme}:${code.code}` : `label:${norm(label.join("|"))}`;
}

/** Rows of a table as one list of (label, code, values by column path); two-sided tables give both sides. */
function sides(table: Table): { key: string; label: string[]; code?: string; isTotal: boolean; cells: Map<string, { value: string; text: string; page: number }> }[] {
  const cols = new Map(table.columns.map((c) => [c.index, c]));
  const out: ReturnType<typeof sides> = [];
  for (const row of table.rows) {
    const left = { key: rowKey(row.label, row.code), label: row.label, code: row.code?.code, isTotal: row.isTotal, cells: new Map<string, { value: string; text: string; page: number }>() };
    const right = row.rightLabel
      ? { key: rowKey(row.rightLabel, row.rightCode), label: row.rightLabel, code: row.rightCode?.code, isTotal: row.isTotal, cells: new Map<string, { value: string; text: string; page: number }>() }
      : undefined;
    for (const cell of row.cells) {
      const col = cols.get(cell.column);
      if (cell.value === null || (col && col.role !== "value")) continue;
      const path = (col?.path ?? [`#${cell.column}`]).map(norm).join(PATH_SEPARATOR);
      (col?.side === "right" && right ? right : left).cells.set(path, { value: cell.value, text: cell.text, page: cell.page });
    }
    out.push(left);
    if (right) out.push(right);
  }
  return out;
}

export function yearOverYear(department: string, docType: string, filings: readonly Filing[]): YearOverYear {
  const sorted = [...filings].sort((a, b) => a.year - b.year);
  const years = sorted.map((f) => f.year);
  const tables = new Map<string, YoyTable>();
  for (const f of sorted) {
    const seenKinds = new Set<string>();
    for (const table of f.model.tables) {
      // One table per kind per filing (performance tables repeat per project: keyed by their number).
      const tkey = table.kind === "performance_project" || table.kind === "other" ? `${table.kind}:${norm(table.number)}` : table.kind;
      if (seenKinds.has(tkey)) continue;
      seenKinds.add(tkey);
      let t = tables.get(tkey);
      if (!t) tables.set(tkey, (t = { kind: table.kind, title: table.title, numbers: {}, columns: [], rows: [] }));
      t.title = table.title;
      t.numbers[f.year] = table.number;
      const rowIndex = new Map(t.rows.map((r) => [r.key, r]));
      const seenRows = new Map<string, number>();
      for (const s of sides(table)) {
        // The same label twice in one table (e.g. 其他 under two parents): keep them apart by order.
        const n = seenRows.get(s.key) ?? 0;
        seenRows.set(s.key, n + 1);
        const key = n === 0 ? s.key : `${s.key}#${n + 1}`;
        let r = rowIndex.get(key);
        if (!r) {
          r = { key, label: s.label, code: s.code, isTotal: s.isTotal, values: {}, changes: {} };
          t.rows.push(r);
          rowIndex.set(key, r);
        }
        for (const [path, v] of s.cells) {
          if (!t.columns.includes(path)) t.columns.push(path);
          (r.values[path] ??= {})[f.year] = { docId: f.docId, value: v.value, text: v.text, unit: table.unit, yuan: formatYuan(micro(v.value, table.unit) ?? 0n), page: v.page };
        }
      }
    }
  }
  for (const t of tables.values()) {
    for (const r of t.rows) {
      for (const [path, byYear] of Object.entries(r.values)) {
        const ys = years.filter((y) => byYear[y] !== undefined);
        for (let i = 1; i < ys.length; i++) {
          const a = byYear[ys[i - 1]!]!;
          const b = byYear[ys[i]!]!;
          const ma = micro(a.value, a.unit as never) ?? 0n;
          const mb = micro(b.value, b.unit as never) ?? 0n;
          (r.changes[path] ??= []).push({ from: ys[i - 1]!, to: ys[i]!, yuan: formatYuan(mb - ma), percent: percentChange(mb, ma) });
        }
      }
    }
  }
  const stated: StatedChange[] = [];
  const yearFlags: YearOverYear["yearFlags"] = [];
  for (const f of sorted) {
    const facts = extractNarrativeFacts(f.model.narrative);
    for (const a of facts.amounts) {
      if (!a.change) continue;
      stated.push({
        year: f.year,
        docId: f.docId,
        page: a.page,
        subject: a.subject,
        amount: a.amount,
        unit: a.unit,
        direction: a.change.direction,
        changeAmount: a.change.amount,
        changePercent: a.change.percent,
        base: a.change.base,
        sentence: a.sentence,
      });
    }
    for (const fl of f.flags) if (fl.rule.startsWith("years.")) yearFlags.push({ ...fl, year: f.year, docId: f.docId });
  }
  return {
    department,
    docType,
    years,
    filings: sorted.map((f) => ({ year: f.year, docId: f.docId, fileName: f.fileName })),
    tables: [...tables.values()],
    stated,
    yearFlags,
  };
}

export interface HeadcountYear {
  year: number;
  docId: string;
  page?: number;
  sentence?: string;
  establishment?: number;
  actual?: number;
  inService?: number;
  retired?: number;
  retiredCadre?: number;
  /** What the filing says changed since last year (增加 +, 减少 −). */
  claimed: { inService?: number; retired?: number; retiredCadre?: number };
  /** The change computed from the previous stored filing, when there is one. */
  computed: { inService?: number; retired?: number; retiredCadre?: number };
  /** Parts whose claimed change disagrees with the previous filing. */
  mismatches: string[];
  /** 实有人数 ≠ 在职 + 退休 + 离休 as stated. */
  actualMismatch: boolean;
}

export function headcountOverYears(filings: readonly Filing[]): HeadcountYear[] {
  const sorted = [...filings].sort((a, b) => a.year - b.year);
  const out: HeadcountYear[] = [];
  let prev: HeadcountYear | undefined;
  for (const f of sorted) {
    const h = extractNarrativeFacts(f.model.narrative).headcount[0];
    const y: HeadcountYear = {
      year: f.year,
      docId: f.docId,
      page: h?.page,
      sentence: h?.sentence,
      establishment: h?.establishment,
      actual: h?.actual,
      inService: h?.inService?.count,
      retired: h?.retired?.count,
      retiredCadre: h?.retiredCadre?.count,
      claimed: { inService: h?.inService?.change, retired: h?.retired?.change, retiredCadre: h?.retiredCadre?.change },
      computed: {},
      mismatches: [],
      actualMismatch: false,
    };
    const parts = ["inService", "retired", "retiredCadre"] as const;
    if (prev && prev.year === f.year - 1) {
      for (const p of parts) {
        const now = y[p];
        const before = prev[p];
        if (now !== undefined && before !== undefined) {
          y.computed[p] = now - before;
          if (y.claimed[p] !== undefined && y.claimed[p] !== y.computed[p]) y.mismatches.push(p);
        }
      }
    }
    if (y.actual !== undefined && y.inService !== undefined) {
      y.actualMismatch = y.actual !== y.inService + (y.retired ?? 0) + (y.retiredCadre ?? 0);
    }
    out.push(y);
    prev = y;
  }
  return out;
}
