// How the Lambda code is bundled: local esbuild (no Docker), ESM for Node 22, and — for the ingest —
// pdfjs-dist's cmaps/, standard_fonts/ and wasm/ copied into the asset under pdfjs/ (the PDF loader
// finds them through BUDGETLENS_PDFJS_ASSETS).
import * as path from "node:path";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..");
export const RUNTIME = lambda.Runtime.NODEJS_22_X;
export const PDFJS_ASSET_DIR = "/var/task/pdfjs";
const PDFJS_ASSETS = ["cmaps", "standard_fonts", "wasm"];

export function bundling(opts: { pdfjsAssets?: boolean } = {}): nodejs.BundlingOptions {
  return {
    forceDockerBundling: false,
    format: nodejs.OutputFormat.ESM,
    target: "node22",
    mainFields: ["module", "main"],
    minify: true,
    sourceMap: true,
    // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
    banner: "import { createRequire as __blCreateRequire } from 'node:module'; const require = __blCreateRequire(import.meta.url);",
    // The Node 22 runtime ships AWS SDK v3; everything else (Powertools, zod, pdfjs) is bundled.
    externalModules: ["@aws-sdk/*"],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) =>
        opts.pdfjsAssets
          ? [
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
