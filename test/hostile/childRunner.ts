// Runs parseChild.ts in a separate process, bundled by esbuild and run by plain node (no tsx: pdfjs
// loads in ~0.3 s instead of several seconds), with a kill timer. A crash or an abort shows up as
// "crash", the kill timer as "hang": neither can take the caller down.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Outcome } from "../../fixtures/hostile/cases.ts";
import { bundleNode, cachedLocalBundle, PARSE_WORKER_FILE, PARSE_WORKER_SOURCE, REPO_ROOT } from "../../scripts/esbuildNode.ts";
import type { ChildResult } from "./parseChild.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export { REPO_ROOT };
/** Inside node_modules so the bundle resolves the external pdfjs-dist like the sources do. */
const CACHE_DIR = path.join(REPO_ROOT, "node_modules", ".cache", "budgetlens-hostile");

let bundled: Promise<string> | undefined;

/** esbuild bundle of parseChild.ts (scripts/esbuildNode.ts "local": pdfjs-dist external), built once per process. */
export function childBundle(): Promise<string> {
  bundled ??= cachedLocalBundle(path.join(here, "parseChild.ts"), "parseChild");
  return bundled;
}

/** Parses `file` in a child process; kills it after `killAfterMs`. */
export async function runInChild(file: string, opts: { limits?: object; killAfterMs: number }): Promise<Outcome & { child?: ChildResult }> {
  const entry = await childBundle();
  const args = [entry, file, ...(opts.limits ? [JSON.stringify(opts.limits)] : [])];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], cwd: REPO_ROOT });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, opts.killAfterMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const wall = Math.round(performance.now() - t0);
      const line = out.trim().split("\n").at(-1);
      if (line?.startsWith("{")) {
        const r = JSON.parse(line) as ChildResult;
        resolve({ result: resultOf(r), message: r.message, ms: r.ms, maxRssMb: r.maxRssMb, child: r });
      } else if (killed) {
        resolve({ result: "hang", message: `killed after ${opts.killAfterMs} ms`, ms: wall });
      } else {
        resolve({ result: "crash", message: `exit ${code ?? signal}: ${err.trim().split("\n").slice(-3).join(" | ").slice(0, 300)}`, ms: wall });
      }
    });
  });
}

export function resultOf(r: ChildResult): Outcome["result"] {
  if (r.outcome === "ok") return r.warnings && r.warnings.length > 0 ? "partial" : "ok";
  return (r.code as Outcome["result"] | undefined) ?? "error";
}

let cliBundled: Promise<string> | undefined;

/** esbuild bundle of the CLI (cli/main.ts, pdfjs-dist external) with its parse worker beside it: `node <bundle> parse FILE`. */
export function cliBundle(): Promise<string> {
  cliBundled ??= (async () => {
    const outdir = path.join(CACHE_DIR, `cli-${process.pid}`);
    await bundleNode("local", { cli: path.join(REPO_ROOT, "cli", "main.ts"), [PARSE_WORKER_FILE.replace(/\.mjs$/, "")]: PARSE_WORKER_SOURCE }, outdir);
    return path.join(outdir, "cli.mjs");
  })();
  return cliBundled;
}

export interface TimedRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak RSS of the child from GNU time (-f %M), when /usr/bin/time exists. */
  maxRssMb?: number;
  /** CPU time of the child, user + system, all threads (GNU time %U + %S), when /usr/bin/time exists. */
  cpuMs?: number;
  killed: boolean;
}

/** Runs a command under /usr/bin/time (peak RSS, CPU time) with a kill timer. */
export function timedRun(cmd: string, args: string[], opts: { killAfterMs: number; env?: NodeJS.ProcessEnv; keepStdout?: boolean }): Promise<TimedRun> {
  const gnuTime = "/usr/bin/time";
  const useTime = existsSync(gnuTime);
  const marker = "__BL_MAXRSS_KB=";
  const [c, a] = useTime ? [gnuTime, ["-f", `${marker}%M %U %S`, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(c, a, { stdio: ["ignore", "pipe", "pipe"], cwd: REPO_ROOT, env: opts.env ?? process.env, detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      if (opts.keepStdout !== false) stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      // The process group: GNU time and the node it runs.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, opts.killAfterMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      let maxRssMb: number | undefined;
      let cpuMs: number | undefined;
      const m = new RegExp(`${marker}(\\d+) ([\\d.]+) ([\\d.]+)`).exec(stderr);
      if (m) {
        maxRssMb = Math.round(Number(m[1]) / 1024);
        cpuMs = Math.round((Number(m[2]) + Number(m[3])) * 1000);
        stderr = stderr.replace(m[0], "").trim();
      }
      // GNU time reports the child's signal as "Command terminated by signal N" and exits 128+N.
      resolve({ exitCode: code, signal, stdout, stderr: stderr.trim(), wallMs: Math.round(performance.now() - t0), maxRssMb, cpuMs, killed });
    });
  });
}
