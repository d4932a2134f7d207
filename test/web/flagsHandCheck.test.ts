// The hand check, repeatable (heavy: BUDGETLENS_HEAVY=1, with the real filings and Chromium): all 12
// real filings ingested into the embedded stack, then every boxed narrative flag of every severity
// opened from the flags page exactly as an analyst would (filters → page through → click), and
// every unboxed narrative error/warning opened by its deep link. A boxed flag lands when the
// document page shows boxPage, draws the box at box × scale (±1 px), pdf.js reads the highlighted
// cell's text inside it, that cell prints the figure the sentence was compared with (the flag's
// expected, unit for unit) and — when the sentence is on another page — the sentence is found and
// marked there (the marked sentence prints every figure the message quotes from it). The tally goes to test-output/flags-handcheck.txt, screenshots beside it.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
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
const REAL_DIR = process.env.BUDGETLENS_REAL_DIR ?? resolve(repoRoot, "../shared/real");
const HEAVY = process.env.BUDGETLENS_HEAVY === "1";
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

type ApiFlag = Flag & { docId: string; department: string; n: number };
type Model = { tables: { unit: string | null; rows: { cells: { page: number; box: number[]; value: string | null }[] }[] }[] };
type DocState = {
  page: number;
  highlight: { box: number[] | null; scale: number; pdfText: string; cellText?: string } | null;
  statement: { page: number; rects: unknown[]; text: string } | null;
};
const factor = (u: string | null | undefined) => (u === "万元" ? 10_000 : 1);
const squash = (x = "") => x.normalize("NFKC").replace(/[\s,]/g, "");
/**
 * The figures of the statement as the message quotes it — its Chinese part up to the closing ”, the
 * computation (，按…) or the comparison (：应为…), whichever comes first: the marked sentence must print them all.
 */
const quotedFigures = (message: string) => (squash(message.split(" / ")[0]).split(/”|按(?=\d)|:/)[0]!.match(/\d+(?:\.\d+)?/g) ?? []).filter((x) => x.length >= 3);
const sentenceOk = (f: ApiFlag, text: string | undefined) => text !== undefined && quotedFigures(f.message).every((x) => squash(text).includes(x));

