// The analyst API as a Lambda (Function URL / API Gateway HTTP API, payload 2.0), for the static web
// site on AWS: the same routes `budgetlens serve` answers under /api, plus each document's PDF as a
// redirect to a short-lived presigned S3 URL (PDFs can exceed Lambda's 6 MB response).
// Environment: TABLE_NAME; ALLOWED_ORIGIN (the site's origin, for CORS; the Function URL's own
// CORS setting can do this instead). Meant to replace or extend functions/query/handler.ts.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createDocumentClient, requireEnv } from "../functions/shared/clients.ts";
import { DocumentStore } from "../functions/shared/documentStore.ts";
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
    const path = event.rawPath.replace(/^\/api(?=\/)/, "");
    try {
      const pdf = /^\/documents\/([0-9a-f]{64})\/pdf$/.exec(path);
      if (pdf) {
        const doc = await api.service.document(pdf[1]!);
        if (!doc) return { statusCode: 404, headers: { "content-type": "application/json", ...cors }, body: JSON.stringify({ error: "document not found" }) };
        const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: doc.bucket, Key: doc.key }), { expiresIn: PDF_URL_SECONDS });
        return { statusCode: 302, headers: { location: url, "cache-control": "no-store", ...cors } };
      }
      const query: Record<string, string | undefined> = { ...(event.queryStringParameters ?? {}) };
      const res = await api.handle(event.requestContext.http.method, path, query);
      return { statusCode: res.status, headers: { "content-type": "application/json; charset=utf-8", ...cors }, body: JSON.stringify(res.body) };
    } catch (err) {
      console.error(JSON.stringify({ level: "ERROR", message: "analyst API failed", error: String(err), path: event.rawPath }));
      return { statusCode: 500, headers: { "content-type": "application/json", ...cors }, body: JSON.stringify({ error: "internal error" }) };
    }
  };
}

export const handler = createAnalystHandler();
