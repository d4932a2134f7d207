// The hand check, repeatable (heavy: BUDGETLENS_HEAVY=1, with the real filings and Chromium): all 12
// real filings ingested into the embedded stack, then every boxed narrative flag of every severity
// opened from the flags page exactly as an analyst would (filters → page through → click), and
// every unboxed narrative error/warning opened by its deep link. A boxed flag lands when the
// document page shows boxPage, draws the box at box × scale (±1 px), pdf.js reads the highlighted
// cell's text inside it, that cell prints the figure the sentence was compared with (the flag's
// expected, unit for unit) and — when the sentence is on another page — the sentence is found and
// marked there (the marked sentence prints every figure the message quotes from it). The tally goes to test-output/flags-handcheck.txt, screenshots beside it.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { allFlags, apiGet, CHROMIUM, docState as docStateOf, ingestAndServe, launchChromium, OUT, REAL_DIR, squash, unitFactor as factor, waitListPage, type ApiFlag } from "./flagsHelpers.ts";

const HEAVY = process.env.BUDGETLENS_HEAVY === "1";

type Model = { tables: { unit: string | null; rows: { cells: { page: number; box: number[]; value: string | null }[] }[] }[] };
/**
 * The figures of the statement as the message quotes it — its Chinese part up to the closing ”, the
 * computation (，按…) or the comparison (：应为…), whichever comes first: the marked sentence must print them all.
 */
const quotedFigures = (message: string) => (squash(message.split(" / ")[0]).split(/”|按(?=\d)|:/)[0]!.match(/\d+(?:\.\d+)?/g) ?? []).filter((x) => x.length >= 3);
const sentenceOk = (f: ApiFlag, text: string | undefined) => text !== undefined && quotedFigures(f.message).every((x) => squash(text).includes(x));

describe.skipIf(!HEAVY || !existsSync(CHROMIUM) || !existsSync(REAL_DIR))("hand check: every narrative flag of the real filings opened from the flags page", () => {
  let stack: Awaited<ReturnType<typeof ingestAndServe>>;
  let browser: Browser;
  let page: Page;
  let all: ApiFlag[] = [];
  const json = <T>(path: string): Promise<T> => apiGet<T>(stack.server.url, path);
  const docState = () => docStateOf(page);

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    stack = await ingestAndServe(readdirSync(REAL_DIR).filter((f) => f.endsWith(".pdf")).map((f) => join(REAL_DIR, f)));
    all = await allFlags(stack.server.url);
    ({ browser, page } = await launchChromium());
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("every boxed narrative flag lands on its cell, every flagged sentence is found on its page", async () => {
    const lines: string[] = [];
    const boxed = all.filter((f) => f.rule.startsWith("narrative.") && f.box);
    let landed = 0;
    for (const f of boxed) {
      const { model } = await json<{ model: Model }>(`/documents/${f.docId}/model`);
      const cell = model.tables.flatMap((t) => t.rows.flatMap((r) => r.cells.map((c) => ({ c, unit: t.unit })))).find(({ c }) => c.page === f.boxPage && c.box.every((v, i) => v === f.box![i]));
      const valueOk = !!cell?.c.value && (f.unit === "%" || f.expected === undefined || Math.abs(Number(cell.c.value) * factor(cell.unit) - Number(f.expected) * factor(f.unit)) < 0.005);
      await page.goto(`${stack.server.url}/flags.html?rule=${encodeURIComponent(f.rule)}&severity=${f.severity}&department=${encodeURIComponent(f.department)}`);
      await page.waitForSelector("body[data-ready=true]");
      const link = page.locator(`#flags tbody tr[data-doc-id="${f.docId}"][data-n="${f.n}"] a.open`);
      for (let i = 0; i < 50 && (await link.count()) === 0; i++) {
        await page.click("#p-next");
        await waitListPage(page, i + 2);
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
      await page.goto(`${stack.server.url}/doc.html?id=${f.docId}&flag=${f.n}`);
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
