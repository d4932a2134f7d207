// The hostile-input table: every case of fixtures/hostile/cases.ts through
//   1. `budgetlens parse` (the CLI, esbuild-bundled, plain node, default limits): exit code, the
//      error code it prints, wall time and peak RSS, in its own process with a kill timer;
//   2. the embedded pipeline (real ingest handler; in a child process, because a bomb that exhausts
//      memory must not take this script down): stored status, failure code, alert.
// and whether the outcome meets the contract in cases.ts. Then the inputs only the parse worker can
// stop (test/hostile/stallFixtures.ts: a page that spins pdfjs, a memory hog) through the CLI with
// the parse worker (default) and with --in-process, and through the same pipeline run.
//
//   npx tsx scripts/hostile.ts [--no-pipeline] [--only name,name] [--kill-after SECONDS]
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { HOSTILE_CASES, HOSTILE_PDF_DIR, meetsContract, type HostileCase, type Outcome } from "../fixtures/hostile/cases.ts";
import { DEFAULT_PDF_LIMITS } from "../parsers/pdf/limits.ts";
import { writeBigCase } from "../fixtures/hostile/generate.ts";
import { cliBundle, REPO_ROOT, timedRun } from "../test/hostile/childRunner.ts";
import type { PipelineReport } from "../test/hostile/pipelineRun.ts";
import { STALL_CASES, writeStallCase, type StallCase } from "../test/hostile/stallFixtures.ts";

/** The hard-bound cases: the CLI limits they run with, the code expected, and its time bound (startup included). */
const WORKER_CASES: { name: StallCase; cliArgs: string[]; expect: string; withinMs: number }[] = [
  { name: "stall-path", cliArgs: ["--page-timeout", "3000"], expect: "page_timeout", withinMs: 3_000 + 1_000 + 5_000 },
  { name: "memory-string", cliArgs: ["--max-memory", "500"], expect: "memory_limit", withinMs: 30_000 },
];
/**
 * What the pipeline (default limits: 20 s per page, 1024 MB) must record for them: either bound may
 * close first (the hog grows ~100 MB/s on an idle core, the stalled path ~50 MB/s), both stop the parse.
 */
const WORKER_PIPELINE_EXPECT: Record<StallCase, string[]> = { "stall-path": ["page_timeout", "memory_limit"], "memory-string": ["memory_limit", "page_timeout"] };
/** The in-process runs are the contrast (minutes, GBs): cut them off sooner. */
const IN_PROCESS_KILL_MS = 120_000;

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

export function caseFile(c: HostileCase, bigDir: string): string {
  if (!c.file.startsWith("big:")) return path.join(HOSTILE_PDF_DIR, c.file);
  return writeBigCase(bigDir, c.file === "big:thousandPages" ? "thousandPages" : "huge");
}

/** Node start and bundle load, on top of the parse itself. */
const CLI_STARTUP_ALLOWANCE_MS = 5_000;

/** The case's time bound for the CLI, which runs with the default limits (not the case's lowered ones). */
function cliBoundMs(c: HostileCase): number {
  const lowered = c.limits?.pageTimeoutMs;
  return c.withinMs + (lowered ? Math.max(0, DEFAULT_PDF_LIMITS.pageTimeoutMs - lowered) : 0) + CLI_STARTUP_ALLOWANCE_MS;
}

/** The CLI's outcome: `budgetlens: FILE: CODE: message` on stderr and exit 2 for a rejected file. */
function cliOutcome(r: Awaited<ReturnType<typeof timedRun>>): Outcome {
  const base = { ms: r.wallMs, maxRssMb: r.maxRssMb };
  if (r.killed) return { ...base, result: "hang", message: "killed by the timer" };
  if (r.exitCode === 0) return { ...base, result: r.stdout.trim() === "" ? "ok" : "ok" };
  const m = /^budgetlens: .*?: ([a-z_]+): (.*)$/m.exec(r.stderr);
  if (r.exitCode === 2 && m) return { ...base, result: m[1] as Outcome["result"], message: m[2] };
  return { ...base, result: "crash", message: `exit ${r.exitCode}: ${r.stderr.split("\n").slice(-2).join(" | ").slice(0, 200)}` };
}

