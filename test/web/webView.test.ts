// The web view end to end in real headless Chromium: fixture PDFs ingested into the embedded stack,
// `budgetlens serve`'s server over them, a flagged document opened, a flag clicked — the table cell
// and the PDF box are highlighted, the box on the page is the flag's box (in points × scale) and
// pdf.js finds the cell's printed text inside it. Screenshots go to test-output/.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { openBackend, type Backend } from "../../analyst/backend.ts";
import { bulkIngest, CompletionHub } from "../../analyst/bulkIngest.ts";
import { AnalystApi } from "../../analyst/api.ts";
import { startServer, type RunningServer } from "../../analyst/server.ts";
import type { Flag } from "../../reconcile/flag.ts";

const CHROMIUM = process.env.BUDGETLENS_CHROMIUM ?? "/usr/bin/chromium";
const repoRoot = resolve(import.meta.dirname, "../..");
const OUT = join(repoRoot, "test-output");
// Snapshot the fixtures first: the generator may rewrite fixtures/pdf while the test runs.
const SNAP = mkdtempSync(join(tmpdir(), "bl-web-"));
const FIXTURES = ["err-total-off.pdf", "health-2024.pdf", "health-2025.pdf"].map((f) => {
  copyFileSync(join(repoRoot, "fixtures/pdf", f), join(SNAP, f));
  return join(SNAP, f);
});
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

