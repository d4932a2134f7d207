// /flags/summary over a district across several years (test/query/districtYears.ts: real parser and
// rules over every fixture and the real filings when present, ×11 years, a few filings re-checked
// into a second generation of flags) on dynalite, asked through
// `budgetlens serve`'s HTTP server, the query Lambda, the analyst Lambda and `budgetlens query`: the
// counts equal an independent count of the stored flags (a plain Scan of the table, META's status,
// supersededBy and docType) for several filter combinations. A summary cut short by its read budget
// says so and, continued, adds up to the same counts; the list's new kind filter lists exactly those
// flags. Numbers: test-output/flags-summary-district.json.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { parseGenerationSk } from "../../functions/shared/keys.ts";
import { QueryService } from "../../functions/query/queryService.ts";
import { QueryApi } from "../../functions/query/routes.ts";
import { createQueryHandler } from "../../functions/query/handler.ts";
import type { FlagSummary } from "../../functions/query/flagSummary.ts";
import { createAnalystHandler } from "../../analyst/lambdaHandler.ts";
import { AnalystApi } from "../../analyst/api.ts";
import { startServer, type RunningServer } from "../../analyst/server.ts";
import { startDynaliteBackend, type Backend } from "../pipeline/backends.ts";
import { countFlags, scanStored, selectFlags, summaryAsMaps, RECHECKED, writeDistrictYears, type DistrictYears, type Filters } from "./districtYears.ts";
import { realAvailable } from "../pipeline/district.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const str = (f: Filters & { cursor?: string; limit?: number }): Record<string, string> =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));

