// The web view's server (`budgetlens serve`): the static site in web/, pdf.js from pdfjs-dist
// (build, cmaps, standard fonts), the analyst API under /api, and each stored PDF under
// /api/documents/{docId}/pdf. Node's http module only: nothing to build.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFile, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnalystApi } from "./api.ts";

const require = createRequire(import.meta.url);
export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "web");
export const PDFJS_ROOT = dirname(require.resolve("pdfjs-dist/package.json"));
/** Only these pdfjs-dist folders are served. */
const PDFJS_DIRS = ["build", "cmaps", "standard_fonts", "wasm", "iccs"];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".bcmap": "application/octet-stream",
  ".pfb": "application/octet-stream",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

export interface ServeOptions {
  api: AnalystApi;
  /** The PDF bytes of a stored object. */
  pdf: (bucket: string, key: string) => Promise<Uint8Array | undefined>;
  port?: number;
  host?: string;
  /** Logged requests (default none). */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** A path under `root`, or undefined when the request tries to leave it. */
export function safeJoin(root: string, urlPath: string): string | undefined {
  const p = normalize(join(root, decodeURIComponent(urlPath)));
  return p === root || p.startsWith(root + sep) ? p : undefined;
}

async function sendFile(res: ServerResponse, file: string | undefined, cache: string): Promise<void> {
  if (!file) return void send(res, 403, { error: "forbidden" });
  try {
    const st = await stat(file);
    if (!st.isFile()) return void send(res, 404, { error: "not found" });
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": cache, "content-length": st.size });
    res.end(await readFile(file));
  } catch {
    send(res, 404, { error: "not found" });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    opts.log?.(`${req.method} ${path}${url.search}`);
    if (path === "/config.js") {
      res.writeHead(200, { "content-type": TYPES[".js"]!, "cache-control": "no-store" });
      return void res.end(`window.BUDGETLENS = ${JSON.stringify({ api: "/api", pdfjs: "/pdfjs" })};\n`);
    }
    if (path.startsWith("/api/")) {
      const m = /^\/api\/documents\/([0-9a-f]{64})\/pdf$/.exec(path);
      if (m) {
        const doc = await opts.api.service.document(m[1]!);
        if (!doc) return void send(res, 404, { error: "document not found" });
        const bytes = await opts.pdf(doc.bucket, doc.key);
        if (!bytes) return void send(res, 404, { error: "the PDF is no longer in the bucket" });
        res.writeHead(200, { "content-type": "application/pdf", "content-length": bytes.length, "cache-control": "private, max-age=3600" });
        return void res.end(bytes);
      }
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const out = await opts.api.handle(req.method ?? "GET", path.slice("/api".length), query);
      return void send(res, out.status, out.body);
    }
    if (path.startsWith("/pdfjs/")) {
      const rel = path.slice("/pdfjs/".length);
      if (!PDFJS_DIRS.includes(rel.split("/")[0] ?? "")) return void send(res, 404, { error: "not found" });
      return sendFile(res, safeJoin(PDFJS_ROOT, rel), "public, max-age=86400");
    }
    return sendFile(res, safeJoin(WEB_ROOT, path === "/" ? "index.html" : path), "no-cache");
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.log?.(`error: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: "internal error" });
      else res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => ok());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    server,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
