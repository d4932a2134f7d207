// Lookup over the document model: tables by kind, rows by code or label, columns by header-path
// keywords. Rules never index cells by position; they ask here, so wrapped or variant headers
// (`财政拨款(补` / `助)小计`, `基本支出` vs `基本 支出`) are handled in one place.
import type { ClassificationCode, Column, DisclosureDocument, Row, Table, TableKind, Unit } from "../parsers/model.ts";
import { exact, parseAmount, type Amount } from "./money.ts";
import { norm, stripNumbering } from "./text.ts";

export type SideName = "left" | "right" | "both";

/** One side of a table (two-sided tables have two), rows with that side's label and code. */
export type SideRow = {
  row: Row; label: string[]; code: ClassificationCode | undefined; text: string;
  /** An unlabelled line of a second list (labels not recoverable): an item of that list. */
  hint?: "item";
};
export type SideView = {
  table: Table;
  side: SideName;
  unit: Unit;
  columns: Column[];
  rows: SideRow[];
};

export function tableUnit(table: Table, doc?: DisclosureDocument): Unit {
  if (table.unit) return table.unit;
  const units = doc?.tables.map((t) => t.unit).filter((u): u is Unit => u !== null) ?? [];
  return units.includes("万元") || units.length === 0 ? "万元" : units[0]!;
}

export function isTwoSided(table: Table): boolean {
  return table.columns.some((c) => c.side === "right") && table.columns.some((c) => c.side === "left");
}

export function rowText(label: readonly string[]): string {
  return norm(label.join(""));
}

/** Label with code characters and outline numbering removed: "208社会保障和就业支出" → "社会保障和就业支出". */
export function rowName(r: SideRow): string {
  let t = r.text;
  if (r.code) t = t.replace(/^[\d\s]+/, "");
  return stripNumbering(t);
}

export function sides(table: Table, doc?: DisclosureDocument): SideView[] {
  const unit = tableUnit(table, doc);
  const value = table.columns.filter((c) => c.role === "value");
  if (!isTwoSided(table)) {
    return [{
      table, side: "both", unit, columns: value,
      rows: table.rows.map((row) => ({ row, label: row.label, code: row.code, text: rowText(row.label) })),
    }];
  }
  const out: SideView[] = [];
  for (const side of ["left", "right"] as const) {
    const cols = table.columns.filter((c) => (c.side ?? "left") === side).sort((a, b) => a.index - b.index);
    const labels = cols.filter((c) => c.role === "label");
    // A side with two label columns (Jiangsu 收支预算总表: 功能分类 | 支出用途) is two lists side by side:
    // each label column owns the value columns up to the next label column.
    const groups: { label: Column | undefined; values: Column[] }[] = [];
    for (const c of cols) {
      if (c.role === "label") groups.push({ label: c, values: [] });
      else if (c.role === "value") {
        if (groups.length === 0) groups.push({ label: undefined, values: [] });
        groups[groups.length - 1]!.values.push(c);
      }
    }
    groups.forEach((g, gi) => {
      if (g.values.length === 0) return;
      out.push({
        table, side, unit, columns: g.values,
        rows: table.rows.map((row) => {
          let label = side === "left" ? row.label : (row.rightLabel ?? []);
          const code = side === "left" ? row.code : row.rightCode;
          let hint: "item" | undefined;
          if (labels.length > 1 && gi > 0 && g.label) {
            const cell = row.cells.find((c) => c.column === g.label!.index);
            // Totals share the printed row; a side whose own label was lost still has the other side's.
            const first = rowText(label) || rowText(row.label);
            if (cell && cell.text.trim() !== "") label = [cell.text];
            else if (/(合计|小计|总计)$/.test(first)) label = [first]; // totals share the printed row
            else {
              // The model keeps no label cells for this list: its lines are items, named by position.
              label = [];
              if (g.values.some((c) => row.cells.some((x) => x.column === c.index && x.value !== null))) hint = "item";
            }
          }
          const text = hint ? `（${norm(g.label?.path[g.label.path.length - 1] ?? "")}第${row.index + 1}行）` : rowText(label);
          return { row, label: hint ? [text] : label, code: gi > 0 ? undefined : code, text, ...(hint ? { hint } : {}) };
        }),
      });
    });
  }
  return out;
}

export function cellOf(row: Row, column: Column) {
  return row.cells.find((c) => c.column === column.index);
}