describe("flags summary over a district across years (dynalite)", () => {
  let be: Backend;
  let store: DocumentStore;
  let api: QueryApi;
  let server: RunningServer;
  let stored: Awaited<ReturnType<typeof scanStored>>;
  let loaded: DistrictYears;
  const measured: Record<string, unknown>[] = [];

  const http = async (path: string, q: Record<string, string>): Promise<{ status: number; body: unknown; bytes: number; ms: number }> => {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api${path}?${new URLSearchParams(q)}`);
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text), bytes: Buffer.byteLength(text), ms: Math.round(performance.now() - t0) };
  };

  beforeAll(async () => {
    be = await startDynaliteBackend();
    await be.createTable("district");
    store = new DocumentStore({ tableName: "district", client: be.doc, retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 100 } });
    loaded = await writeDistrictYears(store);
    stored = await scanStored(be.doc, "district");
    api = new AnalystApi(store);
    server = await startServer({ api, pdf: async () => undefined });
  }, 900_000);
  afterAll(async () => {
    if (measured.length > 0) {
      mkdirSync("test-output", { recursive: true });
      writeFileSync("test-output/flags-summary-district.json", JSON.stringify({ documents: stored.metas.size, flags: stored.flags.length, measured }, null, 2));
    }
    await server?.close();
    await be?.stop();
  });

  /** Filter combinations drawn from the district itself: its busiest year, a department filed in several years, a rule family. */
  function combinations(): Filters[] {
    const served = selectFlags(stored, {});
    const most = <T>(xs: T[]): T => [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>())].sort((a, b) => b[1] - a[1])[0]![0];
    const year = most(served.map((f) => f.year).filter((y): y is number => y !== undefined));
    const department = most(served.map((f) => f.department));
    const deptYear = most(served.filter((f) => f.department === department).map((f) => f.year!));
    const deptSeverity = most(served.filter((f) => f.department === department && f.year === deptYear).map((f) => f.severity));
    const family = most(served.map((f) => f.rule.split(".")[0]!));
    return [
      {},
      { year },
      { severity: "error" },
      { rule: family },
      // 决算 filings are among the real ones only (the fixtures are 预算).
      ...(realAvailable() ? [{ kind: "final_accounts" } as Filters] : []),
      { kind: "budget", severity: "warning" },
      { department },
      { department, year: deptYear, severity: deptSeverity },
      { rule: "narrative", kind: "budget", year },
      { includeSuperseded: true },
      { department: "没有这个部门" },
    ];
  }

  it("holds thousands of flags over several years and departments", () => {
    const served = selectFlags(stored, {});
    console.log(`district: ${stored.metas.size} documents, ${stored.flags.length} stored flags, ${served.length} served, years ${[...new Set(served.map((f) => f.year))].sort().join(" ")}`);
    expect(served.length).toBeGreaterThan(realAvailable() ? 1500 : 500);
    expect(new Set(served.map((f) => f.year)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(served.map((f) => f.department)).size).toBeGreaterThanOrEqual(realAvailable() ? 10 : 4);
    // The planted re-filing and the earlier-year copies supersede some filings: superseded flags exist.
    expect(stored.flags.length).toBeGreaterThan(served.length);
    // Re-checked filings: both generations of their flags are in the table, only the new one is served.
    expect(loaded.rechecked.length).toBe(RECHECKED);
    for (const id of loaded.rechecked) {
      const gens = new Set(stored.flags.filter((f) => f.docId === id).map((f) => parseGenerationSk(f.sk).generation));
      expect(gens.size, id).toBe(2);
      expect(selectFlags(stored, {}).filter((f) => f.docId === id).length).toBe(stored.metas.get(id)!.counts!.flags);
    }
  });

  it("summary counts = an independent count of the stored flags, for every filter combination (served over HTTP)", async () => {
    for (const f of combinations()) {
      const res = await http("/flags/summary", str(f));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const s = res.body as FlagSummary;
      expect(s.complete, JSON.stringify(f)).toBe(true);
      expect(s.nextCursor).toBeUndefined();
      expect(summaryAsMaps(s), JSON.stringify(f)).toEqual(countFlags(selectFlags(stored, f), f.year === undefined));
      if (f.year !== undefined) expect(s.byYear).toBeUndefined();
      if (Object.keys(f).length > 0 && f.department !== "没有这个部门") expect(s.total, `${JSON.stringify(f)}: a combination that selects something`).toBeGreaterThan(0);
      measured.push({ query: f, total: s.total, bytes: res.bytes, ms: res.ms, read: s.page.read, requests: s.page.requests, documents: s.page.documents });
    }
    // Before: the page read every flag of the filters' year, 1,000 a request, to count them itself.
    let bytes = 0;
    let requests = 0;
    let ms = 0;
    let cursor: string | undefined;
    do {
      const res = await http("/flags", str({ limit: 1000, cursor }));
      bytes += res.bytes;
      ms += res.ms;
      requests++;
      cursor = (res.body as { nextCursor?: string }).nextCursor;
    } while (cursor);
    const again = await http("/flags/summary", {});
    const all = measured[0] as { bytes: number; ms: number };
    measured.push({ query: "every flag listed (what the page used to download to count)", bytes, requests, ms }, { query: "summary of everything, again (warm)", ms: again.ms });
    console.log(`count every flag: summary ${all.bytes} bytes in 1 request, ${all.ms} ms (again: ${again.ms} ms); listing them ${bytes} bytes in ${requests} requests, ${ms} ms`);
    expect(all.bytes * 20).toBeLessThan(bytes);
  }, 300_000);

  it("the same answer from the query Lambda, the analyst Lambda and `budgetlens query flags --summary`", async () => {
    const f: Filters = { severity: "error", kind: "budget" };
    const expected = (await api.handle("GET", "/flags/summary", str(f))).body as FlagSummary;
    const event = (rawPath: string, q: Record<string, string>) => ({ rawPath, queryStringParameters: q, requestContext: { http: { method: "GET" }, stage: "$default" } }) as unknown as APIGatewayProxyEventV2;
    const viaQuery = await createQueryHandler(new QueryApi(store))(event("/flags/summary", str(f)));
    expect(viaQuery.statusCode).toBe(200);
    expect(JSON.parse(String(viaQuery.body))).toEqual(expected);
    const viaAnalyst = await createAnalystHandler({ api: new AnalystApi(store) })(event("/api/flags/summary", str(f)));
    expect(JSON.parse(String(viaAnalyst.body))).toEqual(expected);
    const { stdout } = await promisify(execFile)("npx", ["tsx", "cli/main.ts", "query", "flags", "--summary", "--severity", "error", "--kind", "预算", "--json", "--api", `${server.url}/api`], { cwd: repoRoot, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
    const cli = JSON.parse(stdout) as FlagSummary & { calls: number };
    expect(cli.calls).toBe(1);
    expect(summaryAsMaps(cli)).toEqual(summaryAsMaps(expected));
    expect(expected.total).toBe(selectFlags(stored, f).length);
    // For people: the totals line and the three tables.
    const text = (await promisify(execFile)("npx", ["tsx", "cli/main.ts", "query", "flags", "--summary", "--severity", "error", "--kind", "预算", "--api", `${server.url}/api`], { cwd: repoRoot, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } })).stdout;
    expect(text).toContain(`${expected.total} flags (${expected.total} errors, 0 warnings, 0 info)`);
    for (const h of ["per rule", "per department", "per year"]) expect(text).toContain(h);
    for (const r of expected.byRule) expect(text).toContain(r.rule);
  }, 120_000);

  it("a summary cut short by its read budget says so; continued with its cursor, the counts add up to the whole", async () => {
    const tight = new QueryApi(store, { service: new QueryService(store, { summaryBudget: { items: 300, requests: 2 } }) });
    for (const f of [{}, { department: combinations().find((f) => f.department !== undefined)!.department }, { rule: "sum", kind: "budget" }] as Filters[]) {
      const parts: FlagSummary[] = [];
      let cursor: string | undefined;
      do {
        const res = await tight.handle("GET", "/flags/summary", str({ ...f, cursor }));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const s = res.body as FlagSummary;
        expect(s.page.read).toBeLessThanOrEqual(300);
        expect(s.page.requests).toBeLessThanOrEqual(2);
        expect(s.complete).toBe(s.nextCursor === undefined);
        expect(s.page.stoppedBy).toBe(s.complete ? "end" : "readBudget");
        parts.push(s);
        cursor = s.nextCursor;
        expect(parts.length).toBeLessThan(500);
      } while (cursor);
      const want = countFlags(selectFlags(stored, f), true);
      if (want.total > 300) expect(parts.length, JSON.stringify(f)).toBeGreaterThan(1);
      // Added up: every flag counted once.
      const sum = { total: 0, bySeverity: { error: 0, warning: 0, info: 0, all: 0 }, byRule: {} as Record<string, number>, byDepartment: {} as Record<string, number>, byYear: {} as Record<string, number> };
      for (const p of parts) {
        const m = summaryAsMaps(p);
        sum.total += m.total;
        for (const k of ["error", "warning", "info", "all"] as const) sum.bySeverity[k] += m.bySeverity[k];
        for (const [k, c] of Object.entries(m.byRule)) sum.byRule[k] = (sum.byRule[k] ?? 0) + c.all;
        for (const [k, c] of Object.entries(m.byDepartment)) sum.byDepartment[k] = (sum.byDepartment[k] ?? 0) + c.all;
        for (const [k, c] of Object.entries(m.byYear ?? {})) sum.byYear[k] = (sum.byYear[k] ?? 0) + c.all;
      }
      const alls = (r: Record<string, { all: number }>) => Object.fromEntries(Object.entries(r).map(([k, c]) => [k, c.all]));
      expect(sum, JSON.stringify(f)).toEqual({ total: want.total, bySeverity: want.bySeverity, byRule: alls(want.byRule), byDepartment: alls(want.byDepartment), byYear: alls(want.byYear!) });
      measured.push({ query: f, tightBudget: { items: 300, requests: 2 }, calls: parts.length, total: want.total });
    }
    // The cursor is bound to its query: another query's summary, or the list, refuses it.
    const first = (await tight.handle("GET", "/flags/summary", {})).body as FlagSummary;
    expect(first.nextCursor).toBeDefined();
    expect((await tight.handle("GET", "/flags/summary", { severity: "error", cursor: first.nextCursor! })).status).toBe(400);
    expect((await tight.handle("GET", "/flags", { cursor: first.nextCursor! })).status).toBe(400);
    expect((await tight.handle("GET", "/flags/summary", { cursor: first.nextCursor!.slice(0, -2) + "xx" })).status).toBe(400);
  }, 300_000);

  it("the flags list filters by kind (预算/决算) on the server, with the cursor bound to the filters", async () => {
    for (const f of [{ kind: "final_accounts" }, { kind: "预算", severity: "error" }, { kind: "budget", rule: "narrative", department: combinations().find((f) => f.department !== undefined)!.department }] as Filters[]) {
      const items: { docId: string; n: number; docType: string }[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await http("/flags", str({ ...f, limit: 100, cursor }));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const b = res.body as { items: typeof items; nextCursor?: string };
        items.push(...b.items);
        cursor = b.nextCursor;
        pages++;
      } while (cursor);
      const kind = f.kind === "预算" ? "budget" : f.kind;
      const want = selectFlags(stored, { ...f, kind });
      expect(items.map((x) => `${x.docId}#${x.n}`).sort(), JSON.stringify(f)).toEqual(want.map((x) => `${x.docId}#${x.n}`).sort());
      expect(items.every((x) => x.docType === kind)).toBe(true);
      measured.push({ query: { ...f, list: true }, items: items.length, pages });
    }
    const page1 = (await http("/flags", { kind: "budget", limit: "5" })).body as { nextCursor: string };
    expect((await http("/flags", { kind: "final_accounts", limit: "5", cursor: page1.nextCursor })).status).toBe(400);
    expect((await http("/flags", { kind: "nonsense" })).status).toBe(400);
    expect((await http("/flags/summary", { kind: "nonsense" })).status).toBe(400);
    expect((await http("/flags/summary", { limit: "5" })).status).toBe(400);
  }, 300_000);
});
