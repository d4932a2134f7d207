// The one route table of the query API, with its zod validation. Served by the query Lambda
// (handler.ts), the analyst Lambda (analyst/lambdaHandler.ts, + PDF redirects), `budgetlens serve`
// (under /api) and `budgetlens query` (in process, or over HTTP with --api). GET only; a bad
// parameter or cursor is a 400 with the issues, an unknown document a 404.
//
//   GET /documents?department=&year=&kind=&status=FAILED&limit=&cursor=              paged
//   GET /documents/{docId}                    summary + table headers
//   GET /documents/{docId}/tables             table headers
//   GET /documents/{docId}/tables/{tableId}/rows
//   GET /documents/{docId}/flags?severity=&rule=&limit=&cursor=                       paged
//   GET /documents/{docId}/model              whole document model + flags (web view, export)
//   GET /flags?severity=&rule=&year=&kind=&department=&includeSuperseded=&limit=&cursor=    paged
//   GET /flags/summary?(the same filters)&cursor=   counts by severity, rule, department (year when
//                                             none given); complete:false + nextCursor if the read
//                                             budget ran out (counts so far; add the next call's)
//   GET /amounts?code=&scheme=&year=&department=&includeSuperseded=&limit=&cursor=    paged
//   GET /compare?code=&scheme=&kind=&column=&year=&department=&includeSuperseded=
//   GET /departments                          departments (names across years grouped) with filings
//   GET /departments/{department}/years?kind= every table row side by side across years
//   GET /departments/{department}/headcount?kind=
//
// Paged answers: { items, count, nextCursor?, total?, page: { limit, read, requests, stoppedBy } },
// read on the server (queryService.ts has each endpoint's order and the read budget).
import { z } from "zod";
import type { DisclosureDocument } from "../../parsers/model.ts";
import { Severity, type Flag } from "../../reconcile/flag.ts";
import { departmentKey } from "../../reconcile/departmentAliases.ts";
import { parseDocType } from "../../analyst/docType.ts";
import { headcountOverYears, yearOverYear, type Filing } from "../../analyst/yearOverYear.ts";
import { generationsOf, itemsToDocument } from "../shared/documentItems.ts";
import type { DocumentStore } from "../shared/documentStore.ts";
import { InvalidCursorError, queryBinding } from "../shared/pageCursor.ts";
import { PAGE_SETTINGS, QueryService, type DocumentSummary } from "./queryService.ts";

export interface ApiResponse {
  status: number;
  body: unknown;
}

// ---- validation -------------------------------------------------------------------------------

const DocId = z.string().regex(/^[0-9a-f]{64}$/, "docId is the document's SHA-256 (64 hex digits)");
const Year = z.coerce.number().int().min(2000).max(2100);
const Bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const Text = z.string().trim().min(1).max(200);
const DocKind = z.string().transform((s, ctx) => {
  const t = parseDocType(s);
  if (!t) ctx.addIssue({ code: "custom", message: "kind is 预算 | 决算 | budget | final_accounts" });
  return t ?? "budget";
});
const Rule = z.string().trim().min(1).max(100);
const Paging = {
  limit: z.coerce.number().int().min(1).max(PAGE_SETTINGS.maxLimit).default(PAGE_SETTINGS.defaultLimit),
  cursor: z.string().min(1).max(2000).optional(),
};
const Scope = { year: Year.optional(), department: Text.optional(), includeSuperseded: Bool.optional() };
const Code = {
  code: z.string().regex(/^\d{3}(\d{2}){0,2}$/, "code is 3, 5 or 7 digits"),
  scheme: z.enum(["functional", "economic"]).default("functional"),
};
const None = z.strictObject({});
/** The filters of the flags list and of its summary (the same flags). */
const FlagFilters = { severity: Severity.optional(), rule: Rule.optional(), kind: DocKind.optional(), ...Scope };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new HttpError(400, "invalid request", z.treeifyError(r.error));
  return r.data;
}

const found = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new HttpError(404, `${what} not found`);
  return v;
};

// ---- the table --------------------------------------------------------------------------------

interface Route {
  /** Also what a page cursor is bound to (with the parameters). */
  name: string;
  /** Segments; `{name}` is a path parameter. */
  path: string;
  run(api: QueryApi, params: Record<string, string>, query: Record<string, string | undefined>, route: string): Promise<unknown>;
}

/** A route whose path parameters and query string are validated by zod before `run` sees them. */
function route<P extends z.ZodType, Q extends z.ZodType>(
  name: string,
  path: string,
  schemas: { params?: P; query: Q },
  run: (api: QueryApi, p: z.infer<P>, q: z.infer<Q>, binding: string) => Promise<unknown>,
): Route {
  return {
    name,
    path,
    async run(api, rawParams, rawQuery, routeName) {
      const p = schemas.params ? parse(schemas.params, rawParams) : ({} as z.infer<P>);
      const q = parse(schemas.query, rawQuery);
      return run(api, p, q, queryBinding(routeName, { ...(p as object), ...(q as object) }));
    },
  };
}