/** The amount in a cell; blank or text cells are null (callers decide whether blank means 0). */
export function amountAt(view: SideView, row: Row, column: Column): Amount | null {
  const cell = cellOf(row, column);
  if (!cell || cell.value === null) return null;
  return parseAmount(cell.value, view.unit);
}

/** Blank cells count as an exact 0 in identities. */
export function amountOrZero(view: SideView, row: Row, column: Column): Amount {
  return amountAt(view, row, column) ?? exact(0n, view.unit);
}

export function rowHasValues(view: SideView, row: Row): boolean {
  return view.columns.some((c) => amountAt(view, row, c) !== null);
}

export function pathText(c: Column): string {
  return norm(c.path.join("/"));
}
export function leafName(c: Column): string {
  return norm(c.path[c.path.length - 1] ?? "");
}

/**
 * Find a value column whose header path contains every keyword (normalised), preferring the
 * shortest path and leaf matches. `not` excludes columns whose path contains any of those words.
 */
export function findColumn(view: SideView, keywords: readonly string[], not: readonly string[] = []): Column | undefined {
  const keys = keywords.map(norm);
  const nots = not.map(norm);
  const hits = view.columns.filter((c) => {
    const p = pathText(c);
    return keys.every((k) => p.includes(k)) && !nots.some((n) => p.includes(n));
  });
  hits.sort((a, b) => {
    const la = keys.some((k) => leafName(a).includes(k)) ? 0 : 1;
    const lb = keys.some((k) => leafName(b).includes(k)) ? 0 : 1;
    return la - lb || pathText(a).length - pathText(b).length || a.index - b.index;
  });
  return hits[0];
}

/** The first value column: the table's 合计/总计/金额 column in the single-measure templates. */
export function firstValueColumn(view: SideView): Column | undefined {
  return [...view.columns].sort((a, b) => a.index - b.index)[0];
}

/** The column holding a table's overall amount: leaf 合计/总计/小计 at the top level, else the first value column. */
export function totalColumn(view: SideView): Column | undefined {
  const top = view.columns.filter((c) => /(合计|总计)$/.test(leafName(c)) || /^(合计|总计|金额|预算数|决算数)$/.test(norm(c.path[0] ?? "")));
  const byDepth = top.sort((a, b) => a.path.length - b.path.length || a.index - b.index);
  return byDepth[0] ?? firstValueColumn(view);
}

const GRAND_TOTAL = /^(总计|合计|收入总计|支出总计|收入合计|支出合计)$/;

/** The table's grand-total row on this side (总计/合计), if printed. */
export function totalRow(view: SideView): SideRow | undefined {
  const cands = view.rows.filter((r) => GRAND_TOTAL.test(r.text) || (r.row.isTotal && /^(总计|合计)/.test(r.text)));
  // Prefer 总计 over 合计 (决算 summaries print 本年收入合计 … 总计), the last such row on this side.
  const zong = cands.filter((r) => r.text.includes("总计"));
  const pick = zong.length > 0 ? zong : cands;
  return pick[pick.length - 1];
}

export function rowsByCode(view: SideView, code: string): SideRow[] {
  return view.rows.filter((r) => r.code?.code === code);
}

export function findRow(view: SideView, pattern: RegExp): SideRow | undefined {
  return view.rows.find((r) => pattern.test(r.text) || pattern.test(stripNumbering(r.text)));
}

export class TableIndex {
  readonly byKind = new Map<TableKind, Table[]>();
  constructor(readonly doc: DisclosureDocument) {
    for (const t of doc.tables) {
      const list = this.byKind.get(t.kind) ?? [];
      list.push(t);
      this.byKind.set(t.kind, list);
    }
  }
  all(kind: TableKind): Table[] {
    return this.byKind.get(kind) ?? [];
  }
  /** The first table of a kind (budget sets print one of each, except performance tables). */
  one(kind: TableKind): Table | undefined {
    return this.all(kind)[0];
  }
  sides(table: Table): SideView[] {
    return sides(table, this.doc);
  }
  side(table: Table, which: "left" | "right" | "both" = "both"): SideView | undefined {
    const s = this.sides(table);
    if (which === "both") return s[0];
    return s.find((v) => v.side === which) ?? (s.length === 1 ? s[0] : undefined);
  }
}
