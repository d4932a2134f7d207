// Bundle the CLI into dist/cli.mjs (dependencies stay in node_modules) so `npx budgetlens` starts
// with plain node: running the TypeScript through tsx costs seconds per run, most of it spent
// re-transforming pdfjs-dist's worker file.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: [join(root, "cli", "main.ts")],
  outfile: join(root, "dist", "cli.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
});
