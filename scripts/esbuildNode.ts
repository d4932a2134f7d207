// One place for how budgetlens bundles Node code with esbuild: the CLI (scripts/buildCli.ts →
// dist/), the Lambda functions (infra/constructs/bundling.ts, through CDK's local esbuild), the
// parse worker beside each of them, and the bundles tests run under plain node
// (test/hostile/childRunner.ts, and parseInWorker.ts when it runs from the TypeScript sources).
// esbuild itself is imported only when a build runs (infra and the runtime import the options).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** CommonJS dependencies inside an ESM bundle still call require() for Node built-ins. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __blCreateRequire } from 'node:module'; const require = __blCreateRequire(import.meta.url);";

/** The worker-thread entry of the isolated parser and its file name beside every bundle that parses. */
export const PARSE_WORKER_SOURCE = path.join(REPO_ROOT, "functions", "shared", "parseWorker.ts");
export const PARSE_WORKER_FILE = "parseWorker.mjs";

/**
 * The Lambda parses only in its worker: the handler's file need not carry the in-process parser
 * (parserFromEnv in functions/shared/parseInWorker.ts tests this constant; esbuild drops the branch).
 */
export const LAMBDA_DEFINE: Record<string, string> = { "process.env.BUDGETLENS_BUNDLE_WORKER_ONLY": '"1"' };

/** Where a bundle runs: its target and what stays outside it. */
export type BundleKind = "cli" | "lambda" | "local";

const COMMON: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  banner: { js: ESM_REQUIRE_BANNER },
  logLevel: "warning",
};

/**
 * - cli: dependencies stay in node_modules (installed with the package), Node 20, linked map;
 * - lambda: everything bundled but the AWS SDK the nodejs22.x runtime ships, minified, with a map,
 *   the in-process parser left out of the handler (LAMBDA_DEFINE);
 * - local: a bundle run by plain node from inside the repo (tests): pdfjs-dist stays external (it
 *   is resolved from node_modules, so its assets are found as from the sources).
 */
export function nodeBundleOptions(kind: BundleKind): BuildOptions {
  switch (kind) {
    case "cli":
      return { ...COMMON, target: "node20", packages: "external", sourcemap: "linked" };
    case "lambda":
      // Maps without the sources' text: stack traces still name file:line, the zip stays small.
      return { ...COMMON, target: "node22", mainFields: ["module", "main"], minify: true, sourcemap: true, sourcesContent: false, external: ["@aws-sdk/*"], define: LAMBDA_DEFINE };
    case "local":
      return { ...COMMON, target: "node20", external: ["pdfjs-dist", "@napi-rs/canvas"], logLevel: "silent" };
  }
}

/** Builds `entryPoints` into `outdir` (one .mjs per entry, named after it). */
export async function bundleNode(kind: BundleKind, entryPoints: Record<string, string>, outdir: string, extra: BuildOptions = {}): Promise<void> {
  const { build } = await import("esbuild");
  await build({ ...nodeBundleOptions(kind), entryPoints, outdir, outExtension: { ".js": ".mjs" }, ...extra });
}

/** The parse worker bundled into `outdir` as parseWorker.mjs (beside a CLI or Lambda bundle). */
export function bundleParseWorker(kind: BundleKind, outdir: string): Promise<void> {
  return bundleNode(kind, { [PARSE_WORKER_FILE.replace(/\.mjs$/, "")]: PARSE_WORKER_SOURCE }, outdir);
}

/**
 * A "local" bundle of one entry, cached by content under node_modules/.cache (so bare imports of
 * the external packages resolve from node_modules): the same file for every process that builds
 * the same code, written atomically.
 */
export async function cachedLocalBundle(entry: string, name: string): Promise<string> {
  const { build } = await import("esbuild");
  const out = await build({ ...nodeBundleOptions("local"), entryPoints: [entry], write: false, outfile: `${name}.mjs` });
  const text = out.outputFiles[0]!.contents;
  const dir = path.join(REPO_ROOT, "node_modules", ".cache", "budgetlens-bundles");
  const file = path.join(dir, `${name}-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }
  return file;
}

/** Command line for running bundleParseWorker from a shell (CDK's afterBundling hook). */
export function parseWorkerBuildCommand(kind: BundleKind, outdir: string): string {
  const tsx = path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  return [process.execPath, tsx, path.join(REPO_ROOT, "scripts", "esbuildNode.ts"), "parse-worker", kind, outdir].map(q).join(" ");
}

// `tsx scripts/esbuildNode.ts parse-worker <kind> <outdir>`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === "parse-worker") {
  const [kind, outdir] = process.argv.slice(3) as [BundleKind, string];
  await bundleParseWorker(kind, outdir);
}
