// The flags page over a district across several years (test/query/districtYears.ts, ~2,000 served
// flags) in headless Chromium, `budgetlens serve`'s server over dynalite: the counts shown are the
// summary's and equal an independent count of the stored flags (a Scan of the table); the page asks
// for one page of flags (50), never the whole year; paging asks for one more page and no more counts;
// a linked page (p + c) opens on the same flags, and a cursor that does not fit is found again.
// Before/after: the same views rendered by the page as it was (web/js/flags.js + api.js at
// BEFORE_REV, served in place of today's by request interception) — requests and bytes of the API
// answers, in test-output/flags-page-district.json.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { AnalystApi } from "../../analyst/api.ts";
import { QueryService } from "../../functions/query/queryService.ts";
import { startServer, type RunningServer } from "../../analyst/server.ts";
import { startDynaliteBackend, type Backend } from "../pipeline/backends.ts";
import { countFlags, scanStored, selectFlags, writeDistrictYears, type Filters } from "../query/districtYears.ts";
import { CHROMIUM, launchChromium, listState, OUT, REPO_ROOT, waitList, waitListPage } from "./flagsHelpers.ts";

/** The flags page before the summary endpoint (the last commit of web/js/flags.js that counted in the browser). */
const BEFORE_REV = process.env.BUDGETLENS_FLAGS_BEFORE_REV ?? "448a02d";

