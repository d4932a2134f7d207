// Bundle the CLI into dist/cli.mjs, and the parse worker beside it as dist/parseWorker.mjs
// (dependencies stay in node_modules), so `npx budgetlens` starts with plain node: running the
// TypeScript through tsx costs seconds per run, most of it spent re-transforming pdfjs-dist's
// worker file. Options: scripts/esbuildNode.ts ("cli").
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { bundleNode, PARSE_WORKER_FILE, PARSE_WORKER_SOURCE, REPO_ROOT } from "./esbuildNode.ts";

// Split at dynamic imports: each command's code (and the packages it imports) is its own chunk,
// loaded only when that command runs (cli/main.ts). Old chunks are removed first.
const dist = path.join(REPO_ROOT, "dist");
for (const f of existsSync(dist) ? readdirSync(dist) : []) if (f.startsWith("chunk-")) rmSync(path.join(dist, f));
await bundleNode("cli", { cli: path.join(REPO_ROOT, "cli", "main.ts"), [PARSE_WORKER_FILE.replace(/\.mjs$/, "")]: PARSE_WORKER_SOURCE }, dist, { splitting: true, chunkNames: "chunk-[hash]" });
