// The cross-department flags page and the document page it opens, end to end in real headless
// Chromium: fixture PDFs and (when /work/shared/real is there) real filings ingested into the
// embedded stack, `budgetlens serve`'s server over them. The flags page counts what the API stores,
// filters (severity, rule, kind), pages, and a narrative flag clicked there opens its document on the
// page of the table cell it quotes (boxPage) with the highlight at box × scale (±1 px) over pdf.js
// text reading the cell's printed figure — and the sentence, on its own page, in the statement
// panel. Every boxed narrative flag of every ingested document is then opened the same way (the
// hand check, automated): each must land on its cell. Screenshots go to test-output/.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { allFlags, apiGet, CHROMIUM, docState as docStateOf, ingestAndServe, launchChromium, listState as listStateOf, OUT, REAL_DIR, rectOn, REPO_ROOT, squash, unitFactor as factor, waitList as waitListOf, type ApiFlag, type DocState, type ListState } from "./flagsHelpers.ts";

const REAL = ["shanghai-putuo-2026-dept_budget.pdf", "shanghai-putuo-wanli-2023-budget-with-performance-forms.pdf", "上海市普陀区规划和自然资源局_2024_年度部门决算.pdf"].filter((f) => existsSync(join(REAL_DIR, f)));
// Snapshot the fixtures: the generator may rewrite fixtures/pdf while the test runs.
const SNAP = mkdtempSync(join(tmpdir(), "bl-flags-"));
const FILES = [
  // (One fixture per department and year: a second one would supersede the first in the store.)
  ...["err-total-off.pdf", "health-2025.pdf"].map((f) => {
    copyFileSync(join(REPO_ROOT, "fixtures/pdf", f), join(SNAP, f));
    return join(SNAP, f);
  }),
  ...REAL.map((f) => join(REAL_DIR, f)),
];

