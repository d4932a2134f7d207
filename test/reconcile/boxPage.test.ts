// The flag's place in the PDF: `box` always comes with `boxPage`, the page that box lies on — a
// printed cell of the document at exactly that page and box — while `page` is where the flagged
// statement is (the cell for a table rule, the sentence for a narrative rule). Checked on every
// fixture and every real filing, and on the narrative findings reviewed by hand in the real filings
// (the sentence and the table cell it quotes are on different pages there).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../parsers/index.ts";
import type { Cell, DisclosureDocument, Row } from "../../parsers/model.ts";
import { checkDocument, type Flag } from "../../reconcile/index.ts";
import { locate } from "../../reconcile/flagging.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const realDir = process.env.BUDGETLENS_REAL_DIR ?? path.resolve(repoRoot, "../shared/real");
const fixtureDir = path.join(repoRoot, "fixtures/pdf");
const haveReal = existsSync(realDir);
const haveFixtures = existsSync(fixtureDir);

async function load(file: string): Promise<{ doc: DisclosureDocument; flags: Flag[] }> {
  const doc = await parseDocument(new Uint8Array(readFileSync(file)), { fileName: path.basename(file) });
  return { doc, flags: checkDocument(doc) };
}

const cellsOf = (doc: DisclosureDocument): { cell: Cell; row: Row }[] => doc.tables.flatMap((t) => t.rows.flatMap((row) => row.cells.map((cell) => ({ cell, row }))));
const squash = (s: string) => s.replace(/\s+/g, "");
const sameBox = (a: readonly number[], b: readonly number[]) => a.every((v, i) => v === b[i]);

/** An exact decimal string in 元 or 万元 as integer micro-元 (万元 print up to 6 decimals). */
function toMicroYuan(value: string, unit: string | null): bigint {
  const [i = "0", d = ""] = value.replace(/[,\s]/g, "").replace(/^-/, "").split(".");
  const micro = BigInt(i) * 1_000_000n + BigInt(d.padEnd(6, "0").slice(0, 6) || "0");
  const sign = value.trim().startsWith("-") ? -1n : 1n;
  return sign * micro * (unit === "万元" ? 10_000n : 1n);
}

/** Every violation of the box/boxPage/page contract in one document's flags (empty when it holds). */
function violations(doc: DisclosureDocument, flags: readonly Flag[]): string[] {
  const cells = cellsOf(doc);
  const narrativePages = new Set(doc.narrative.map((p) => p.page));
  const out: string[] = [];
  for (const f of flags) {
    const id = `${f.rule} ${f.table ?? ""} ${(f.row ?? []).join(" ")} p${f.page} box p${f.boxPage}`;
    if ((f.box === undefined) !== (f.boxPage === undefined)) {
      out.push(`${id}: box and boxPage must come together`);
      continue;
    }
    if (!f.box) continue;
    const cell = cells.find((c) => c.cell.page === f.boxPage && sameBox(c.cell.box, f.box!));
    // A row-level box (no printed cell in the flagged column) is the union of the row's cells on boxPage.
    const row = cell ? undefined : cells.find((c) => c.row.page === f.boxPage && c.cell.page === f.boxPage && c.cell.box[0] >= f.box![0] && c.cell.box[2] <= f.box![2] && c.cell.box[1] >= f.box![1] && c.cell.box[3] <= f.box![3]);
    if (!cell && !row) out.push(`${id}: no printed cell (or row) of the document has this box on boxPage`);
    if (f.rule.startsWith("narrative.")) {
      if (f.page === undefined || !narrativePages.has(f.page)) out.push(`${id}: page is not a page with narrative text`);
      // The boxed cell is the figure the sentence was compared with (the flag's expected), unit for unit.
      if (cell && f.expected !== undefined && (f.unit === "元" || f.unit === "万元")) {
        const table = doc.tables.find((t) => t.rows.includes(cell.row))!;
        if (cell.cell.value === null || toMicroYuan(cell.cell.value, table.unit) !== toMicroYuan(f.expected, f.unit)) out.push(`${id}: the boxed cell prints ${cell.cell.text} ${table.unit ?? ""}, not the compared figure ${f.expected} ${f.unit}`);
      }
    } else if (f.page !== f.boxPage) {
      out.push(`${id}: a table rule's page must be its box's page`);
    }
  }
  return out;
}

