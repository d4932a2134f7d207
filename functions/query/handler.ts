// Query Lambda behind an IAM-authorised Function URL (payload format 2.0). Thin: routes a GET to
// QueryService, validating path and query string with zod; 400 with the issues on bad input.
//   GET /documents?department=&year=    GET /documents?status=FAILED      GET /documents/{docId}
//   GET /documents/{docId}/tables       GET /documents/{docId}/tables/{tableId}/rows
//   GET /documents/{docId}/flags?severity=
//   GET /flags?severity=&year=&department=&includeSuperseded=&limit=&cursor=     (paged: { items, next })
//   GET /amounts?code=&scheme=&year=&department=&includeSuperseded=&limit=&cursor=
//   GET /compare?code=&scheme=&kind=&column=&year=&department=
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { z } from "zod";
import { Severity } from "../../reconcile/flag.ts";
import { createDocumentClient, requireEnv } from "../shared/clients.ts";
import { DocumentStore, InvalidCursorError } from "../shared/documentStore.ts";
import { QueryService } from "./queryService.ts";

const DocId = z.string().regex(/^[0-9a-f]{64}$/, "docId is the document's SHA-256 (64 hex digits)");
const Year = z.coerce.number().int().min(2000).max(2100);
const Bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const Text = z.string().trim().min(1).max(200);

const DocumentsQuery = z.strictObject({ department: Text.optional(), year: Year.optional(), status: z.enum(["FAILED"]).optional() });
const DocFlagsQuery = z.strictObject({ severity: Severity.optional() });
const ScopeQuery = { year: Year.optional(), department: Text.optional(), includeSuperseded: Bool.optional() };
const PageQuery = { limit: z.coerce.number().int().min(1).max(1000).default(500), cursor: z.string().max(2000).optional() };
const FlagsQuery = z.strictObject({ severity: Severity, ...ScopeQuery, ...PageQuery });
const CodeQuery = {
  code: z.string().regex(/^\d{3}(\d{2}){0,2}$/, "code is 3, 5 or 7 digits"),
  scheme: z.enum(["functional", "economic"]).default("functional"),
  ...ScopeQuery,
};
const AmountsQuery = z.strictObject({ ...CodeQuery, ...PageQuery });
const CompareQuery = z.strictObject({ ...CodeQuery, kind: Text.optional(), column: Text.optional() });
const Empty = z.strictObject({});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function json(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
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

export async function route(service: QueryService, method: string, path: string, query: Record<string, string | undefined>): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    if (method !== "GET") throw new HttpError(405, "only GET is supported");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const [a, b, c, d, e] = parts;
    if (a === "documents" && parts.length === 1) {
      const q = parse(DocumentsQuery, query);
      if (q.status === "FAILED") return json(200, { items: await service.failedDocuments() });
      const items = q.department ? await service.documentsByDepartment(q.department, q.year) : await service.documents(q.year);
      return json(200, { items });
    }
    if (a === "documents" && b !== undefined) {
      const docId = parse(DocId, b);
      if (parts.length === 2) {
        parse(Empty, query);
        return json(200, found(await service.document(docId), "document"));
      }
      if (c === "tables" && parts.length === 3) {
        parse(Empty, query);
        return json(200, { items: found(await service.tables(docId), "document") });
      }
      if (c === "tables" && d !== undefined && e === "rows" && parts.length === 5) {
        parse(Empty, query);
        return json(200, found(await service.rows(docId, parse(Text, d)), "table"));
      }
      if (c === "flags" && parts.length === 3) {
        const q = parse(DocFlagsQuery, query);
        return json(200, { items: found(await service.documentFlags(docId, q.severity), "document") });
      }
    }
    if (a === "flags" && parts.length === 1) {
      const { severity, limit, cursor, ...scope } = parse(FlagsQuery, query);
      return json(200, await service.flagsBySeverityPage(severity, scope, { limit, cursor }));
    }
    if (a === "amounts" && parts.length === 1) {
      const { scheme, code, limit, cursor, ...scope } = parse(AmountsQuery, query);
      return json(200, await service.amountsByCodePage(scheme, code, scope, { limit, cursor }));
    }
    if (a === "compare" && parts.length === 1) {
      const { scheme, code, ...rest } = parse(CompareQuery, query);
      return json(200, await service.compare(scheme, code, rest));
    }
    throw new HttpError(404, `no route for ${path}`);
  } catch (err) {
    if (err instanceof HttpError) return json(err.status, { error: err.message, details: err.details });
    if (err instanceof InvalidCursorError) return json(400, { error: err.message });
    throw err;
  }
}

export function createQueryHandler(service?: QueryService): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  let svc = service;
  return async (event) => {
    svc ??= new QueryService(new DocumentStore({ tableName: requireEnv("TABLE_NAME"), client: createDocumentClient() }));
    const query: Record<string, string | undefined> = { ...(event.queryStringParameters ?? {}) };
    try {
      return await route(svc, event.requestContext.http.method, event.rawPath, query);
    } catch (err) {
      console.error(JSON.stringify({ level: "ERROR", message: "query failed", error: String(err), path: event.rawPath }));
      return json(500, { error: "internal error" });
    }
  };
}

export const handler = createQueryHandler();