const DocParams = z.strictObject({ docId: DocId });

export const ROUTES: readonly Route[] = [
  route(
    "documents",
    "/documents",
    { query: z.strictObject({ department: Text.optional(), year: Year.optional(), kind: DocKind.optional(), status: z.enum(["FAILED"]).optional(), ...Paging }) },
    (api, _p, q, binding) =>
      q.status === "FAILED"
        ? api.service.failedDocumentsPage({ limit: q.limit, cursor: q.cursor, binding })
        : api.service.documentsPage({ department: q.department, year: q.year, kind: q.kind }, { limit: q.limit, cursor: q.cursor, binding }),
  ),
  route("document", "/documents/{docId}", { params: DocParams, query: None }, async (api, p) => found(await api.service.document(p.docId), "document")),
  route("tables", "/documents/{docId}/tables", { params: DocParams, query: None }, async (api, p) => ({ items: found(await api.service.tables(p.docId), "document") })),
  route(
    "rows",
    "/documents/{docId}/tables/{tableId}/rows",
    { params: z.strictObject({ docId: DocId, tableId: Text }), query: None },
    async (api, p) => found(await api.service.rows(p.docId, p.tableId), "table"),
  ),
  route(
    "documentFlags",
    "/documents/{docId}/flags",
    { params: DocParams, query: z.strictObject({ severity: Severity.optional(), rule: Rule.optional(), ...Paging }) },
    async (api, p, q, binding) => found(await api.service.documentFlagsPage(p.docId, q, { limit: q.limit, cursor: q.cursor, binding }), "document"),
  ),
  route("model", "/documents/{docId}/model", { params: DocParams, query: None }, async (api, p) => {
    const m = found(await api.model(p.docId), "document (committed)");
    return { document: await api.service.document(p.docId), model: m.model, flags: m.flags };
  }),
  route(
    "flags",
    "/flags",
    { query: z.strictObject({ ...FlagFilters, ...Paging }) },
    (api, _p, { limit, cursor, ...q }, binding) => api.service.flagsPage(q, { limit, cursor, binding }),
  ),
  route(
    "flagSummary",
    "/flags/summary",
    { query: z.strictObject({ ...FlagFilters, cursor: Paging.cursor }) },
    (api, _p, { cursor, ...q }, binding) => api.service.flagSummary(q, { cursor, binding }),
  ),
  route(
    "amounts",
    "/amounts",
    { query: z.strictObject({ ...Code, ...Scope, ...Paging }) },
    (api, _p, { scheme, code, limit, cursor, ...scope }, binding) => api.service.amountsPage(scheme, code, scope, { limit, cursor, binding }),
  ),
  route(
    "compare",
    "/compare",
    { query: z.strictObject({ ...Code, ...Scope, kind: Text.optional(), column: Text.optional() }) },
    (api, _p, { scheme, code, ...rest }) => api.service.compare(scheme, code, rest),
  ),
  route("departments", "/departments", { query: None }, async (api) => ({ items: await api.departments() })),
  route(
    "years",
    "/departments/{department}/years",
    { params: z.strictObject({ department: Text }), query: z.strictObject({ kind: DocKind.optional() }) },
    async (api, p, q) => {
      const docType = q.kind ?? "budget";
      const filings = await api.filings(p.department, docType);
      if (filings.length === 0) throw new HttpError(404, `no ${docType} filings stored for ${p.department}`);
      return { ...yearOverYear(p.department, docType, filings), names: [...new Set(filings.map((f) => f.model.meta.department ?? p.department))] };
    },
  ),
  route(
    "headcount",
    "/departments/{department}/headcount",
    { params: z.strictObject({ department: Text }), query: z.strictObject({ kind: DocKind.optional() }) },
    async (api, p, q) => {
      const docType = q.kind ?? "budget";
      const filings = await api.filings(p.department, docType);
      if (filings.length === 0) throw new HttpError(404, `no ${docType} filings stored for ${p.department}`);
      return { department: p.department, docType, items: headcountOverYears(filings) };
    },
  ),
];

/** The route a path names, with its path parameters (segments URL-decoded); undefined when none. */
export function matchRoute(path: string): { route: Route; params: Record<string, string> } | undefined {
  let parts: string[];
  try {
    parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, "invalid request", { errors: ["the path is not valid percent-encoding"] });
  }
  for (const r of ROUTES) {
    const segs = r.path.split("/").filter(Boolean);
    if (segs.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (segs.every((s, i) => (s.startsWith("{") ? ((params[s.slice(1, -1)] = parts[i]!), true) : s === parts[i]))) return { route: r, params };
  }
  return undefined;
}