describe.skipIf(!existsSync(CHROMIUM))("web view in headless Chromium", () => {
  let backend: Backend;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let docId: string;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const hub = new CompletionHub();
    backend = await openBackend({ mode: "embedded", dataDir: null, concurrency: 3, onOutcome: (o) => hub.notify(o.docId) });
    const res = await bulkIngest(backend, FIXTURES, hub, { concurrency: 3, pollMs: 200 });
    expect(res.results.map((r) => r.status)).toEqual(["COMMITTED", "COMMITTED", "COMMITTED"]);
    docId = res.results[0]!.docId;
    server = await startServer({ api: new AnalystApi(backend.store), pdf: (b, k) => backend.pdf(b, k) });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on("pageerror", (e) => console.error("page error:", e.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await backend?.close();
  });

  it("lists the documents with status and flag counts", async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector("body[data-ready=true]");
    const row = page.locator(`tr[data-doc-id="${docId}"]`);
    await expect(row.count()).resolves.toBe(1);
    const cells = await row.locator("td").allTextContents();
    const meta = await backend.store.getMeta(docId);
    expect(cells[3]).toBe("COMMITTED");
    expect(Number(cells[5])).toBe(meta!.flagCounts!.error);
    expect(meta!.flagCounts!.error).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUT, "web-documents.png"), fullPage: true });
  });

  it("clicking a flag highlights its cell in the table and at its box on the PDF page", async () => {
    const flags = ((await (await fetch(`${server.url}/api/documents/${docId}/flags?severity=error`)).json()) as { items: Flag[] }).items;
    const target = flags.find((f) => f.box && f.page && f.rule.startsWith("sum."));
    expect(target, "a sum.* error flag with a box").toBeDefined();
    await page.goto(`${server.url}/doc.html?id=${docId}`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
    const all = ((await (await fetch(`${server.url}/api/documents/${docId}/flags`)).json()) as { items: Flag[] }).items;
    const index = all.findIndex((f) => f.rule === target!.rule && JSON.stringify(f.box) === JSON.stringify(target!.box));
    await page.click(`#flags li[data-flag="${index}"]`);
    await page.waitForFunction(() => (window as unknown as { __budgetlens: { highlight?: { source: string } } }).__budgetlens.highlight?.source === "flag");
    const hl = await page.evaluate(() => (window as unknown as { __budgetlens: { page: number; highlight: { page: number; box: number[]; scale: number; pdfText: string; cellText?: string } } }).__budgetlens);

    // The right page and the flag's own box.
    expect(hl.page).toBe(target!.page);
    expect(hl.highlight.box).toEqual(target!.box);
    // The drawn rectangle sits at box × scale over the rendered canvas (±1 px).
    const geo = await page.evaluate(() => {
      const c = document.getElementById("pdfcanvas")!.getBoundingClientRect();
      const r = document.getElementById("pdfhl")!.getBoundingClientRect();
      return { x0: r.left - c.left, y0: r.top - c.top, x1: r.right - c.left, y1: r.bottom - c.top, visible: getComputedStyle(document.getElementById("pdfhl")!).display !== "none" };
    });
    const s = hl.highlight.scale;
    expect(geo.visible).toBe(true);
    const [bx0, by0, bx1, by1] = target!.box!;
    expect(Math.abs(geo.x0 - bx0 * s)).toBeLessThanOrEqual(1);
    expect(Math.abs(geo.y0 - by0 * s)).toBeLessThanOrEqual(1);
    expect(Math.abs(geo.x1 - bx1 * s)).toBeLessThanOrEqual(1);
    expect(Math.abs(geo.y1 - by1 * s)).toBeLessThanOrEqual(1);
    // The same cell is highlighted in the rebuilt table, and pdf.js reads its printed text inside the box.
    const td = page.locator("table.printed td.hl");
    await expect(td.count()).resolves.toBe(1);
    const tdText = (await td.textContent()) ?? "";
    expect(tdText).toBe(hl.highlight.cellText);
    expect(tdText.length).toBeGreaterThan(0);
    const squash = (x: string): string => x.replace(/\s+/g, "");
    expect(squash(hl.highlight.pdfText)).toContain(squash(tdText));
    await page.screenshot({ path: join(OUT, "web-flag-highlight.png"), fullPage: false });
  });

  it("a narrative flag shows the quoted figure's cell in the table and on its own page, and links the sentence's page", async () => {
    const all = ((await (await fetch(`${server.url}/api/documents/${docId}/flags`)).json()) as { items: Flag[] }).items;
    const index = all.findIndex((f) => f.rule === "narrative.amount" && f.table === "表6" && f.box && f.row);
    expect(index, "the injected 表6 total error has a narrative.amount flag").toBeGreaterThanOrEqual(0);
    const flag = all[index]!;
    await page.evaluate(() => ((window as unknown as { __budgetlens: { highlight: unknown } }).__budgetlens.highlight = null));
    await page.click(`#flags li[data-flag="${index}"]`);
    await page.waitForFunction(() => (window as unknown as { __budgetlens: { highlight?: { source: string } } }).__budgetlens.highlight?.source === "flag");
    const hl = await page.evaluate(() => (window as unknown as { __budgetlens: { page: number; highlight: { box: number[]; pdfText: string; cellText: string } } }).__budgetlens);
    const td = page.locator("table.printed td.hl");
    await expect(td.count()).resolves.toBe(1);
    const tdText = (await td.textContent()) ?? "";
    expect([flag.expected, flag.actual]).toContain(tdText.replace(/,/g, ""));
    // The box is drawn on the page of the cell it belongs to, over the cell's printed text.
    expect(hl.page).toBe(Number(await td.getAttribute("data-page")));
    expect(hl.highlight.box).toEqual(flag.box);
    expect(hl.highlight.pdfText.replace(/\s+/g, "")).toContain(tdText.replace(/\s+/g, ""));
    if (hl.page !== flag.page) await expect(page.locator("#hlinfo a").textContent()).resolves.toBe(`page ${flag.page}`);
    await page.screenshot({ path: join(OUT, "web-narrative-flag.png") });
  });

  it("shows one code across departments and years", async () => {
    await page.goto(`${server.url}/code.html?code=2080505&scheme=functional`);
    await page.waitForSelector("body[data-ready=true]");
    const rows = await page.locator("#rows tbody tr").count();
    const api = (await (await fetch(`${server.url}/api/amounts?code=2080505&limit=1000`)).json()) as { total: number };
    expect(rows).toBe(api.total);
    await page.screenshot({ path: join(OUT, "web-code.png"), fullPage: true });
  });

  it("shows a department over the years: rows side by side with changes, headcount claimed vs filings", async () => {
    const name = "乌鲁木齐市沙依巴克区卫生健康委员会";
    await page.goto(`${server.url}/dept.html?name=${encodeURIComponent(name)}&kind=budget`);
    await page.waitForSelector("body[data-ready=true]");
    const head = await page.locator("#headcount tbody tr").allTextContents();
    expect(head).toHaveLength(2);
    expect(head[0]).toMatch(/^2024/);
    const yoy = (await (await fetch(`${server.url}/api/departments/${encodeURIComponent(name)}/years`)).json()) as { tables: { kind: string; rows: { code?: string; changes: Record<string, { yuan: string }[]> }[]; columns: string[] }[] };
    const t = yoy.tables.find((x) => x.kind === "expenditure_summary")!;
    const row = t.rows.find((r) => r.code === "2080505")!;
    const change = row.changes[t.columns[0]!]![0]!.yuan;
    const line = page.locator("#tables tr", { hasText: "2080505" }).first();
    await expect(line.textContent()).resolves.toContain(`${change} 元`);
    await page.screenshot({ path: join(OUT, "web-department-years.png"), fullPage: false });
  });
});
