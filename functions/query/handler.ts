// Query Lambda behind an IAM-authorised Function URL (payload format 2.0). Thin: the event becomes a
// request (requestFromEvent), the one route table answers it (routes.ts: every route, its zod
// validation, paging). 400 with the issues on bad input, 404, 405.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { createDocumentClient, requireEnv } from "../shared/clients.ts";
import { DocumentStore } from "../shared/documentStore.ts";
import { QueryApi } from "./routes.ts";

export interface QueryRequest {
  method: string;
  /** The route path, URL-encoded segments as received (routes decode them), without a stage or /api prefix. */
  path: string;
  query: Record<string, string | undefined>;
}

/**
 * The one place a Lambda event is read: method, path and query string of a payload-2.0 event
 * (Function URL, or API Gateway HTTP API — whose rawPath starts with a named stage, dropped here).
 * An `/api` prefix (the web site's base) is dropped too.
 */
export function requestFromEvent(event: APIGatewayProxyEventV2): QueryRequest {
  const stage = event.requestContext.stage;
  let path = event.rawPath;
  if (stage && stage !== "$default" && (path === `/${stage}` || path.startsWith(`/${stage}/`))) path = path.slice(stage.length + 1) || "/";
  return {
    method: event.requestContext.http.method,
    path: path.replace(/^\/api(?=\/|$)/, ""),
    query: { ...(event.queryStringParameters ?? {}) },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
}

export function createQueryHandler(api?: QueryApi): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  let a = api;
  return async (event) => {
    a ??= new QueryApi(new DocumentStore({ tableName: requireEnv("TABLE_NAME"), client: createDocumentClient() }));
    try {
      const req = requestFromEvent(event);
      const res = await a.handle(req.method, req.path, req.query);
      return json(res.status, res.body);
    } catch (err) {
      console.error(JSON.stringify({ level: "ERROR", message: "query failed", error: String(err), path: event.rawPath }));
      return json(500, { error: "internal error" });
    }
  };
}

export const handler = createQueryHandler();
