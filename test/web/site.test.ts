// The static site as deployed to AWS, in real headless Chromium, with no AWS: the tree
// scripts/buildSite.ts builds (the one infra/constructs/site.ts uploads) served by a plain static
// server with the distribution's security headers; its config.js points at an API on ANOTHER origin
// — a stand-in for the HTTP API (CORS as configured in CDK) in front of the real analyst Lambda
// handler over the embedded store — whose PDF route redirects to a presigned URL of the embedded S3
// (s3rver, with the PDF bucket's CORS rule from CDK). With a login configured, the PKCE flow runs
// against a local OIDC stub (authorize → callback → token exchange → Bearer header → refresh on 401
// → logout). Not covered here: Cognito itself and API Gateway's JWT validation (AWS-side).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PutBucketCorsCommand, S3Client } from "@aws-sdk/client-s3";
import { openBackend, type Backend } from "../../analyst/backend.ts";
import { bulkIngest, CompletionHub } from "../../analyst/bulkIngest.ts";
import { AnalystApi } from "../../analyst/api.ts";
import { createAnalystHandler } from "../../analyst/lambdaHandler.ts";
import { buildSite, renderConfigJs, type SiteConfig } from "../../scripts/buildSite.ts";
import { CORS_ALLOW_HEADERS, PDF_BUCKET_CORS } from "../../infra/constructs/analystApi.ts";
import { siteContentSecurityPolicy } from "../../infra/constructs/site.ts";
import { apiGateway, oidcStub, staticSite, type Running } from "./siteStubs.ts";

const CHROMIUM = process.env.BUDGETLENS_CHROMIUM ?? "/usr/bin/chromium";
const repoRoot = resolve(import.meta.dirname, "../..");
const OUT = join(repoRoot, "test-output");
const SNAP = mkdtempSync(join(tmpdir(), "bl-site-"));
const FIXTURE = join(SNAP, "err-total-off.pdf");
copyFileSync(join(repoRoot, "fixtures/pdf/err-total-off.pdf"), FIXTURE);
// A real filing (several hundred KB, many pages), when present.
const REAL_DIR = process.env.BUDGETLENS_REAL_DIR ?? resolve(repoRoot, "../shared/real");
const REAL_PDF = join(REAL_DIR, "上海市普陀区规划和自然资源局_2024_年度部门决算.pdf");
const HAS_REAL = existsSync(REAL_PDF);
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const CLIENT_ID = "site-client";

type PageState = { ready: boolean; page: number };
const closers: (() => Promise<void>)[] = [];