describe.skipIf(!HEAVY || !existsSync(CHROMIUM) || !existsSync(REAL_DIR))("hand check: every narrative flag of the real filings opened from the flags page", () => {
  let backend: Backend;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const all: ApiFlag[] = [];
  const json = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}/api${path}`)).json()) as T;
  const docState = () => page.evaluate(() => (window as unknown as { __budgetlens: DocState }).__budgetlens);

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const files = readdirSync(REAL_DIR).filter((f) => f.endsWith(".pdf")).map((f) => join(REAL_DIR, f));
    const hub = new CompletionHub();
    backend = await openBackend({ mode: "embedded", dataDir: null, concurrency: 2, onOutcome: (o) => hub.notify(o.docId) });
    const res = await bulkIngest(backend, files, hub, { concurrency: 2, pollMs: 200 });
    expect(res.results.every((r) => r.status === "COMMITTED")).toBe(true);
    server = await startServer({ api: new AnalystApi(backend.store), pdf: (b, k) => backend.pdf(b, k) });
    let cursor: string | undefined;
    do {
      const p = await json<{ items: ApiFlag[]; nextCursor?: string }>(`/flags?limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
      all.push(...p.items);
      cursor = p.nextCursor;
    } while (cursor);
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await backend?.close();
  });

  it("every boxed narrative flag lands on its cell, every flagged sentence is found on its page", async () => {
    const lines: string[] = [];
    const boxed = all.filter((f) => f.rule.startsWith("narrative.") && f.box);
    let landed = 0;
    for (const f of boxed) {
      const { model } = await json<{ model: Model }>(`/documents/${f.docId}/model`);
      const cell = model.tables.flatMap((t) => t.rows.flatMap((r) => r.cells.map((c) => ({ c, unit: t.unit })))).find(({ c }) => c.page === f.boxPage && c.box.every((v, i) => v === f.box![i]));
      const valueOk = !!cell?.c.value && (f.unit === "%" || f.expected === undefined || Math.abs(Number(cell.c.value) * factor(cell.unit) - Number(f.expected) * factor(f.unit)) < 0.005);
      await page.goto(`${server.url}/flags.html?rule=${encodeURIComponent(f.rule)}&severity=${f.severity}&department=${encodeURIComponent(f.department)}`);
      await page.waitForSelector("body[data-ready=true]");
      const link = page.locator(`#flags tbody tr[data-doc-id="${f.docId}"][data-n="${f.n}"] a.open`);
      for (let i = 0; i < 50 && (await link.count()) === 0; i++) {
        await page.click("#p-next");
        await page.waitForTimeout(100);
      }
      await link.click();
      await page.waitForURL(/doc\.html/);
      await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
      const s = await docState();
      const geo = await page.evaluate(() => {
        const c = document.getElementById("pdfcanvas")!.getBoundingClientRect();
        const r = document.getElementById("pdfhl")!.getBoundingClientRect();
        return [r.left - c.left, r.top - c.top, r.right - c.left, r.bottom - c.top];
      });
      const rectOk = !!s.highlight && geo.every((v, i) => Math.abs(v - f.box![i]! * s.highlight!.scale) <= 1);
      const textOk = !!s.highlight?.cellText && squash(s.highlight.pdfText).includes(squash(s.highlight.cellText));
      const pageOk = s.page === f.boxPage;
      const stmtOk = f.page === f.boxPage || (!!s.statement && s.statement.page === f.page && s.statement.rects.length > 0 && sentenceOk(f, s.statement.text));
      const ok = valueOk && rectOk && textOk && pageOk && stmtOk;
      if (ok) landed++;
      lines.push(`${ok ? "OK  " : "MISS"} ${f.severity} ${f.rule} ${f.department} p${f.page} → cell p${f.boxPage} ${(f.row ?? []).join(" ")} expected ${f.expected} printed ${f.actual} | pdf “${s.highlight?.pdfText ?? ""}” sentence “${s.statement?.text.slice(0, 40) ?? "-"}” [value ${+valueOk} rect ${+rectOk} text ${+textOk} page ${+pageOk} sentence ${+stmtOk}]`);
      if (f.severity !== "info" || !ok) await page.screenshot({ path: join(OUT, `handcheck-${f.docId.slice(0, 8)}-${f.n}.png`) });
    }
    const unboxed = all.filter((f) => f.rule.startsWith("narrative.") && !f.box && f.page && f.severity !== "info");
    let found = 0;
    for (const f of unboxed) {
      await page.goto(`${server.url}/doc.html?id=${f.docId}&flag=${f.n}`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
      const s = await docState();
      const ok = s.page === f.page && s.statement?.page === f.page && s.statement.rects.length > 0 && sentenceOk(f, s.statement.text);
      if (ok) found++;
      lines.push(`${ok ? "OK  " : "MISS"} (sentence only) ${f.severity} ${f.rule} ${f.department} p${f.page} printed ${f.actual} quoted [${quotedFigures(f.message).join(" ")}] | sentence “${s.statement?.text ?? "-"}”`);
      await page.screenshot({ path: join(OUT, `handcheck-sentence-${f.docId.slice(0, 8)}-${f.n}.png`) });
    }
    const tally = `boxed narrative flags: ${landed}/${boxed.length} on the right cell; unboxed narrative errors/warnings: ${found}/${unboxed.length} sentences found`;
    writeFileSync(join(OUT, "flags-handcheck.txt"), `${tally}\n${lines.join("\n")}\n`);
    console.log(tally);
    expect(boxed.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.startsWith("MISS"))).toEqual([]);
  }, 1_500_000);
});
