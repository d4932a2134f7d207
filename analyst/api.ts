// The analysts' HTTP API: the query Lambda's routes (functions/query/handler.ts, served as they are)
// plus what analysts need on top — filters the Lambda lacks (kind, rule, all severities),
// cursor pagination with a stable order, a document's whole model, year over year, headcount,
// departments — all validated with zod, 400 with the issues on bad input. Served by
// `budgetlens serve` and used by `budgetlens query/export`; meant to move into the query Lambda.
//
//   GET /documents?department=&year=&kind=&status=&limit=&cursor=
//   GET /documents/{docId}  …/tables  …/tables/{tableId}/rows        (as the Lambda)
//   GET /documents/{docId}/flags?severity=&rule=&limit=&cursor=
//   GET /documents/{docId}/model                  whole document model + flags (web view, export)
//   GET /flags?severity=&rule=&year=&department=&includeSuperseded=&limit=&cursor=
//   GET /amounts?code=&scheme=&year=&department=&includeSuperseded=&limit=&cursor=
//   GET /compare?code=…                            (as the Lambda)
//   GET /departments                               department names with their filings
//   GET /departments/{department}/years?kind=      every table row side by side across years
//   GET /departments/{department}/headcount?kind=  headcount over the years, claimed vs computed
import { z } from "zod";
import type { DisclosureDocument } from "../parsers/model.ts";
import { Severity, type Flag } from "../reconcile/flag.ts";
import { route as lambdaRoute } from "../functions/query/handler.ts";
import { QueryService, type DocumentSummary } from "../functions/query/queryService.ts";
import { itemsToDocument } from "../functions/shared/documentItems.ts";
import type { DocumentStore } from "../functions/shared/documentStore.ts";
import { parseDocType } from "./docType.ts";
import { CursorError, PAGE_SETTINGS, padKey, paginate } from "./paging.ts";
import { headcountOverYears, yearOverYear, type Filing } from "./yearOverYear.ts";

export interface ApiResponse {
  status: number;
  body: unknown;
}

const Limit = z.coerce.number().int().min(1).max(PAGE_SETTINGS.maxLimit).default(PAGE_SETTINGS.defaultLimit);
const Cursor = z.string().min(1).max(2000).optional();
const Kind = z
  .string()
  .transform((s, ctx) => {
    const t = parseDocType(s);
    if (!t) ctx.addIssue({ code: "custom", message: "kind is 预算 | 决算 | budget | final_accounts" });
    return t ?? "budget";
  })
  .optional();
const Rule = z.string().trim().min(1).max(100).optional();
const DocId = z.string().regex(/^[0-9a-f]{64}$/, "docId is the document's SHA-256 (64 hex digits)");
const Department = z.string().trim().min(1).max(200);

const PAGING = { limit: Limit, cursor: Cursor };
const DocumentsExtra = z.looseObject({ kind: Kind, ...PAGING });
const FlagsExtra = z.looseObject({ rule: Rule, severity: Severity.optional(), ...PAGING });
const PagingOnly = z.looseObject(PAGING);
const KindOnly = z.strictObject({ kind: Kind });

class ApiError extends Error {
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
  if (!r.success) throw new ApiError(400, "invalid request", z.treeifyError(r.error));
  return r.data;
}

/** Matches a rule filter: exact id, or a family prefix ("narrative" matches "narrative.amount"). */
export const ruleMatches = (rule: string, filter: string | undefined): boolean => filter === undefined || rule === filter || rule.startsWith(`${filter}.`);

const SEVERITY_RANK: Record<string, string> = { error: "0", warning: "1", info: "2" };

const without = (q: Record<string, string | undefined>, keys: string[]): Record<string, string | undefined> => {
  const out = { ...q };
  for (const k of keys) delete out[k];
  return out;
};

export class AnalystApi {
  readonly service: QueryService;
  private readonly models = new Map<string, { model: DisclosureDocument; flags: Flag[] }>();

  constructor(readonly store: DocumentStore) {
    this.service = new QueryService(store);
  }

  /** A stored document's model and flags (cached: a docId is the hash of its bytes, never changes). */
  async model(docId: string): Promise<{ model: DisclosureDocument; flags: Flag[] } | undefined> {
    const hit = this.models.get(docId);
    if (hit) return hit;
    const meta = await this.store.getMeta(docId);
    if (meta?.status !== "COMMITTED") return undefined;
    const { document, flags } = itemsToDocument(meta, await this.store.documentItems(docId));
    const v = { model: document, flags };
    if (this.models.size > 200) this.models.delete(this.models.keys().next().value as string);
    this.models.set(docId, v);
    return v;
  }

  private async lambda(path: string, query: Record<string, string | undefined>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await lambdaRoute(this.service, "GET", path, query);
    return { status: res.statusCode ?? 200, body: JSON.parse(String(res.body ?? "{}")) as Record<string, unknown> };
  }