/** The page's console errors, uncaught exceptions (CSP violations appear here) and failed responses. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // Failed loads are reported with their URL below; the console line does not name it.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    // No favicon in the site: the browser asks anyway (CloudFront would answer 403 the same way).
    if (r.status() >= 400 && new URL(r.url()).pathname !== "/favicon.ico") problems.push(`response: ${r.status()} ${r.url()}`);
  });
  return problems;
}

describe.skipIf(!existsSync(CHROMIUM))("the static site (as deployed) against the API on another origin", () => {
  let backend: Backend;
  let browser: Browser;
  let docId: string;
  let realDocId: string | undefined;
  let handler: ReturnType<typeof createAnalystHandler>;

  /** A built site on its own origin with a config.js naming `api`, CSP as on CloudFront. */
  async function site(config: (siteOrigin: string) => Promise<{ config: SiteConfig; connect: string[] }>): Promise<Running & { root: string; files: string[]; config: SiteConfig; requests: string[] }> {
    const root = mkdtempSync(join(tmpdir(), "bl-site-tree-"));
    const headers: Record<string, string> = {};
    const server = await staticSite(root, headers);
    const c = await config(server.url);
    Object.assign(headers, {
      "content-security-policy": siteContentSecurityPolicy(c.connect),
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "strict-origin-when-cross-origin",
    });
    const files = buildSite(root, { config: c.config });
    closers.push(async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    });
    return { ...server, root, files, config: c.config };
  }

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const hub = new CompletionHub();
    backend = await openBackend({ mode: "embedded", dataDir: null, concurrency: 1, onOutcome: (o) => hub.notify(o.docId) });
    const res = await bulkIngest(backend, HAS_REAL ? [FIXTURE, REAL_PDF] : [FIXTURE], hub, { concurrency: 1, pollMs: 200 });
    expect(res.results.map((r) => r.status)).toEqual(HAS_REAL ? ["COMMITTED", "COMMITTED"] : ["COMMITTED"]);
    docId = res.results.find((r) => r.file === FIXTURE)!.docId;
    realDocId = res.results.find((r) => r.file === REAL_PDF)?.docId;
    // The embedded S3 (its endpoint is in the environment startEmbedded set) with the PDF bucket's CORS rule from CDK.
    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: backend.bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedMethods: PDF_BUCKET_CORS.allowedMethods.map(String),
              AllowedOrigins: PDF_BUCKET_CORS.allowedOrigins,
              AllowedHeaders: PDF_BUCKET_CORS.allowedHeaders,
              ExposeHeaders: PDF_BUCKET_CORS.exposedHeaders,
              MaxAgeSeconds: PDF_BUCKET_CORS.maxAge,
            },
          ],
        },
      }),
    );
    handler = createAnalystHandler({ api: new AnalystApi(backend.store), s3 });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const c of closers.reverse()) await c();
    await backend?.close();
    rmSync(SNAP, { recursive: true, force: true });
  });

  describe("no login: CORS between the site and the API, PDF through a presigned S3 redirect", () => {
    let s: Awaited<ReturnType<typeof site>>;
    let gw: Awaited<ReturnType<typeof apiGateway>>;
    let context: BrowserContext;

    beforeAll(async () => {
      s = await site(async (origin) => {
        gw = await apiGateway({ allowOrigin: origin, allowHeaders: CORS_ALLOW_HEADERS, handler });
        closers.push(gw.close);
        return { config: { api: `${gw.url}/api`, pdfjs: "/pdfjs" }, connect: [gw.url, process.env.AWS_ENDPOINT_URL_S3!] };
      });
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    });

    it("builds the deployed tree: web/ pages and scripts, pdfjs-dist's browser files, the given config.js, nothing else", () => {
      expect(s.files).toEqual(expect.arrayContaining(["index.html", "doc.html", "code.html", "dept.html", "callback.html", "js/api.js", "js/auth.js", "js/callback.js", "js/doc.js", "css/style.css", "config.js", "pdfjs/build/pdf.min.mjs", "pdfjs/build/pdf.worker.min.mjs"]));
      for (const dir of ["cmaps", "standard_fonts", "wasm"]) expect(s.files.some((f) => f.startsWith(`pdfjs/${dir}/`)), dir).toBe(true);
      expect(s.files.filter((f) => f.endsWith(".d.ts") || f.endsWith(".map") || f.startsWith("pdfjs/build/pdf.mjs"))).toEqual([]);
      expect(readFileSync(join(s.root, "config.js"), "utf8")).toBe(renderConfigJs(s.config));
      // The output folder is emptied first: web/, folders in it and folders holding it are refused.
      for (const dir of [join(repoRoot, "web"), join(repoRoot, "web", "js"), repoRoot, resolve(repoRoot, "..")]) expect(() => buildSite(dir), dir).toThrow(/refusing/);
      // Without a config the build leaves config.js out (on AWS it is generated at deploy time).
      const bare = mkdtempSync(join(tmpdir(), "bl-site-bare-"));
      try {
        const files = buildSite(bare);
        expect(files).not.toContain("config.js");
        expect(files).toEqual(s.files.filter((f) => f !== "config.js"));
      } finally {
        rmSync(bare, { recursive: true, force: true });
      }
    });

    it("lists the documents from the API on the other origin", async () => {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${s.url}/index.html`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      await expect(page.locator(`tr[data-doc-id="${docId}"]`).count()).resolves.toBe(1);
      const calls = gw.log.filter((r) => r.path === "/api/documents");
      expect(calls.length).toBeGreaterThan(0);
      for (const c of calls) expect([c.origin, c.status, c.authorization]).toEqual([s.url, 200, undefined]);
      expect(await page.locator("#logout").isHidden()).toBe(true); // no login, no sign-out link
      expect(problems).toEqual([]);
      await page.close();
    });

    it("opens a document: tables from the API, the PDF via the API's redirect to presigned S3, rendered by pdf.js under the site's CSP", async () => {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${s.url}/doc.html?id=${docId}`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
      const state = await page.evaluate(() => (window as unknown as { __budgetlens: PageState }).__budgetlens);
      expect(state.ready).toBe(true);
      expect(Number(await page.locator("#pagecount").textContent())).toBeGreaterThan(0);
      expect(await page.locator("#pdfcanvas").evaluate((c: HTMLCanvasElement) => c.width * c.height)).toBeGreaterThan(0);
      expect(await page.locator("table.printed").count()).toBeGreaterThan(0);
      const pdf = gw.log.filter((r) => r.path === `/api/documents/${docId}/pdf`);
      expect(pdf.map((r) => r.status)).toContain(302);
      // pdf.js and its worker, cmaps, fonts came from the site itself.
      expect(s.requests).toEqual(expect.arrayContaining(["/pdfjs/build/pdf.min.mjs", "/pdfjs/build/pdf.worker.min.mjs"]));
      expect(problems).toEqual([]);
      await page.screenshot({ path: join(OUT, "site-doc.png") });
      await page.close();
    });

    it("the same page without the S3 CORS rule cannot read the PDF (the rule is what lets the browser follow the redirect)", async () => {
      const s3 = new S3Client({ forcePathStyle: true });
      const { DeleteBucketCorsCommand } = await import("@aws-sdk/client-s3");
      await s3.send(new DeleteBucketCorsCommand({ Bucket: backend.bucket }));
      try {
        const page = await context.newPage();
        const problems = watch(page);
        await page.goto(`${s.url}/doc.html?id=${docId}`);
        await expect.poll(() => problems.join("\n"), { timeout: 60_000 }).toMatch(/CORS|Access-Control-Allow-Origin|Failed to fetch|Unexpected server response/i);
        expect(await page.evaluate(() => (window as unknown as { __budgetlens: PageState }).__budgetlens.ready)).toBe(false);
        await page.close();
      } finally {
        await s3.send(
          new PutBucketCorsCommand({
            Bucket: backend.bucket,
            CORSConfiguration: { CORSRules: [{ AllowedMethods: ["GET", "HEAD"], AllowedOrigins: PDF_BUCKET_CORS.allowedOrigins, AllowedHeaders: PDF_BUCKET_CORS.allowedHeaders, ExposeHeaders: PDF_BUCKET_CORS.exposedHeaders, MaxAgeSeconds: PDF_BUCKET_CORS.maxAge }] },
          }),
        );
      }
    }, 90_000);
  });

  describe("login: authorization code + PKCE against a local OIDC stub, Bearer token to the API", () => {
    let s: Awaited<ReturnType<typeof site>>;
    let gw: Awaited<ReturnType<typeof apiGateway>>;
    let idp: Awaited<ReturnType<typeof oidcStub>>;
    let context: BrowserContext;
    let page: Page;
    let problems: string[];
    const tokensIn = (p: Page) => p.evaluate(() => JSON.parse(sessionStorage.getItem("budgetlens.tokens") ?? "null") as { accessToken: string; refreshToken: string } | null);

    beforeAll(async () => {
      s = await site(async (origin) => {
        idp = await oidcStub({ clientId: CLIENT_ID, siteOrigin: origin });
        gw = await apiGateway({ allowOrigin: origin, allowHeaders: CORS_ALLOW_HEADERS, handler, authorize: (t) => idp.isValid(t) });
        closers.push(idp.close, gw.close);
        return {
          config: { api: `${gw.url}/api`, pdfjs: "/pdfjs", auth: { domain: idp.url, clientId: CLIENT_ID, scopes: "openid email" } },
          connect: [gw.url, idp.url, process.env.AWS_ENDPOINT_URL_S3!],
        };
      });
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      page = await context.newPage();
      problems = watch(page);
    });

    it("an anonymous visit goes to the authorize endpoint with an S256 challenge, comes back through callback.html, and the API gets the Bearer token", async () => {
      await page.goto(`${s.url}/index.html`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      expect(new URL(page.url()).pathname).toBe("/index.html");

      const authorize = idp.log.filter((r) => r.endpoint === "authorize");
      expect(authorize).toHaveLength(1);
      expect(authorize[0]).toMatchObject({ status: 302, params: { response_type: "code", client_id: CLIENT_ID, code_challenge_method: "S256", redirect_uri: `${s.url}/callback.html`, scope: "openid email" } });
      expect(authorize[0]!.params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/); // base64url SHA-256
      const token = idp.log.filter((r) => r.endpoint === "token");
      expect(token).toHaveLength(1);
      expect(token[0]).toMatchObject({ status: 200, pkceOk: true, params: { grant_type: "authorization_code", client_id: CLIENT_ID } });
      expect(token[0]!.params.code_verifier!.length).toBeGreaterThanOrEqual(43);
      expect(token[0]!.params).not.toHaveProperty("client_secret");

      const stored = await tokensIn(page);
      expect(stored?.accessToken).toMatch(/^at-1-/);
      const calls = gw.log.filter((r) => r.method === "GET");
      expect(calls.length).toBeGreaterThan(0);
      for (const c of calls) expect([c.authorization, c.status]).toEqual([`Bearer ${stored!.accessToken}`, 200]);
      // The Authorization header makes the browser preflight: the gateway answered it for this origin.
      expect(gw.log.some((r) => r.method === "OPTIONS" && r.origin === s.url)).toBe(true);
      // Tokens only in this tab's sessionStorage: no cookie, nothing in localStorage.
      expect(await context.cookies()).toEqual([]);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect(await page.locator("#logout").isVisible()).toBe(true);
    });

    it("a refused token (401 without CORS headers) is refreshed with the refresh token and the request retried", async () => {
      const before = (await tokensIn(page))!;
      idp.revoke(before.accessToken);
      const mark = gw.log.length;
      await page.reload();
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      const after = (await tokensIn(page))!;
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.refreshToken).toBe(before.refreshToken);
      expect(idp.log.filter((r) => r.endpoint === "token").map((r) => r.params.grant_type)).toEqual(["authorization_code", "refresh_token"]);
      const since = gw.log.slice(mark).filter((r) => r.method === "GET");
      expect(since[0]).toMatchObject({ status: 401, authorization: `Bearer ${before.accessToken}` });
      expect(since.slice(1).every((r) => r.status === 200 && r.authorization === `Bearer ${after.accessToken}`)).toBe(true);
      expect(idp.log.filter((r) => r.endpoint === "authorize")).toHaveLength(1); // no new sign-in needed
      problems.length = 0; // the refused request is logged by the browser as a CORS failure, by design of this case
    });

    it("the document page sends the Bearer token for the PDF too and renders it", async () => {
      const { accessToken } = (await tokensIn(page))!;
      const mark = gw.log.length;
      await page.goto(`${s.url}/doc.html?id=${docId}`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
      const pdf = gw.log.slice(mark).filter((r) => r.method === "GET" && r.path === `/api/documents/${docId}/pdf`);
      expect(pdf.length).toBeGreaterThan(0);
      for (const r of pdf) expect([r.status, r.authorization]).toEqual([302, `Bearer ${accessToken}`]);
      expect(await page.locator("#pdfcanvas").evaluate((c: HTMLCanvasElement) => c.width * c.height)).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      await page.screenshot({ path: join(OUT, "site-doc-signed-in.png") });
    });

    it.runIf(HAS_REAL)("a real filing renders too, every PDF request authorised and redirected", async () => {
      const { accessToken } = (await tokensIn(page))!;
      const mark = gw.log.length;
      const pdfRequests: { range?: string; status?: number; url: string }[] = [];
      page.on("requestfinished", async (r) => {
        if (r.url().includes("/incoming/")) pdfRequests.push({ url: r.url(), range: (await r.allHeaders()).range, status: (await r.response())?.status() });
      });
      await page.goto(`${s.url}/doc.html?id=${realDocId}`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
      expect(Number(await page.locator("#pagecount").textContent())).toBeGreaterThan(1);
      const shown = Number(await page.locator("#pageno").textContent());
      const other = shown > 1 ? shown - 1 : shown + 1;
      await page.click(shown > 1 ? "#prev" : "#next"); // another page: more of the file
      await expect.poll(() => page.locator("#pageno").textContent()).toBe(String(other));
      const viaApi = gw.log.slice(mark).filter((r) => r.method === "GET" && r.path === `/api/documents/${realDocId}/pdf`);
      expect(viaApi.length).toBeGreaterThan(0);
      for (const r of viaApi) expect([r.status, r.authorization]).toEqual([302, `Bearer ${accessToken}`]);
      console.log(`real filing: ${viaApi.length} PDF request(s) through the API, S3 answers: ${JSON.stringify(pdfRequests.map((p) => [p.status, p.range ?? "full"]))}`);
      expect(pdfRequests.length).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    }, 120_000);

    it("sign out clears the tab's tokens, ends the hosted-UI session and a new visit signs in again", async () => {
      const before = (await tokensIn(page))!;
      await page.goto(`${s.url}/index.html`);
      await page.waitForSelector("body[data-ready=true]");
      await page.click("#logout");
      await page.waitForURL(`${s.url}/index.html`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      const logout = idp.log.filter((r) => r.endpoint === "logout");
      expect(logout).toHaveLength(1);
      expect(logout[0]!.params).toMatchObject({ client_id: CLIENT_ID, logout_uri: `${s.url}/index.html` });
      expect(idp.log.filter((r) => r.endpoint === "authorize")).toHaveLength(2);
      const after = (await tokensIn(page))!;
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(after.accessToken).not.toBe(before.accessToken);
    });

    it("a callback whose state was not issued in this tab is refused without a token request", async () => {
      const tokenCalls = idp.log.filter((r) => r.endpoint === "token").length;
      const fresh = await context.newPage();
      await fresh.goto(`${s.url}/callback.html?code=stolen&state=forged`);
      await expect.poll(() => fresh.locator("#status").textContent()).toMatch(/Sign-in failed: .*state/);
      expect(idp.log.filter((r) => r.endpoint === "token")).toHaveLength(tokenCalls);
      await fresh.close();
    });
  });
});
