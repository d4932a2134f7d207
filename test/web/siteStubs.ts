// Local stand-ins for what serves the site on AWS, for the browser tests of the static site:
//  - staticSite: a plain file server over the built tree (CloudFront + S3), sending the same
//    security headers as the distribution's policy (CSP from infra/constructs/site.ts);
//  - apiGateway: the HTTP API in front of the real analyst Lambda handler (analyst/lambdaHandler.ts,
//    payload 2.0 events): CORS as configured in infra/constructs/analystApi.ts (preflight answered
//    by the gateway, allow-origin only for the site), and — when a token check is given — a 401 for
//    a missing/unknown Bearer token sent WITHOUT CORS headers (the worst case a browser can see);
//  - oidcStub: the three hosted-UI endpoints the site uses (authorize, token, logout) with PKCE S256
//    checked. A stand-in: it is not Cognito, and the gateway does not validate JWTs as AWS does.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { safeJoin } from "../../analyst/server.ts";

export interface Running {
  url: string;
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((e: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const stop = (server: Server) => () =>
  new Promise<void>((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".bcmap": "application/octet-stream",
  ".pfb": "application/octet-stream",
  ".ttf": "font/ttf",
  ".icc": "application/vnd.iccprofile",
};

export async function staticSite(root: string, headers: Record<string, string>): Promise<Running & { requests: string[] }> {
  const requests: string[] = [];
  const { server, url } = await listen(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(path);
    const file = safeJoin(root, path === "/" ? "index.html" : path);
    const st = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !st?.isFile()) {
      res.writeHead(404, headers);
      return void res.end("not found");
    }
    res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
    res.end(await readFile(file));
  });
  return { url, requests, close: stop(server) };
}

export interface GatewayOptions {
  /** The only origin CORS allows. */
  allowOrigin: string;
  allowHeaders: string[];
  /** The Lambda handler behind the gateway. */
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  /** Token check (the JWT authorizer's role); absent = no authorizer. */
  authorize?: (token: string | undefined) => boolean;
}

export interface GatewayRecord {
  method: string;
  path: string;
  origin?: string;
  authorization?: string;
  status: number;
}

export async function apiGateway(opts: GatewayOptions): Promise<Running & { log: GatewayRecord[] }> {
  const log: GatewayRecord[] = [];
  const { server, url } = await listen(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const origin = req.headers.origin;
    const allowed = origin === opts.allowOrigin;
    const cors: Record<string, string> = allowed ? { "access-control-allow-origin": origin } : {};
    const record = (status: number) => log.push({ method: req.method ?? "", path: u.pathname, origin, authorization: req.headers.authorization, status });
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
      // API Gateway answers preflights itself (before any authorizer); headers only for an allowed origin.
      record(204);
      res.writeHead(204, allowed ? { ...cors, "access-control-allow-methods": "GET", "access-control-allow-headers": opts.allowHeaders.join(","), "access-control-max-age": "3600" } : {});
      return void res.end();
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined;
    if (opts.authorize && !opts.authorize(token)) {
      record(401);
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' });
      return void res.end(JSON.stringify({ message: "Unauthorized" }));
    }
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const out = await opts.handler({
      version: "2.0",
      routeKey: "GET /api/{proxy+}",
      rawPath: u.pathname,
      rawQueryString: u.search.slice(1),
      queryStringParameters: Object.keys(query).length ? query : undefined,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")])),
      isBase64Encoded: false,
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        domainName: "127.0.0.1",
        domainPrefix: "127",
        requestId: randomBytes(8).toString("hex"),
        routeKey: "GET /api/{proxy+}",
        stage: "$default",
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
        http: { method: req.method ?? "GET", path: u.pathname, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: req.headers["user-agent"] ?? "" },
      },
    });
    const status = out.statusCode ?? 200;
    record(status);
    // With CORS configured, the gateway's headers replace any the integration sets.
    const headers = Object.fromEntries(Object.entries(out.headers ?? {}).filter(([k]) => !k.toLowerCase().startsWith("access-control-")));
    res.writeHead(status, { ...headers, ...cors, vary: "origin" } as Record<string, string>);
    res.end(out.body ?? "");
  });
  return { url, log, close: stop(server) };
}

export interface OidcRecord {
  endpoint: "authorize" | "token" | "logout";
  params: Record<string, string>;
  /** token: PKCE verified (S256 of code_verifier equals the authorize request's code_challenge). */
  pkceOk?: boolean;
  status: number;
}

