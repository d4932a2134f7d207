// The analyst API as a Lambda (Function URL / API Gateway HTTP API, payload 2.0), for the static web
// site on AWS: the query API's routes (functions/query/routes.ts) as `budgetlens serve` answers them
// under /api, plus each document's PDF as a redirect to a short-lived presigned S3 URL (PDFs can
// exceed Lambda's 6 MB response). Events are read by the query Lambda's requestFromEvent.
// Environment: TABLE_NAME; ALLOWED_ORIGIN (the site's origin, for CORS; the Function URL's own
// CORS setting can do this instead).
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createDocumentClient, requireEnv } from "../functions/shared/clients.ts";
import { DocumentStore } from "../functions/shared/documentStore.ts";
import { json, requestFromEvent } from "../functions/query/handler.ts";
import { AnalystApi } from "./api.ts";

export const PDF_URL_SECONDS = 300;

export function createAnalystHandler(deps?: { api?: AnalystApi; s3?: S3Client }): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  let api = deps?.api;
  let s3 = deps?.s3;
  return async (event) => {
    api ??= new AnalystApi(new DocumentStore({ tableName: requireEnv("TABLE_NAME"), client: createDocumentClient() }));
    s3 ??= new S3Client({});
    const origin = process.env.ALLOWED_ORIGIN;
    const cors: Record<string, string> = origin ? { "access-control-allow-origin": origin, vary: "origin" } : {};
    try {
      const req = requestFromEvent(event);
      const pdf = /^\/documents\/([0-9a-f]{64})\/pdf$/.exec(req.path);
      if (pdf && req.method === "GET") {
        const doc = await api.service.document(pdf[1]!);
        if (!doc) return json(404, { error: "document not found" }, cors);
        const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: doc.bucket, Key: doc.key }), { expiresIn: PDF_URL_SECONDS });
        return { statusCode: 302, headers: { location: url, "cache-control": "no-store", ...cors } };
      }
      const res = await api.handle(req.method, req.path, req.query);
      return json(res.status, res.body, cors);
    } catch (err) {
      console.error(JSON.stringify({ level: "ERROR", message: "analyst API failed", error: String(err), path: event.rawPath }));
      return json(500, { error: "internal error" }, cors);
    }
  };
}

export const handler = createAnalystHandler();