function gitShow(path: string): string | undefined {
  try {
    return execFileSync("git", ["show", `${BEFORE_REV}:${path}`], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

interface Traffic {
  requests: string[];
  bytes: number;
  flags: string[];
  summaries: string[];
}

describe.skipIf(!existsSync(CHROMIUM))("the flags page over a district across years, in headless Chromium", () => {
  let be: Backend;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let stored: Awaited<ReturnType<typeof scanStored>>;
  let store: DocumentStore;
  const traffic: Traffic = { requests: [], bytes: 0, flags: [], summaries: [] };
  const measured: Record<string, unknown> = {};

  const reset = (): void => {
    traffic.requests = [];
    traffic.bytes = 0;
    traffic.flags = [];
    traffic.summaries = [];
  };
  const snapshot = (): { apiRequests: number; apiBytes: number; flagsRequests: number; summaryRequests: number; paths: string[] } => ({ apiRequests: traffic.requests.length, apiBytes: traffic.bytes, flagsRequests: traffic.flags.length, summaryRequests: traffic.summaries.length, paths: [...new Set(traffic.requests.map((u) => new URL(u).pathname))] });

  beforeAll(async () => {
    be = await startDynaliteBackend();
    await be.createTable("district");
    store = new DocumentStore({ tableName: "district", client: be.doc, retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 100 } });
    await writeDistrictYears(store);
    stored = await scanStored(be.doc, "district");
    server = await startServer({ api: new AnalystApi(store), pdf: async () => undefined });
    ({ browser, page } = await launchChromium());
    page.on("requestfinished", (req) => {
      const u = new URL(req.url());
      if (!u.pathname.startsWith("/api/")) return;
      traffic.requests.push(req.url());
      if (u.pathname === "/api/flags") traffic.flags.push(req.url());
      if (u.pathname === "/api/flags/summary") traffic.summaries.push(req.url());
      void req.sizes().then((s) => (traffic.bytes += s.responseBodySize));
    });
  }, 900_000);
  afterAll(async () => {
    mkdirSync(OUT, { recursive: true });
    if (Object.keys(measured).length > 0) writeFileSync(join(OUT, "flags-page-district.json"), JSON.stringify({ documents: stored?.metas.size, storedFlags: stored?.flags.length, servedFlags: stored ? selectFlags(stored, {}).length : 0, ...measured }, null, 2));
    await browser?.close();
    await server?.close();
    await be?.stop();
  });

  /** Opens the flags page at `query`, rendered, its API traffic counted (settled: sizes arrive after the responses). */
  async function open(query: string): Promise<ReturnType<typeof snapshot> & { msToReady: number }> {
    reset();
    const t0 = Date.now();
    await page.goto(`${server.url}/flags.html${query}`);
    await waitList(page);
    const msToReady = Date.now() - t0;
    await page.waitForLoadState("networkidle");
    return { ...snapshot(), msToReady };
  }

  const shownCounts = async (table: string): Promise<Record<string, { error: number; warning: number; info: number; all: number }>> =>
    Object.fromEntries(
      await page.locator(`#${table} tbody tr[data-${table === "by-rule" ? "rule" : "department"}]`).evaluateAll((trs) =>
        trs.map((tr) => {
          const n = [...tr.querySelectorAll("td")].slice(1).map((td) => Number(td.textContent));
          return [tr.querySelector("a")!.textContent, { error: n[0]!, warning: n[1]!, info: n[2]!, all: n[3]! }];
        }),
      ),
    );

  /** The page shows the counts of an independent count of the stored flags: the list's total and both facets. */
  async function expectCounts(f: Filters): Promise<void> {
    const s = await listState(page);
    expect(s.total, JSON.stringify(f)).toBe(selectFlags(stored, f).length);
    await expect(page.locator("#count").textContent()).resolves.toBe(`(${s.total})`);
    const { severity: _s, rule: _r, ...forRules } = f;
    const { severity: _s2, department: _d, ...forDepartments } = f;
    expect(await shownCounts("by-rule")).toEqual(countFlags(selectFlags(stored, forRules), false).byRule);
    expect(await shownCounts("by-department")).toEqual(countFlags(selectFlags(stored, forDepartments), false).byDepartment);
  }

  it("shows the summary's counts — equal to an independent count — with one page of flags requested", async () => {
    const t = await open("");
    await expectCounts({});
    const s = await listState(page);
    expect(s.shown.length).toBe(50);
    expect(s.pages).toBe(Math.ceil(s.total / 50));
    expect(t.flagsRequests).toBe(1);
    expect(new URL(traffic.flags[0]!).searchParams.get("limit")).toBe("50");
    expect(t.summaryRequests).toBe(1); // no filter: the choices, the count and both facets are one summary
    expect(t.paths).not.toContain("/api/documents");
    measured.after = { all: t };

    const y = [...selectFlags(stored, {}).reduce((m, x) => m.set(x.year!, (m.get(x.year!) ?? 0) + 1), new Map<number, number>())].sort((a, b) => b[1] - a[1])[0]![0];
    const filters: Filters = { severity: "error", year: y, kind: "budget" };
    const tf = await open(`?severity=error&year=${y}&kind=budget`);
    await expectCounts(filters);
    expect(tf.flagsRequests).toBe(1);
    expect(tf.summaryRequests).toBeLessThanOrEqual(4);
    await expect(page.locator("#f-year").inputValue()).resolves.toBe(String(y));
    (measured.after as Record<string, unknown>).filtered = { query: filters, ...tf };
  }, 180_000);

  it("paging asks for the next page only; a linked page opens on the same flags; a cursor that does not fit is found again", async () => {
    // The severity with the most flags (warnings with the real filings, another without them), so
    // that it runs over several pages whichever district was loaded.
    const served = selectFlags(stored, {});
    const bySeverity = (["error", "warning", "info"] as const).map((sev) => ({ sev, n: served.filter((f) => f.severity === sev).length })).sort((a, b) => b.n - a.n);
    const severity = bySeverity[0]!.sev;
    const otherSeverity = bySeverity[1]!.sev;
    await open(`?severity=${severity}`);
    await expectCounts({ severity });
    const first = await listState(page);
    expect(first.pages).toBeGreaterThan(3);
    reset();
    await page.click("#p-next");
    await waitListPage(page, 2);
    await page.click("#p-next");
    await waitListPage(page, 3);
    await page.waitForLoadState("networkidle");
    expect(traffic.flags.length).toBe(2);
    expect(traffic.summaries.length).toBe(0);
    const third = await listState(page);
    // The list's order within a severity: the GSI2 sort key (year, department, document, number).
    const warnings = selectFlags(stored, { severity }).sort((a, b) => (a.gsi2sk < b.gsi2sk ? -1 : 1)).map((x) => `${x.docId}#${x.n}`);
    const ids = (st: { shown: { docId: string; n: number }[] }) => st.shown.map((x) => `${x.docId}#${x.n}`);
    expect(ids(third)).toEqual(warnings.slice(100, 150));
    const link = new URL(page.url());
    expect(link.searchParams.get("p")).toBe("3");
    expect(link.searchParams.get("c")).toBeTruthy();

    // The link in a fresh page: the third page straight away, one flags request.
    const t = await open(link.search);
    expect((await listState(page)).shown).toEqual(third.shown);
    expect(t.flagsRequests).toBe(1);
    // Back from a linked page: page 2 found from the first (its cursor was not in the link).
    reset();
    await page.click("#p-prev");
    await waitListPage(page, 2);
    expect(ids(await listState(page))).toEqual(warnings.slice(50, 100));
    expect(traffic.flags.length).toBe(2);

    // A page-3 cursor of other filters (an edited link): refused by the API, the page found again from the first.
    link.searchParams.set("severity", otherSeverity);
    const t2 = await open(link.search);
    const info = selectFlags(stored, { severity: otherSeverity }).sort((a, b) => (a.gsi2sk < b.gsi2sk ? -1 : 1));
    const s = await listState(page);
    expect(s.page).toBe(Math.min(3, Math.ceil(info.length / 50)));
    expect(ids(s)).toEqual(info.slice((s.page - 1) * 50, s.page * 50).map((x) => `${x.docId}#${x.n}`));
    // The refused request, the pages up to the one shown, and at most one more: a full last page
    // carries a nextCursor whose page turns out empty.
    expect(t2.flagsRequests).toBeLessThanOrEqual(2 + s.page);
  }, 180_000);

  it("a summary the server cuts short (read budget) is continued by the page and added up: the same counts", async () => {
    const tight = await startServer({ api: new AnalystApi(store, { service: new QueryService(store, { summaryBudget: { items: 300, requests: 2 } }) }), pdf: async () => undefined });
    try {
      reset();
      await page.goto(`${tight.url}/flags.html?kind=budget`);
      await waitList(page);
      await page.waitForLoadState("networkidle");
      await expectCounts({ kind: "budget" });
      // Several calls per summary, each after the cursor of the one before.
      expect(traffic.summaries.length).toBeGreaterThan(3);
      expect(traffic.summaries.filter((u) => new URL(u).searchParams.has("cursor")).length).toBeGreaterThan(0);
      expect(traffic.flags.length).toBe(1);
    } finally {
      await tight.close();
    }
  }, 180_000);

  it.skipIf(!gitShow("web/js/flags.js"))(`before (${BEFORE_REV}) vs after: API requests and bytes to render the flags page`, async () => {
    const old = { "/js/flags.js": gitShow("web/js/flags.js")!, "/js/api.js": gitShow("web/js/api.js")! };
    const y = (measured.after as { filtered: { query: Filters } }).filtered.query.year;
    const views = { all: "", filtered: `?severity=error&year=${y}&kind=budget` };
    type Seen = Awaited<ReturnType<typeof open>>;
    const runs: Record<"before" | "after", Record<keyof typeof views, Seen[]>> = { before: { all: [], filtered: [] }, after: { all: [], filtered: [] } };
    // Alternately, twice each, warm: time to render is noisy on a shared machine; requests and bytes are not.
    for (let round = 0; round < 2; round++) {
      for (const which of ["before", "after"] as const) {
        if (which === "before") await page.route(/\/js\/(flags|api)\.js$/, (route) => route.fulfill({ status: 200, contentType: "text/javascript; charset=utf-8", body: old[new URL(route.request().url()).pathname as keyof typeof old] }));
        try {
          for (const [view, query] of Object.entries(views) as [keyof typeof views, string][]) {
            runs[which][view].push(await open(query));
            // Either page: the same total, counted by the old one from every flag it downloaded.
            const f: Filters = view === "all" ? {} : { severity: "error", year: y, kind: "budget" };
            expect((await listState(page)).total, `${which} ${view}`).toBe(selectFlags(stored, f).length);
          }
        } finally {
          if (which === "before") await page.unroute(/\/js\/(flags|api)\.js$/);
        }
      }
    }
    const summarize = (xs: Seen[]) => ({ ...xs[0]!, msToReady: Math.min(...xs.map((x) => x.msToReady)) });
    const before = { all: summarize(runs.before.all), filtered: summarize(runs.before.filtered) };
    const after = { all: summarize(runs.after.all), filtered: summarize(runs.after.filtered) };
    for (const v of ["all", "filtered"] as const) {
      expect(runs.before[v][1]!.apiBytes).toBe(runs.before[v][0]!.apiBytes);
      expect(runs.after[v][1]!.apiBytes).toBe(runs.after[v][0]!.apiBytes);
    }
    Object.assign(measured, { before, after, note: "msToReady: best of 2, warm, alternating; apiBytes: response bodies of /api requests" });
    const line = (x: typeof before) => `${x.all.apiRequests} requests, ${x.all.apiBytes} bytes, ${x.all.msToReady} ms (severity+year+kind: ${x.filtered.apiRequests}, ${x.filtered.apiBytes} bytes, ${x.filtered.msToReady} ms)`;
    console.log(`flags page over ${selectFlags(stored, {}).length} flags — before: ${line(before)}; after: ${line(after)}`);
    expect(after.all.apiBytes * 5).toBeLessThan(before.all.apiBytes);
    expect(after.filtered.apiBytes * 5).toBeLessThan(before.filtered.apiBytes);
  }, 300_000);
});
