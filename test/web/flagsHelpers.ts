// What the flags-page browser tests share (flags.test.ts, flagsHandCheck.test.ts, flagsDistrict.test.ts):
// where Chromium, the real filings and the screenshots are; filings ingested into the embedded stack
// and `budgetlens serve`'s server over them; every flag the API holds; the pages' test state.
import { resolve, join } from "node:path";
import { expect } from "vitest";
import type { Browser, Page } from "playwright-core";
import { openBackend, type Backend } from "../../analyst/backend.ts";
import { bulkIngest, CompletionHub } from "../../analyst/bulkIngest.ts";
import { AnalystApi } from "../../analyst/api.ts";
import { startServer, type RunningServer } from "../../analyst/server.ts";
import type { Flag } from "../../reconcile/flag.ts";

export const CHROMIUM = process.env.BUDGETLENS_CHROMIUM ?? "/usr/bin/chromium";
export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const OUT = join(REPO_ROOT, "test-output");
export const REAL_DIR = process.env.BUDGETLENS_REAL_DIR ?? resolve(REPO_ROOT, "../shared/real");
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A flag as /flags lists it. */
export type ApiFlag = Flag & { docId: string; department: string; year?: number; docType: string; n: number };

/** window.__budgetlens of doc.html. */
export type DocState = {
  ready: boolean;
  page: number;
  selectedFlag: number | null;
  highlight: { page: number; box: number[] | null; scale: number; pdfText: string; cellText?: string; source: string } | null;
  statement: { page: number; text: string; rects: number[][]; where: string; scale: number } | null;
};

/** window.__budgetlensFlags of flags.html. */
export type ListState = { ready: boolean; total: number; page: number; pages: number; shown: { docId: string; n: number; rule: string }[]; summaries: number };

/** Text compared without spaces, thousands separators or full-width forms. */
export const squash = (s = ""): string => s.normalize("NFKC").replace(/[\s,]/g, "");
/** 元 per unit of a table or flag. */
export const unitFactor = (unit: string | null | undefined): number => (unit === "万元" ? 10_000 : 1);

/** The embedded stack with `files` ingested (each must commit) and `budgetlens serve`'s server over it. */
export async function ingestAndServe(files: string[]): Promise<{ backend: Backend; server: RunningServer; close(): Promise<void> }> {
  const hub = new CompletionHub();
  const backend = await openBackend({ mode: "embedded", dataDir: null, concurrency: 2, onOutcome: (o) => hub.notify(o.docId) });
  const res = await bulkIngest(backend, files, hub, { concurrency: 2, pollMs: 200 });
  expect(res.results.map((r) => r.status)).toEqual(files.map(() => "COMMITTED"));
  const server = await startServer({ api: new AnalystApi(backend.store), pdf: (b, k) => backend.pdf(b, k) });
  return {
    backend,
    server,
    async close() {
      await server.close();
      await backend.close();
    },
  };
}

/** GET of the served API (`base` = the server's URL), as JSON. */
export const apiGet = async <T>(base: string, path: string): Promise<T> => (await (await fetch(`${base}/api${path}`)).json()) as T;

/** Every flag the API lists, every page. */
export async function allFlags(base: string, query = ""): Promise<ApiFlag[]> {
  const all: ApiFlag[] = [];
  let cursor: string | undefined;
  do {
    const p = await apiGet<{ items: ApiFlag[]; nextCursor?: string }>(base, `/flags?limit=1000${query ? `&${query}` : ""}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    all.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor);
  return all;
}

export async function launchChromium(): Promise<{ browser: Browser; page: Page }> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on("pageerror", (e) => console.error("page error:", e.message));
  return { browser, page };
}

export const listState = (page: Page): Promise<ListState> => page.evaluate(() => (window as unknown as { __budgetlensFlags: ListState }).__budgetlensFlags);
export const docState = (page: Page): Promise<DocState> => page.evaluate(() => (window as unknown as { __budgetlens: DocState }).__budgetlens);

/** The flags page once rendered. */
export async function waitList(page: Page): Promise<ListState> {
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return listState(page);
}

/** Waits until the flags page shows page `n`. */
export const waitListPage = (page: Page, n: number): Promise<unknown> =>
  page.waitForFunction((p) => {
    const s = (window as unknown as { __budgetlensFlags: ListState }).__budgetlensFlags;
    return s.page === p && document.body.dataset.ready === "true";
  }, n);

/** An element's rectangle relative to a canvas, in CSS px (the drawn highlight against the PDF page). */
export const rectOn = (page: Page, selector: string, canvasId: string): Promise<{ x0: number; y0: number; x1: number; y1: number; visible: boolean }> =>
  page.evaluate(
    ([a, b]) => {
      const c = document.getElementById(b!)!.getBoundingClientRect();
      const el = document.querySelector(a!)!;
      const r = el.getBoundingClientRect();
      return { x0: r.left - c.left, y0: r.top - c.top, x1: r.right - c.left, y1: r.bottom - c.top, visible: getComputedStyle(el).display !== "none" };
    },
    [selector, canvasId],
  );
