// Server-side paging over a real ingested district (every fixture + the real filings when present),
// on dynalite and on DynamoDB Local: every page of every listing is walked through the route table
// and the union is compared with the answer computed from the parsed documents themselves —
// equal, in the documented order, no duplicates, the same on a second walk; a short page is said to
// be short (read budget); a bad, edited, foreign or forged cursor is a 400. Reads per page are
// measured against the old full-partition read (test-output/paging-<backend>.json).
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { departmentOf, type AmountItem, type BodyItem, type DocumentRecord, type FlagItem } from "../../functions/shared/documentItems.ts";
import * as K from "../../functions/shared/keys.ts";
import { encodeCursor, queryBinding } from "../../functions/shared/pageCursor.ts";
import { amountRow, flagRow, QueryService, type Paged } from "../../functions/query/queryService.ts";
import { QueryApi } from "../../functions/query/routes.ts";
import { createQueryHandler } from "../../functions/query/handler.ts";
import { departmentKey } from "../../reconcile/departmentAliases.ts";
import { javaAvailable, startDynaliteBackend, startDynamoDbLocalBackend, type Backend } from "./backends.ts";
import { loadDistrict, realAvailable, writeDistrict, type District, type Stored } from "./district.ts";

const SEVERITIES = ["error", "warning", "info"] as const;
const backends: [string, () => Promise<Backend>, boolean][] = [
  ["dynalite", startDynaliteBackend, true],
  ["DynamoDB Local", startDynamoDbLocalBackend, javaAvailable()],
];

type Q = Record<string, string | number | boolean | undefined>;
const str = (q: Q): Record<string, string> => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));

/** The served documents by the series rule (latest upload of a department/year/kind), computed from what was written. */
function servedIds(stored: Stored, includeSuperseded: boolean): Set<string> {
  if (includeSuperseded) return new Set(stored.records.keys());
  const latest = new Map<string, DocumentRecord>();
  const out = new Set<string>();
  for (const r of stored.records.values()) {
    if (r.department === undefined || r.year === undefined) {
      out.add(r.docId);
      continue;
    }
    const k = `${departmentKey(r.department)}|${r.year}|${r.docType}`;
    const cur = latest.get(k);
    if (!cur || cur.source.eventTime < r.source.eventTime || (cur.source.eventTime === r.source.eventTime && cur.docId < r.docId)) latest.set(k, r);
  }
  for (const r of latest.values()) out.add(r.docId);
  return out;
}

const bodyItems = (stored: Stored): BodyItem[] => [...stored.bodies.values()].flat();
const bySk = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0);
const ruleMatch = (rule: string, filter?: string) => filter === undefined || rule === filter || rule.startsWith(`${filter}.`);

function expectedFlags(stored: Stored, q: { severity?: string; rule?: string; year?: number; department?: string; includeSuperseded?: boolean }): unknown[] {
  const served = servedIds(stored, q.includeSuperseded ?? false);
  const flags = bodyItems(stored).filter((i): i is FlagItem => i.entity === "Flag") as FlagItem[];
  return SEVERITIES.filter((s) => !q.severity || s === q.severity).flatMap((sev) =>
    flags
      .filter((f) => f.severity === sev && served.has(f.docId) && ruleMatch(f.rule, q.rule) && (q.year === undefined || f.year === q.year) && (q.department === undefined || f.department === q.department))
      .sort(bySk("gsi2sk") as never)
      .map(flagRow),
  );
}

function expectedAmounts(stored: Stored, scheme: string, code: string, includeSuperseded = false): unknown[] {
  const served = servedIds(stored, includeSuperseded);
  return (bodyItems(stored).filter((i) => i.entity === "Amount") as AmountItem[])
    .filter((a) => a.gsi3pk === K.codeGsi3Pk(scheme, code) && served.has(a.docId))
    .sort(bySk("gsi3sk") as never)
    .map(amountRow);
}