describe("locate: box and boxPage", () => {
  const cell = (column: number, page: number, box: [number, number, number, number]): Cell => ({ row: 0, column, text: "1", value: "1", page, box });
  const row: Row = { index: 0, label: ["合计"], isTotal: true, page: 4, cells: [cell(1, 4, [100, 200, 150, 212]), cell(2, 5, [100, 20, 150, 32])] };
  const table = { id: "t", number: "表1", title: "t", kind: "other", unit: "元", pages: [4, 5], columns: [], rows: [row] } as unknown as DisclosureDocument["tables"][number];
  const col = (index: number) => ({ index, path: [`c${index}`], role: "value" }) as unknown as DisclosureDocument["tables"][number]["columns"][number];

  it("the cell's page is both page and boxPage for a table finding", () => {
    expect(locate({ table, row, column: col(2) })).toMatchObject({ page: 5, box: [100, 20, 150, 32], boxPage: 5 });
  });
  it("a sentence's page moves page, not the box's page", () => {
    expect(locate({ table, row, column: col(2), page: 9 })).toMatchObject({ page: 9, box: [100, 20, 150, 32], boxPage: 5 });
  });
  it("a row box (no cell in the column) spans the row's cells on the row's own page only", () => {
    expect(locate({ table, row, column: col(7) })).toMatchObject({ page: 4, box: [100, 200, 150, 212], boxPage: 4 });
  });
  it("no row, no box, no boxPage", () => {
    const l = locate({ table });
    expect(l.box).toBeUndefined();
    expect(l.boxPage).toBeUndefined();
    expect(l.page).toBe(4);
  });
});

describe.skipIf(!haveFixtures)("box/boxPage contract on every fixture", () => {
  it("every boxed flag's box is a printed cell on boxPage; table rules have page = boxPage", async () => {
    let boxed = 0;
    let narrativeBoxed = 0;
    for (const file of readdirSync(fixtureDir).filter((f) => f.endsWith(".pdf"))) {
      const { doc, flags } = await load(path.join(fixtureDir, file));
      expect(violations(doc, flags).map((v) => `${file}: ${v}`)).toEqual([]);
      boxed += flags.filter((f) => f.box).length;
      narrativeBoxed += flags.filter((f) => f.box && f.rule.startsWith("narrative.")).length;
    }
    expect(boxed).toBeGreaterThan(10);
    expect(narrativeBoxed).toBeGreaterThan(0);
  }, 240_000);

  it("err-narrative-amount: the narrative flag's boxPage is the quoted cell's page, page the sentence's", async () => {
    const { doc, flags } = await load(path.join(fixtureDir, "err-narrative-amount.pdf"));
    const f = flags.find((x) => x.rule === "narrative.amount" && x.severity === "error" && x.box);
    expect(f, "an error narrative.amount flag with a box").toBeDefined();
    const hit = cellsOf(doc).find((c) => sameBox(c.cell.box, f!.box!) && c.cell.page === f!.boxPage);
    expect(hit?.cell.value).toBe(f!.expected);
    // The sentence the message quotes is printed on the flag's page.
    const sentence = squash(f!.message.split("原文 / text: ")[1] ?? "").slice(0, 12);
    expect(sentence.length).toBeGreaterThan(5);
    expect(doc.narrative.some((p) => p.page === f!.page && squash(p.text).includes(sentence))).toBe(true);
    expect(f!.page).not.toBe(f!.boxPage);
  }, 60_000);
});

describe.skipIf(!haveReal)("box/boxPage on the real filings", () => {
  it("holds on every real filing", async () => {
    for (const file of readdirSync(realDir).filter((f) => f.endsWith(".pdf"))) {
      const { doc, flags } = await load(path.join(realDir, file));
      expect(violations(doc, flags).map((v) => `${file}: ${v}`)).toEqual([]);
    }
  }, 300_000);

  /** The hand-reviewed narrative errors whose sentence and table cell are on different pages. */
  const CASES: { file: string; row: string; actual: string; cellYuan: number }[] = [
    { file: "shanghai-putuo-2026-dept_budget.pdf", row: "住房公积金", actual: "201.50", cellYuan: 2087959 },
    { file: "shanghai-putuo-wanli-2023-budget-with-performance-forms.pdf", row: "职业年金", actual: "441.25", cellYuan: 2206272 },
  ];
  for (const c of CASES) {
    it(`${c.file}: ${c.row} stated ${c.actual} — page is the sentence's, boxPage the table cell's`, async () => {
      const { doc, flags } = await load(path.join(realDir, c.file));
      const f = flags.find((x) => x.rule === "narrative.amount" && x.severity === "error" && (x.row ?? []).join("").includes(c.row));
      expect(f, "the reviewed narrative.amount error").toBeDefined();
      expect(f!.actual).toBe(c.actual);
      // The box is the quoted cell on boxPage …
      const hit = cellsOf(doc).find((x) => x.cell.page === f!.boxPage && sameBox(x.cell.box, f!.box!));
      expect(Number(hit?.cell.value)).toBe(c.cellYuan);
      expect(hit?.row.label.join("")).toContain(c.row);
      // … and the statement is on page, another page, where the narrative prints the quoted sentence.
      expect(f!.page).not.toBe(f!.boxPage);
      const quoted = squash(f!.message.split("原文 / text: ")[1] ?? "");
      expect(quoted).toContain(c.actual);
      const sentence = quoted.slice(0, 16);
      expect(doc.narrative.filter((p) => squash(p.text).includes(sentence)).map((p) => p.page)).toContain(f!.page);
      // The sentence's page prints no table cell with that figure: the box means nothing there.
      expect(cellsOf(doc).some((x) => x.cell.page === f!.page && Number(x.cell.value) === c.cellYuan)).toBe(false);
    }, 60_000);
  }
});