const b64url = (buf: Buffer): string => buf.toString("base64url");

/** The hosted UI's endpoints, signing everyone in at once (the test is about the protocol, not the login form). */
export async function oidcStub(opts: { clientId: string; siteOrigin: string; accessTtlSeconds?: number }) {
  const log: OidcRecord[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Set<string>();
  let issued = 0;
  const issue = () => {
    const token = `at-${++issued}-${b64url(randomBytes(6))}`;
    accessTokens.add(token);
    return token;
  };
  const cors = { "access-control-allow-origin": opts.siteOrigin };
  const { server, url } = await listen(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const params: Record<string, string> = {};
    for (const [k, v] of u.searchParams) params[k] = v;
    const fail = (endpoint: OidcRecord["endpoint"], status: number, error: string) => {
      log.push({ endpoint, params, status });
      res.writeHead(status, { "content-type": "application/json", ...cors });
      res.end(JSON.stringify({ error }));
    };
    if (u.pathname === "/oauth2/authorize") {
      if (params.response_type !== "code" || params.client_id !== opts.clientId || params.code_challenge_method !== "S256" || !params.code_challenge || !params.state) return fail("authorize", 400, "invalid_request");
      if (params.redirect_uri !== `${opts.siteOrigin}/callback.html`) return fail("authorize", 400, "redirect_mismatch");
      const code = b64url(randomBytes(12));
      codes.set(code, { challenge: params.code_challenge, redirectUri: params.redirect_uri });
      log.push({ endpoint: "authorize", params, status: 302 });
      res.writeHead(302, { location: `${params.redirect_uri}?${new URLSearchParams({ code, state: params.state })}` });
      return void res.end();
    }
    if (u.pathname === "/oauth2/token" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const form = Object.fromEntries(new URLSearchParams(body));
      Object.assign(params, form);
      if (form.client_id !== opts.clientId) return fail("token", 400, "invalid_client");
      if (form.grant_type === "authorization_code") {
        const c = codes.get(form.code ?? "");
        codes.delete(form.code ?? ""); // single use
        const pkceOk = c !== undefined && b64url(createHash("sha256").update(form.code_verifier ?? "").digest()) === c.challenge;
        if (!c || !pkceOk || form.redirect_uri !== c.redirectUri) {
          log.push({ endpoint: "token", params, pkceOk, status: 400 });
          res.writeHead(400, { "content-type": "application/json", ...cors });
          return void res.end(JSON.stringify({ error: "invalid_grant" }));
        }
        const refresh = `rt-${b64url(randomBytes(9))}`;
        refreshTokens.add(refresh);
        log.push({ endpoint: "token", params, pkceOk, status: 200 });
        res.writeHead(200, { "content-type": "application/json", ...cors });
        return void res.end(JSON.stringify({ access_token: issue(), id_token: "id-token", refresh_token: refresh, expires_in: opts.accessTtlSeconds ?? 3600, token_type: "Bearer" }));
      }
      if (form.grant_type === "refresh_token") {
        if (!refreshTokens.has(form.refresh_token ?? "")) return fail("token", 400, "invalid_grant");
        log.push({ endpoint: "token", params, status: 200 });
        res.writeHead(200, { "content-type": "application/json", ...cors });
        return void res.end(JSON.stringify({ access_token: issue(), id_token: "id-token", expires_in: opts.accessTtlSeconds ?? 3600, token_type: "Bearer" }));
      }
      return fail("token", 400, "unsupported_grant_type");
    }
    if (u.pathname === "/logout") {
      if (params.client_id !== opts.clientId || !params.logout_uri?.startsWith(`${opts.siteOrigin}/`)) return fail("logout", 400, "invalid_request");
      log.push({ endpoint: "logout", params, status: 302 });
      for (const t of refreshTokens) refreshTokens.delete(t);
      res.writeHead(302, { location: params.logout_uri });
      return void res.end();
    }
    res.writeHead(404);
    res.end();
  });
  return {
    url,
    log,
    /** The gateway's token check: an access token this stub issued and that was not revoked. */
    isValid: (token: string | undefined) => token !== undefined && accessTokens.has(token),
    revoke: (token: string) => accessTokens.delete(token),
    close: stop(server),
  };
}
