#!/usr/bin/env node
// Launcher for `npx budgetlens …`: runs the bundled CLI (dist/cli.mjs, built by `npm run build`)
// when it is newer than every source file, else the TypeScript sources through tsx.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "cli.mjs");
const SOURCES = ["cli", "parsers", "reconcile", "functions", "embedded", "analyst"];

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= Math.max(...SOURCES.map((d) => newestSource(join(root, d))));
const args = fresh ? [bundle] : [join(root, "node_modules", "tsx", "dist", "cli.mjs"), join(root, "cli", "main.ts")];
const result = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
