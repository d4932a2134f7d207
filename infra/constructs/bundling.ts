// How the Lambda code is bundled: local esbuild (no Docker) with the options of
// scripts/esbuildNode.ts ("lambda": ESM for Node 22, minified, AWS SDK external), and — for the
// function that parses PDFs (the ingest) — the parse worker bundled beside the handler as
// parseWorker.mjs (functions/shared/parseInWorker.ts finds it there) and pdfjs-dist's cmaps/,
// standard_fonts/ and wasm/ copied into the asset under pdfjs/ (found through BUDGETLENS_PDFJS_ASSETS).
import * as path from "node:path";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import { nodeBundleOptions, parseWorkerBuildCommand } from "../../scripts/esbuildNode.ts";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..");
export const RUNTIME = lambda.Runtime.NODEJS_22_X;
export const PDFJS_ASSET_DIR = "/var/task/pdfjs";
const PDFJS_ASSETS = ["cmaps", "standard_fonts", "wasm"];

const LAMBDA = nodeBundleOptions("lambda");

/** `pdfjsAssets`: the function parses PDFs (parse worker and pdfjs assets in its asset). */
export function bundling(opts: { pdfjsAssets?: boolean } = {}): nodejs.BundlingOptions {
  return {
    forceDockerBundling: false,
    format: LAMBDA.format === "esm" ? nodejs.OutputFormat.ESM : nodejs.OutputFormat.CJS,
    target: String(LAMBDA.target),
    mainFields: LAMBDA.mainFields,
    minify: LAMBDA.minify,
    sourceMap: Boolean(LAMBDA.sourcemap),
    sourcesContent: LAMBDA.sourcesContent !== false,
    banner: LAMBDA.banner?.js,
    define: LAMBDA.define,
    // The Node 22 runtime ships AWS SDK v3; everything else (Powertools, zod, pdfjs) is bundled.
    externalModules: LAMBDA.external,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) =>
        opts.pdfjsAssets
          ? [
              parseWorkerBuildCommand("lambda", outputDir),
              `mkdir -p "${outputDir}/pdfjs"`,
              ...PDFJS_ASSETS.map((d) => `cp -R "${inputDir}/node_modules/pdfjs-dist/${d}" "${outputDir}/pdfjs/${d}"`),
            ]
          : [],
    },
  };
}

export function functionDefaults(entry: string): Pick<nodejs.NodejsFunctionProps, "entry" | "handler" | "runtime" | "architecture" | "projectRoot" | "depsLockFilePath"> {
  return {
    entry: path.join(REPO_ROOT, entry),
    handler: "handler",
    runtime: RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    projectRoot: REPO_ROOT,
    depsLockFilePath: path.join(REPO_ROOT, "package-lock.json"),
  };
}