// ---- the API ----------------------------------------------------------------------------------

export interface Department {
  /** The name of the latest filing. */
  department: string;
  /** Every name the department's filings carry (renamed departments, see reconcile/departmentAliases.ts). */
  names: string[];
  filings: { year?: number; docType: string; docId: string; name: string }[];
}

/** The query API over a document store: the route table's context, shared by every front end. */
export class QueryApi {
  readonly service: QueryService;
  private readonly models = new Map<string, { model: DisclosureDocument; flags: Flag[] }>();

  constructor(
    readonly store: DocumentStore,
    opts: { service?: QueryService } = {},
  ) {
    this.service = opts.service ?? new QueryService(store);
  }

  /** Answers one request. Never throws for a client error (4xx body); store failures propagate (→ 500). */
  async handle(method: string, path: string, query: Record<string, string | undefined>): Promise<ApiResponse> {
    try {
      if (method !== "GET") throw new HttpError(405, "only GET is supported");
      const m = matchRoute(path);
      if (!m) throw new HttpError(404, `no route for ${path}`);
      const clean: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(query)) if (v !== undefined) clean[k] = v;
      return { status: 200, body: await m.route.run(this, m.params, clean, m.route.name) };
    } catch (err) {
      if (err instanceof HttpError) return { status: err.status, body: { error: err.message, details: err.details } };
      if (err instanceof InvalidCursorError) return { status: 400, body: { error: "invalid request", details: { errors: [err.message] } } };
      throw err;
    }
  }

  /**
   * A stored document's model and flags, cached by the generations META names: the bytes behind a
   * docId never change, but re-processing and re-checks replace what was read from them.
   */
  async model(docId: string): Promise<{ model: DisclosureDocument; flags: Flag[] } | undefined> {
    const meta = await this.store.getMeta(docId);
    if (meta?.status !== "COMMITTED") return undefined;
    const gens = generationsOf(meta);
    const key = `${docId}@${gens.body}/${gens.flags}`;
    const hit = this.models.get(key);
    if (hit) return hit;
    const { document, flags } = itemsToDocument(meta, await this.store.documentItems(docId));
    const v = { model: document, flags };
    if (this.models.size > 200) this.models.delete(this.models.keys().next().value as string);
    this.models.set(key, v);
    return v;
  }

  /** Current filings of every department, names that denote the same department grouped (one entry each). */
  async departments(): Promise<Department[]> {
    const docs = (await this.service.documents()).filter((d) => d.current);
    const byKey = new Map<string, Department & { latest: number }>();
    for (const d of docs) {
      const name = d.department ?? "(unknown)";
      const k = departmentKey(name);
      const e = byKey.get(k) ?? { department: name, names: [], filings: [], latest: -1 };
      if (!e.names.includes(name)) e.names.push(name);
      if ((d.year ?? 0) > e.latest) {
        e.latest = d.year ?? 0;
        e.department = name;
      }
      e.filings.push({ year: d.year, docType: d.docType, docId: d.docId, name });
      byKey.set(k, e);
    }
    const items = [...byKey.values()].map(({ latest: _l, ...e }) => e).sort((x, y) => x.department.localeCompare(y.department, "zh"));
    for (const e of items) e.filings.sort((x, y) => (x.year ?? 0) - (y.year ?? 0) || x.docType.localeCompare(y.docType));
    return items;
  }

  /**
   * The current filing of each year of one department and kind, with models — under every name the
   * department has had (aliases and safe spelling variants, reconcile/departmentAliases.ts).
   */
  async filings(department: string, docType: string): Promise<Filing[]> {
    const key = departmentKey(department);
    const names = new Set([department]);
    for (const d of await this.departments()) if (departmentKey(d.department) === key) for (const n of d.names) names.add(n);
    const docs: DocumentSummary[] = [];
    for (const n of names) docs.push(...(await this.service.documentsByDepartment(n)));
    // One filing per year: under two names in one year (stored before the series knew they were one
    // department), the latest upload is the year's filing.
    const byYear = new Map<number, DocumentSummary>();
    for (const d of docs.filter((x) => x.current && x.docType === docType && x.year !== undefined)) {
      const seen = byYear.get(d.year!);
      if (!seen || seen.uploadedAt < d.uploadedAt) byYear.set(d.year!, d);
    }
    const out: Filing[] = [];
    for (const d of byYear.values()) {
      const m = await this.model(d.docId);
      if (m) out.push({ docId: d.docId, year: d.year!, fileName: d.fileName, model: m.model, flags: m.flags });
    }
    return out;
  }
}