describe.each(backends)("server-side paging over a real district on %s", (name, start, available) => {
  let be: Backend;
  let district: District;
  let stored: Stored;
  let store: DocumentStore;
  let api: QueryApi;
  const measured: Record<string, unknown>[] = [];

  /** Walks every page of a listing through the route table. */
  async function walk(path: string, q: Q, limit: number, via: QueryApi = api): Promise<{ items: unknown[]; pages: Paged<unknown>[] }> {
    const items: unknown[] = [];
    const pages: Paged<unknown>[] = [];
    let cursor: string | undefined;
    do {
      const res = await via.handle("GET", path, str({ ...q, limit, cursor }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const page = res.body as Paged<unknown>;
      expect(page.count).toBe(page.items.length);
      expect(page.count).toBeLessThanOrEqual(limit);
      if (page.page.stoppedBy === "limit") expect(page.count).toBe(limit);
      if (page.page.stoppedBy === "end") expect(page.nextCursor).toBeUndefined();
      pages.push(page);
      items.push(...page.items);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(5000);
    } while (cursor);
    return { items, pages };
  }

  /** Walks twice (stable) and checks the union against the expected answer, in order, without duplicates. */
  async function check(label: string, path: string, q: Q, limit: number, expected: unknown[], key: (x: never) => string, oldRead: () => Promise<number>, project: (x: never) => unknown = (x) => x): Promise<void> {
    const first = await walk(path, q, limit);
    const keys = first.items.map((x) => key(x as never));
    expect(new Set(keys).size, `${label}: duplicates`).toBe(keys.length);
    expect(first.items.map((x) => project(x as never)), label).toEqual(expected);
    const second = await walk(path, q, limit);
    expect(second.pages.map((p) => p.items), `${label}: same pages twice`).toEqual(first.pages.map((p) => p.items));
    const reads = first.pages.map((p) => p.page.read);
    measured.push({ query: label, limit, items: first.items.length, pages: first.pages.length, readPerPage: { max: Math.max(...reads), mean: Math.round(reads.reduce((a, b) => a + b, 0) / reads.length), total: reads.reduce((a, b) => a + b, 0) }, requestsPerPage: Math.max(...first.pages.map((p) => p.page.requests)), oldReadPerPage: await oldRead() });
  }

  beforeAll(async () => {
    if (!available) return;
    be = await start();
    district = await loadDistrict();
    await be.createTable("district");
    store = new DocumentStore({ tableName: "district", client: be.doc, retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 100 } });
    stored = await writeDistrict(store, district);
    api = new QueryApi(store);
  }, 900_000);
  afterAll(async () => {
    if (measured.length > 0) {
      mkdirSync("test-output", { recursive: true });
      writeFileSync(`test-output/paging-${name.replace(/\s+/g, "-").toLowerCase()}.json`, JSON.stringify({ documents: stored.records.size, flags: bodyItems(stored).filter((i) => i.entity === "Flag").length, measured }, null, 2));
    }
    await be?.stop();
  });

  it.runIf(available)("ingested the district: fixtures and (when present) the real filings", () => {
    expect(district.filings.length).toBeGreaterThanOrEqual(20);
    if (realAvailable()) expect(district.filings.some((f) => f.file.includes("shared/real"))).toBe(true);
    expect(stored.records.size).toBe(district.filings.length + 1);
  });

  it.runIf(available)("documents: every department, one department, one kind, failed — union of pages = the full answer", async () => {
    const committed = [...stored.records.values()];
    const current = servedIds(stored, false);
    const id = (d: { docId: string }) => d.docId;
    const ids = (xs: DocumentRecord[]) => xs.map((r) => r.docId);
    const docs = () => store.queryIndex(K.GSI2, "gsi2pk", K.DOCS_GSI2_PK).then((x) => x.length);
    const all = [...committed].sort(bySk("gsi2sk") as never);
    for (const limit of [1, 7, 100]) await check(`documents limit ${limit}`, "/documents", {}, limit, ids(all), id as never, docs, id as never);
    const walked = (await walk("/documents", {}, 10)).items as { docId: string; current: boolean }[];
    expect(walked.filter((d) => d.current).map(id).sort()).toEqual([...current].sort());
    expect(walked.find((d) => d.docId === stored.superseded)?.current).toBe(false);
    expect(walked.some((d) => d.docId === stored.uncommitted)).toBe(false);

    const finals = all.filter((r) => r.docType === "final_accounts");
    await check("documents kind=决算, limit 2", "/documents", { kind: "决算" }, 2, ids(finals), id as never, docs, id as never);
    const year = all[Math.floor(all.length / 2)]!.year!;
    await check(`documents year ${year}, limit 3`, "/documents", { year }, 3, ids(all.filter((r) => r.year === year)), id as never, docs, id as never);

    const dept = departmentOf({ meta: { department: stored.records.get(stored.superseded)!.department } } as never);
    const byDept = committed.filter((r) => r.gsi1pk === K.deptGsi1Pk(dept)).sort(bySk("gsi1sk") as never).reverse();
    expect(byDept.length).toBeGreaterThanOrEqual(2);
    await check("documents of one department (newest first), limit 1", "/documents", { department: dept }, 1, ids(byDept), id as never, () => store.queryIndex(K.GSI1, "gsi1pk", K.deptGsi1Pk(dept)).then((x) => x.length), id as never);

    const failedExpected = [...stored.failedIds].reverse();
    await check("documents status=FAILED, limit 1", "/documents", { status: "FAILED" }, 1, failedExpected, id as never, () => store.queryIndex(K.GSI1, "gsi1pk", K.FAILED_GSI1_PK).then((x) => x.length), id as never);
  }, 300_000);

  it.runIf(available)("flags: all severities, filtered by rule, year and department, with superseded — union of pages = the full answer", async () => {
    const flagKey = (f: { docId: string; severity: string; message: string; page?: number; rule: string; row?: string[] }) => JSON.stringify(f);
    const oldFlags = (q: { severity?: string; year?: number; department?: string }) => async () => {
      let n = 0;
      for (const s of q.severity ? [q.severity] : SEVERITIES) n += (await store.queryIndex(K.GSI2, "gsi2pk", K.severityGsi2Pk(s), K.yearDeptPrefix(q.year, q.department))).length;
      return n;
    };
    const all = expectedFlags(stored, {});
    expect(all.length).toBeGreaterThan(realAvailable() ? 200 : 100); // several pages at limit 50 either way
    await check("flags all, limit 50", "/flags", {}, 50, all, flagKey as never, oldFlags({}));
    await check("flags all, limit 1000", "/flags", {}, 1000, all, flagKey as never, oldFlags({}));
    await check("flags error, limit 7", "/flags", { severity: "error" }, 7, expectedFlags(stored, { severity: "error" }), flagKey as never, oldFlags({ severity: "error" }));
    await check("flags rule=sum, limit 10", "/flags", { rule: "sum" }, 10, expectedFlags(stored, { rule: "sum" }), flagKey as never, oldFlags({}));
    await check("flags includeSuperseded, limit 100", "/flags", { includeSuperseded: true }, 100, expectedFlags(stored, { includeSuperseded: true }), flagKey as never, oldFlags({}));
    const year = district.filings[0]!.doc.meta.year!;
    await check(`flags year ${year}, limit 20`, "/flags", { year }, 20, expectedFlags(stored, { year }), flagKey as never, oldFlags({ year }));
    const dept = departmentOf(district.filings.find((f) => f.flags.length > 3)!.doc);
    // A department without a year: a filter over the whole severity partition (the old code ignored it).
    const deptFlags = expectedFlags(stored, { department: dept });
    expect(deptFlags.length).toBeGreaterThan(0);
    expect(deptFlags.length).toBeLessThan(all.length);
    await check("flags department (no year), limit 5", "/flags", { department: dept }, 5, deptFlags, flagKey as never, oldFlags({}));
    // Nothing of the uncommitted write and of the superseded filing (unless asked for).
    const served = (await walk("/flags", {}, 1000)).items as { docId: string }[];
    expect(served.some((f) => f.docId === stored.uncommitted || f.docId === stored.superseded)).toBe(false);
    expect(served.some((f) => f.docId === stored.refiling)).toBe(true);
  }, 600_000);

  it.runIf(available)("amounts by code and one document's flags — union of pages = the full answer", async () => {
    const counts = new Map<string, number>();
    for (const a of bodyItems(stored).filter((i) => i.entity === "Amount") as AmountItem[]) counts.set(a.gsi3pk, (counts.get(a.gsi3pk) ?? 0) + 1);
    const [busiest] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const [, scheme, code] = busiest.split("#");
    const exp = expectedAmounts(stored, scheme!, code!);
    expect(exp.length).toBeGreaterThan(20);
    const amountKey = (a: { docId: string; table: string; label: string[]; page: number; values: unknown }) => JSON.stringify(a);
    for (const limit of [3, 25]) await check(`amounts ${scheme} ${code}, limit ${limit}`, "/amounts", { scheme, code }, limit, exp, amountKey as never, () => store.queryIndex(K.GSI3, "gsi3pk", busiest).then((x) => x.length));
    await check(`amounts ${code} includeSuperseded`, "/amounts", { scheme, code, includeSuperseded: true }, 25, expectedAmounts(stored, scheme!, code!, true), amountKey as never, () => store.queryIndex(K.GSI3, "gsi3pk", busiest).then((x) => x.length));

    const doc = [...stored.bodies.entries()].sort((a, b) => b[1].filter((i) => i.entity === "Flag").length - a[1].filter((i) => i.entity === "Flag").length)[0]!;
    const docFlags = (doc[1].filter((i) => i.entity === "Flag") as FlagItem[]).sort(bySk("sk") as never);
    await check("document flags, limit 4", `/documents/${doc[0]}/flags`, {}, 4, docFlags.map(flagRow), ((f: { n: number }) => String(f.n)) as never, () => store.documentItems(doc[0], K.SK_PREFIX.flag).then((x) => x.length));
    const infos = docFlags.filter((f) => f.severity === "info");
    await check("document flags severity=info, limit 2", `/documents/${doc[0]}/flags`, { severity: "info" }, 2, infos.map(flagRow), ((f: { n: number }) => String(f.n)) as never, () => store.documentItems(doc[0], K.SK_PREFIX.flag).then((x) => x.length));
    expect((await api.handle("GET", `/documents/${stored.uncommitted}/flags`, {})).status).toBe(404);
  }, 600_000);

  it.runIf(available)("a filter that matches little stops at the read budget with a short page that says so, and the walk still covers everything", async () => {
    const tight = new QueryApi(store, { service: new QueryService(store, { readBudget: { items: 60, requests: 3 } }) });
    const rules = new Map<string, number>();
    for (const f of expectedFlags(stored, {}) as { rule: string }[]) rules.set(f.rule, (rules.get(f.rule) ?? 0) + 1);
    const rare = [...rules.entries()].sort((a, b) => a[1] - b[1])[0]![0];
    const { items, pages } = await walk("/flags", { rule: rare }, 100, tight);
    expect(items).toEqual(expectedFlags(stored, { rule: rare }));
    const short = pages.filter((p) => p.page.stoppedBy === "readBudget");
    expect(short.length).toBeGreaterThan(0);
    for (const p of short) {
      expect(p.count).toBeLessThan(100);
      expect(p.nextCursor).toBeTruthy();
      expect(p.page.read).toBeLessThanOrEqual(60);
    }
    expect(pages.every((p) => p.page.requests <= 3 && p.page.read <= 60)).toBe(true);
    measured.push({ query: `flags rule=${rare} under a read budget of 60 items / 3 requests`, items: items.length, pages: pages.length, shortPages: short.length });
  }, 300_000);

  it.runIf(available)("refuses a bad, edited, foreign or forged cursor with a 400 (route table and Lambda)", async () => {
    const p1 = (await api.handle("GET", "/flags", { severity: "error", limit: "2" })).body as Paged<unknown>;
    const a1 = (await api.handle("GET", "/amounts", { code: "201", limit: "1" })).body as Paged<unknown>;
    expect(p1.nextCursor && a1.nextCursor).toBeTruthy();
    const bad = async (path: string, q: Record<string, string>, why: RegExp) => {
      const r = await api.handle("GET", path, q);
      expect(r.status, JSON.stringify(q)).toBe(400);
      expect(r.body).toMatchObject({ error: "invalid request" });
      expect(JSON.stringify(r.body)).toMatch(why);
    };
    await bad("/flags", { severity: "error", cursor: "zzz" }, /malformed/);
    await bad("/flags", { severity: "warning", cursor: p1.nextCursor! }, /different query/); // same route, other filter
    await bad("/amounts", { code: "201", cursor: p1.nextCursor! }, /different query/); // another route
    await bad("/flags", { severity: "error", cursor: a1.nextCursor! }, /different query/);
    const [v, payload, tag] = p1.nextCursor!.split(".");
    const state = JSON.parse(Buffer.from(payload!, "base64url").toString()) as { k: Record<string, string> };
    const edited = Buffer.from(JSON.stringify({ ...state, k: { ...state.k, gsi2sk: "0000" } })).toString("base64url");
    await bad("/flags", { severity: "error", cursor: `${v}.${edited}.${tag}` }, /signature/);
    // Forged with the right MAC (the default secret is public) but a key from another partition: the store refuses it.
    const foreign = { pk: "DOC#x", sk: "FLAG#00001", gsi2pk: "SEV#info", gsi2sk: "2025#x" };
    await bad("/flags", { severity: "error", cursor: encodeCursor({ p: 0, k: foreign }, queryBinding("flags", { severity: "error" })) }, /partition/);
    await bad("/flags", { severity: "error", cursor: encodeCursor({ p: 5 }, queryBinding("flags", { severity: "error" })) }, /partition/);
    const lambda = createQueryHandler(api);
    const res = await lambda({ rawPath: "/flags", queryStringParameters: { severity: "error", cursor: a1.nextCursor }, requestContext: { http: { method: "GET" } } } as unknown as APIGatewayProxyEventV2);
    expect(res.statusCode).toBe(400);
  }, 120_000);
});