describe.skipIf(!existsSync(CHROMIUM))("flags across departments, in headless Chromium", () => {
  let stack: Awaited<ReturnType<typeof ingestAndServe>>;
  let browser: Browser;
  let page: Page;
  let all: ApiFlag[];

  const api = <T>(path: string): Promise<T> => apiGet<T>(stack.server.url, path);
  const listState = () => listStateOf(page);
  const docState = () => docStateOf(page);
  const waitList = () => waitListOf(page);
  const rectOf = (hl: string, canvas: string) => rectOn(page, hl, canvas);

  /** Opens a flag from the flags page; returns the document page's state once the flag is shown. */
  async function openFromList(f: ApiFlag): Promise<DocState> {
    await page.click(`#flags tbody tr[data-doc-id="${f.docId}"][data-n="${f.n}"] a.open`);
    await page.waitForURL(/doc\.html/);
    await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
    return docState();
  }

  /** The box drawn at box × scale (±1 px) on boxPage, pdf.js reading the highlighted table cell's text inside it. */
  async function expectOnCell(f: ApiFlag, s: DocState): Promise<string> {
    expect(s.page).toBe(f.boxPage);
    expect(s.highlight?.box).toEqual(f.box);
    const scale = s.highlight!.scale;
    const geo = await rectOf("#pdfhl", "pdfcanvas");
    expect(geo.visible).toBe(true);
    const [x0, y0, x1, y1] = f.box!;
    expect(Math.abs(geo.x0 - x0 * scale)).toBeLessThanOrEqual(1);
    expect(Math.abs(geo.y0 - y0 * scale)).toBeLessThanOrEqual(1);
    expect(Math.abs(geo.x1 - x1 * scale)).toBeLessThanOrEqual(1);
    expect(Math.abs(geo.y1 - y1 * scale)).toBeLessThanOrEqual(1);
    const td = page.locator("table.printed td.hl");
    await expect(td.count()).resolves.toBe(1);
    const tdText = (await td.textContent()) ?? "";
    expect(tdText.length).toBeGreaterThan(0);
    expect(Number(await td.getAttribute("data-page"))).toBe(f.boxPage);
    expect(squash(s.highlight!.pdfText)).toContain(squash(tdText));
    return tdText;
  }

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    stack = await ingestAndServe(FILES);
    all = await allFlags(stack.server.url);
    ({ browser, page } = await launchChromium());
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("lists every stored flag with counts per rule and per department that add up to the documents' flag counts", async () => {
    await page.goto(`${stack.server.url}/flags.html`);
    const s = await waitList();
    const docs = (await api<{ items: { current: boolean; flagCounts?: Record<string, number> }[] }>("/documents?limit=1000")).items.filter((d) => d.current);
    const stored = docs.reduce((n, d) => n + (d.flagCounts?.error ?? 0) + (d.flagCounts?.warning ?? 0) + (d.flagCounts?.info ?? 0), 0);
    expect(s.total).toBe(stored);
    expect(all.length).toBe(stored);
    const sumOf = async (table: string) => (await page.locator(`#${table} tbody tr td:last-child`).allTextContents()).reduce((n, t) => n + Number(t), 0);
    await expect(sumOf("by-rule")).resolves.toBe(stored);
    await expect(sumOf("by-department")).resolves.toBe(stored);
    // Per rule, errors: what the API holds.
    const byRule = new Map<string, number>();
    for (const f of all.filter((x) => x.severity === "error")) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    for (const [rule, n] of byRule) await expect(page.locator(`#by-rule tr[data-rule="${rule}"] td`).nth(1).textContent()).resolves.toBe(String(n));
    // Paging: 50 a page, the next page is the next 50.
    expect(s.pages).toBe(Math.ceil(stored / 50));
    expect(s.shown.length).toBe(Math.min(50, stored));
    if (s.pages > 1) {
      await page.evaluate(() => (document.body.dataset.ready = "false"));
      await page.click("#p-next");
      await page.waitForFunction(() => (window as unknown as { __budgetlensFlags: ListState }).__budgetlensFlags.page === 2);
      const s2 = await listState();
      const key = (x: { docId: string; n: number }) => `${x.docId}#${x.n}`;
      expect(s2.shown.some((x) => s.shown.map(key).includes(key(x)))).toBe(false);
      await page.click("#p-prev");
    }
    await page.screenshot({ path: join(OUT, "web-flags.png"), fullPage: true });
  });

  it("filters by severity, rule and kind (预算/决算)", async () => {
    await page.goto(`${stack.server.url}/flags.html`);
    await waitList();
    await page.selectOption("#f-severity", "error");
    await page.waitForFunction((n) => (window as unknown as { __budgetlensFlags: ListState }).__budgetlensFlags.total === n, all.filter((f) => f.severity === "error").length);
    expect(await page.locator("#flags tbody tr").evaluateAll((trs) => trs.every((tr) => tr.classList.contains("sev-error")))).toBe(true);
    await page.selectOption("#f-rule", "narrative");
    const narrativeErrors = all.filter((f) => f.severity === "error" && f.rule.startsWith("narrative."));
    await page.waitForFunction((n) => (window as unknown as { __budgetlensFlags: ListState }).__budgetlensFlags.total === n, narrativeErrors.length);
    await page.selectOption("#f-kind", "final_accounts");
    const finals = narrativeErrors.filter((f) => f.docType === "final_accounts");
    await page.waitForFunction((n) => (window as unknown as { __budgetlensFlags: ListState }).__budgetlensFlags.total === n, finals.length);
    expect((await listState()).shown.every((x) => finals.some((f) => f.docId === x.docId && f.n === x.n))).toBe(true);
    // The filters are in the URL: a reload keeps them.
    await page.reload();
    const s = await waitList();
    expect(s.total).toBe(finals.length);
    await expect(page.locator("#f-kind").inputValue()).resolves.toBe("final_accounts");
  });

  it.skipIf(!REAL.includes("shanghai-putuo-2026-dept_budget.pdf"))(
    "a real filing's narrative error opens on the table cell's page, highlighted at box × scale over the cell's text, the sentence beside it",
    async () => {
      const f = all.find((x) => x.rule === "narrative.amount" && x.severity === "error" && x.actual === "201.50" && (x.row ?? []).join("").includes("住房公积金"));
      expect(f, "司法局 2026 住房公积金 201.50 vs 表 208.7959").toBeDefined();
      expect(f!.boxPage).toBeDefined();
      expect(f!.page).not.toBe(f!.boxPage);
      await page.goto(`${stack.server.url}/flags.html?severity=error&rule=narrative.amount`);
      await waitList();
      const s = await openFromList(f!);
      expect(s.selectedFlag).toBe(f!.n - 1);
      await expect(page.locator(`#flags li[data-n="${f!.n}"]`).getAttribute("class")).resolves.toContain("active");
      const tdText = await expectOnCell(f!, s);
      expect(Number(tdText.replace(/,/g, ""))).toBe(2087959);
      // The statement panel: the sentence's page, the stated figure marked.
      expect(s.statement?.page).toBe(f!.page);
      expect(s.statement?.rects.length).toBeGreaterThan(0);
      expect(squash(s.statement!.text)).toContain("201.50");
      await expect(page.locator("#stmt").isVisible()).resolves.toBe(true);
      await page.screenshot({ path: join(OUT, "web-flags-narrative-cell.png") });
      // "show the statement": the sentence's page in the main view, the sentence marked there.
      await page.click("#show-stmt");
      await page.waitForFunction(() => (window as unknown as { __budgetlens: DocState }).__budgetlens.statement?.where === "main");
      const st = await docState();
      expect(st.page).toBe(f!.page);
      const first = await rectOf("#pdfstmt .stmt-rect", "pdfcanvas");
      const [rx0, ry0] = st.statement!.rects[0] as [number, number, number, number];
      expect(Math.abs(first.x0 - rx0 * st.statement!.scale)).toBeLessThanOrEqual(1);
      expect(Math.abs(first.y0 - ry0 * st.statement!.scale)).toBeLessThanOrEqual(1);
      await page.screenshot({ path: join(OUT, "web-flags-narrative-statement.png") });
      // "show the table cell": back on boxPage with the cell highlighted.
      await page.evaluate(() => ((window as unknown as { __budgetlens: DocState }).__budgetlens.highlight = null));
      await page.click("#show-cell");
      await page.waitForFunction(() => (window as unknown as { __budgetlens: DocState }).__budgetlens.highlight?.source === "flag");
      await expectOnCell(f!, await docState());
    },
    180_000,
  );

  it.skipIf(!REAL.includes("shanghai-putuo-2026-dept_budget.pdf"))(
    "a narrative flag without a table cell opens on its sentence — the one the message quotes, where two sentences print the same 17.66%",
    async () => {
      // 司法局 2026 p.9: items 8 (156.34 → 183.95, +17.66%, right) and 9 (77.99 → 91.97, “+17.66%”, should be 17.93%).
      const f = all.find((x) => x.rule === "narrative.change" && x.severity === "error" && x.expected === "17.93");
      expect(f, "the 17.66% that should be 17.93%").toBeDefined();
      expect(f!.box).toBeUndefined();
      await page.goto(`${stack.server.url}/flags.html?severity=error&rule=narrative.change`);
      await waitList();
      const s = await openFromList(f!);
      expect(s.page).toBe(f!.page);
      expect(s.statement?.where).toBe("main");
      expect(s.statement?.page).toBe(f!.page);
      const text = squash(s.statement!.text);
      for (const x of ["77.99", "91.97", "17.66"]) expect(text).toContain(x);
      expect(text).not.toContain("156.34");
      expect((await page.locator("#pdfstmt .stmt-rect").count()) > 0).toBe(true);
      await page.screenshot({ path: join(OUT, "web-flags-narrative-sentence.png") });
    },
    120_000,
  );

  it("every boxed narrative flag of every ingested document lands on its cell (fixtures and real filings)", async () => {
    const boxed = all.filter((f) => f.rule.startsWith("narrative.") && f.box && f.severity !== "info");
    expect(boxed.length).toBeGreaterThan(0);
    const misses: string[] = [];
    for (const f of boxed) {
      await page.goto(`${stack.server.url}/flags.html?rule=${encodeURIComponent(f.rule)}&severity=${f.severity}&department=${encodeURIComponent(f.department)}`);
      const s = await waitList();
      // Page through to the flag's row.
      for (let i = 1; i < s.pages && !(await listState()).shown.some((x) => x.docId === f.docId && x.n === f.n); i++) {
        await page.click("#p-next");
        await page.waitForFunction((p) => (window as unknown as { __budgetlensFlags: ListState }).__budgetlensFlags.page === p, i + 1);
      }
      const d = await openFromList(f);
      try {
        await expectOnCell(f, d);
        // The highlighted cell prints the figure the sentence was compared with (the flag's expected), unit for unit.
        if (f.expected !== undefined && (f.unit === "元" || f.unit === "万元")) {
          const { model } = await api<{ model: { tables: { unit: string | null; rows: { cells: { page: number; box: number[]; value: string | null }[] }[] }[] } }>(`/documents/${f.docId}/model`);
          const hit = model.tables.flatMap((t) => t.rows.flatMap((r) => r.cells.map((c) => ({ c, unit: t.unit })))).find(({ c }) => c.page === f.boxPage && c.box.every((v, i) => v === f.box![i]));
          expect(hit?.c.value, "the boxed cell prints a figure").toBeTruthy();
          expect(Math.abs(Number(hit!.c.value) * factor(hit!.unit) - Number(f.expected) * factor(f.unit))).toBeLessThan(0.005);
        }
      } catch (e) {
        misses.push(`${f.department} ${f.rule} ${f.row?.join(" ")}: ${(e as Error).message.split("\n")[0]}`);
      }
      if (f.page !== f.boxPage && d.statement?.rects.length === 0) misses.push(`${f.department} ${f.rule}: statement not found on page ${f.page}`);
      await page.screenshot({ path: join(OUT, `web-flags-hand-${f.docId.slice(0, 8)}-${f.n}.png`) });
    }
    console.log(`boxed narrative flags (errors + warnings) opened: ${boxed.length}, on the right cell: ${boxed.length - misses.length}`);
    expect(misses).toEqual([]);
  }, 600_000);
});