  async handle(method: string, path: string, query: Record<string, string | undefined>): Promise<ApiResponse> {
    try {
      if (method !== "GET") throw new ApiError(405, "only GET is supported");
      const parts = path.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
      const [a, b, c] = parts;

      if (a === "documents" && parts.length === 1) {
        const q = parse(DocumentsExtra, query);
        const base = await this.lambda(path, without(query, ["kind", "limit", "cursor"]));
        if (base.status !== 200) return base;
        const items = (base.body.items as DocumentSummary[]).filter((d) => q.kind === undefined || d.docType === q.kind);
        return ok(paginate(items, (d) => `${d.department ?? ""}#${padKey(d.year, 4)}#${d.docType}#${d.uploadedAt}#${d.docId}`, q.limit, q.cursor));
      }
      if (a === "documents" && b !== undefined && c === "model" && parts.length === 3) {
        parse(z.strictObject({}), query);
        const docId = parse(DocId, b);
        const m = await this.model(docId);
        if (!m) throw new ApiError(404, "document not found (or not committed)");
        const doc = await this.service.document(docId);
        return ok({ document: doc, model: m.model, flags: m.flags });
      }
      if (a === "documents" && b !== undefined && c === "flags" && parts.length === 3) {
        const q = parse(FlagsExtra, query);
        const base = await this.lambda(path, without(query, ["rule", "limit", "cursor"]));
        if (base.status !== 200) return base;
        const items = (base.body.items as Flag[]).map((f, i) => ({ ...f, n: i + 1 })).filter((f) => ruleMatches(f.rule, q.rule));
        return ok(paginate(items, (f) => padKey(f.n), q.limit, q.cursor));
      }
      if (a === "flags" && parts.length === 1) {
        const q = parse(FlagsExtra, query);
        const severities = q.severity ? [q.severity] : (["error", "warning", "info"] as const);
        const all: (Flag & { docId: string; department?: string; year?: number; ord: number })[] = [];
        for (const severity of severities) {
          const base = await this.lambda(path, { ...without(query, ["rule", "limit", "cursor"]), severity });
          if (base.status !== 200) return base;
          const perDoc = new Map<string, number>();
          for (const f of base.body.items as (Flag & { docId: string; department?: string; year?: number })[]) {
            const ord = (perDoc.get(f.docId) ?? 0) + 1;
            perDoc.set(f.docId, ord);
            if (ruleMatches(f.rule, q.rule)) all.push({ ...f, ord });
          }
        }
        const page = paginate(all, (f) => `${SEVERITY_RANK[f.severity]}#${padKey(f.year, 4)}#${f.department ?? ""}#${f.docId}#${padKey(f.ord)}`, q.limit, q.cursor);
        return ok({ ...page, items: page.items.map(({ ord: _ord, ...f }) => f) });
      }
      if (a === "amounts" && parts.length === 1) {
        const q = parse(PagingOnly, query);
        const base = await this.lambda(path, without(query, ["limit", "cursor"]));
        if (base.status !== 200) return base;
        const items = (base.body.items as { docId: string; department: string; year?: number; table: string; page: number }[]).map((x, i) => ({ x, i }));
        const page = paginate(items, ({ x, i }) => `${padKey(x.year, 4)}#${x.department}#${x.docId}#${padKey(i)}`, q.limit, q.cursor);
        return ok({ ...page, items: page.items.map(({ x }) => x) });
      }
      if (a === "departments" && parts.length === 1) {
        parse(z.strictObject({}), query);
        const docs = (await this.service.documents()).filter((d) => d.current);
        const byDept = new Map<string, { department: string; filings: { year?: number; docType: string; docId: string }[] }>();
        for (const d of docs) {
          const k = d.department ?? "(unknown)";
          const e = byDept.get(k) ?? { department: k, filings: [] };
          e.filings.push({ year: d.year, docType: d.docType, docId: d.docId });
          byDept.set(k, e);
        }
        const items = [...byDept.values()].sort((x, y) => x.department.localeCompare(y.department, "zh"));
        for (const e of items) e.filings.sort((x, y) => (x.year ?? 0) - (y.year ?? 0) || x.docType.localeCompare(y.docType));
        return ok({ items });
      }
      if (a === "departments" && b !== undefined && (c === "years" || c === "headcount") && parts.length === 3) {
        const department = parse(Department, b);
        const q = parse(KindOnly, query);
        const docType = q.kind ?? "budget";
        const filings = await this.filings(department, docType);
        if (filings.length === 0) throw new ApiError(404, `no ${docType} filings stored for ${department}`);
        if (c === "years") return ok(yearOverYear(department, docType, filings));
        return ok({ department, docType, items: headcountOverYears(filings) });
      }
      // Everything else is the Lambda's own route (strict validation, 400/404 as it says).
      return await this.lambda(path, query);
    } catch (err) {
      if (err instanceof ApiError) return { status: err.status, body: { error: err.message, details: err.details } };
      if (err instanceof CursorError) return { status: 400, body: { error: "invalid request", details: { errors: [err.message] } } };
      throw err;
    }
  }

  /** The current filing of each year of one department and kind, with models. */
  async filings(department: string, docType: string): Promise<Filing[]> {
    const docs = (await this.service.documentsByDepartment(department)).filter((d) => d.current && d.docType === docType && d.year !== undefined);
    const out: Filing[] = [];
    for (const d of docs) {
      const m = await this.model(d.docId);
      if (m) out.push({ docId: d.docId, year: d.year!, fileName: d.fileName, model: m.model, flags: m.flags });
    }
    return out;
  }
}

const ok = (body: unknown): ApiResponse => ({ status: 200, body });