async function pipelineChild(): Promise<void> {
  const { runPipeline } = await import("../test/hostile/pipelineRun.ts");
  const files = JSON.parse(opt("--files") ?? "[]") as { name: string; path: string }[];
  const report = await runPipeline(files, { idleTimeoutMs: 900_000 });
  process.stdout.write("\n__PIPELINE__" + JSON.stringify(report) + "\n");
  process.exit(0);
}

async function main(): Promise<void> {
  const only = opt("--only")?.split(",");
  const killAfterMs = Number(opt("--kill-after") ?? 300) * 1000;
  const cases = HOSTILE_CASES.filter((c) => !only || only.includes(c.name));
  const bigDir = path.join(tmpdir(), "budgetlens-hostile-big");
  mkdirSync(bigDir, { recursive: true });
  const cli = await cliBundle();
  const rows: { c: HostileCase; file: string; out: Outcome; exit: number | null; cliRss?: number }[] = [];
  for (const c of cases) {
    const file = caseFile(c, bigDir);
    process.stderr.write(`cli: ${c.name} … `);
    const r = await timedRun(process.execPath, [cli, "parse", file, "--format", "cells"], { killAfterMs, keepStdout: false });
    const out = cliOutcome(r);
    process.stderr.write(`${out.result} ${out.ms} ms\n`);
    rows.push({ c, file, out, exit: r.exitCode });
  }

  const workerRows: { name: StallCase; file: string; worker: Outcome; inProcess: Outcome }[] = [];
  for (const w of WORKER_CASES.filter((x) => !only || only.includes(x.name))) {
    const file = writeStallCase(bigDir, w.name);
    process.stderr.write(`cli (worker / in-process): ${w.name} … `);
    const worker = cliOutcome(await timedRun(process.execPath, [cli, "parse", file, ...w.cliArgs], { killAfterMs, keepStdout: false }));
    const inProcess = cliOutcome(await timedRun(process.execPath, [cli, "parse", file, ...w.cliArgs, "--in-process"], { killAfterMs: Math.min(killAfterMs, IN_PROCESS_KILL_MS), keepStdout: false }));
    process.stderr.write(`${worker.result} ${worker.ms} ms / ${inProcess.result} ${inProcess.ms} ms\n`);
    workerRows.push({ name: w.name, file, worker, inProcess });
  }

  let pipeline: PipelineReport | undefined;
  if (!flag("--no-pipeline")) {
    process.stderr.write("pipeline: uploading every case to the embedded stack …\n");
    const files = [...rows.map((r) => ({ name: r.c.name, path: r.file })), ...workerRows.map((r) => ({ name: r.name, path: r.file }))];
    const self = fileURLToPath(import.meta.url);
    const tsx = path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
    const res = spawnSync(process.execPath, ["--openssl-legacy-provider", tsx, self, "--pipeline-child", "--files", JSON.stringify(files)], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: 1_200_000,
      env: { ...process.env, AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED" },
    });
    const marker = res.stdout?.indexOf("__PIPELINE__") ?? -1;
    if (marker >= 0) pipeline = JSON.parse(res.stdout.slice(marker + "__PIPELINE__".length).trim()) as PipelineReport;
    else process.stderr.write(`pipeline child failed (status ${res.status}, signal ${res.signal}): ${(res.stderr ?? "").split("\n").slice(-5).join("\n")}\n`);
  }

  // The table.
  const head = ["case", "input", "expected", "cli outcome", "cli exit", "time", "bound", "peak RSS", "pipeline", "alert", "verdict"];
  const lines: string[][] = [];
  for (const r of rows) {
    const p = pipeline?.rows.find((x) => x.name === r.c.name);
    const pipe = p ? `${p.status}${p.failureCode ? ` ${p.failureCode}` : ""}${p.handlerErrors.length ? ` (handler errors: ${p.handlerErrors.length})` : ""}` : pipeline ? "-" : "(skipped)";
    const cliOk = meetsContract({ ...r.c, withinMs: cliBoundMs(r.c) }, r.out);
    const pipeOk = !p || (r.c.expect.some((e) => e === "ok" || e === "partial") ? p.status === "COMMITTED" || p.status === "FAILED" : p.status === "FAILED" && p.alerted);
    lines.push([
      r.c.name,
      r.c.what,
      r.c.expect.join("|"),
      r.out.result,
      String(r.exit),
      `${(r.out.ms / 1000).toFixed(1)} s`,
      `${(cliBoundMs(r.c) / 1000).toFixed(0)} s`,
      r.out.maxRssMb !== undefined ? `${r.out.maxRssMb} MB` : "?",
      pipe,
      p ? (p.alerted ? p.alertKind ?? "yes" : "no") : "",
      cliOk && pipeOk ? "OK" : `FAIL${cliOk ? "" : " (cli)"}${pipeOk ? "" : " (pipeline)"}`,
    ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => "| " + l.map((x, i) => x.padEnd(widths[i]!)).join(" | ") + " |";
  console.log(fmt(head));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const l of lines) console.log(fmt(l));
  console.log(`\nCLI: esbuild bundle of cli/main.ts under plain node ${process.version}, default PdfLimits; time = wall time of the whole command (startup included); peak RSS from GNU time.`);

  if (workerRows.length) {
    console.log("\nHard bounds (parse worker, functions/shared/parseInWorker.ts): the CLI with the worker (default) and with --in-process, same limits; pipeline with default limits.");
    const whead = ["case", "input", "cli limits", "expected", "worker outcome", "time", "peak RSS", "in-process outcome", "time", "peak RSS", "pipeline", "alert", "verdict"];
    const wlines = workerRows.map((r) => {
      const w = WORKER_CASES.find((x) => x.name === r.name)!;
      const p = pipeline?.rows.find((x) => x.name === r.name);
      const cliOk = r.worker.result === (w.expect as Outcome["result"]) && r.worker.ms <= w.withinMs;
      const pipeOk = !p || (p.status === "FAILED" && WORKER_PIPELINE_EXPECT[r.name].includes(p.failureCode ?? "") && p.alerted);
      const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      const rss = (o: Outcome) => (o.maxRssMb !== undefined ? `${o.maxRssMb} MB` : "?");
      return [
        r.name,
        STALL_CASES[r.name].what,
        w.cliArgs.join(" "),
        `${w.expect} ≤ ${sec(w.withinMs)}`,
        r.worker.result,
        sec(r.worker.ms),
        rss(r.worker),
        r.inProcess.result,
        sec(r.inProcess.ms),
        rss(r.inProcess),
        p ? `${p.status}${p.failureCode ? ` ${p.failureCode}` : ""}` : pipeline ? "-" : "(skipped)",
        p ? (p.alerted ? p.alertKind ?? "yes" : "no") : "",
        cliOk && pipeOk ? "OK" : `FAIL${cliOk ? "" : " (cli)"}${pipeOk ? "" : " (pipeline)"}`,
      ];
    });
    const ww = whead.map((h, i) => Math.max(h.length, ...wlines.map((l) => l[i]!.length)));
    const wfmt = (l: string[]) => "| " + l.map((x, i) => x.padEnd(ww[i]!)).join(" | ") + " |";
    console.log(wfmt(whead));
    console.log("|" + ww.map((x) => "-".repeat(x + 2)).join("|") + "|");
    for (const l of wlines) console.log(wfmt(l));
  }
  if (pipeline) {
    console.log(`Pipeline: embedded stack, ${pipeline.rows.length} uploads, idle=${pipeline.idle}, DLQ depth ${pipeline.dlqDepth}, ${(pipeline.wallMs / 1000).toFixed(1)} s in all.`);
    for (const p of pipeline.rows) if (p.failureMessage || p.handlerErrors.length) console.log(`  ${p.name}: ${p.failureMessage ?? ""}${p.handlerErrors.length ? ` handler errors: ${p.handlerErrors.join(" / ")}` : ""}`);
  }
}

if (flag("--pipeline-child")) await pipelineChild();
else await main();
