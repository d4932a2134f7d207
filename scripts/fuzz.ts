// Fuzzes the parser with mutations of the fixture PDFs (fast-check): byte flips, truncation, cut or
// duplicated ranges, inserted PDF tokens, bent numbers. Contract under test: parseDocument ends with
// a document, a PdfError or a NotADisclosureError — never another exception, never a hang.
//
//   npx tsx scripts/fuzz.ts [--minutes 5] [--seed N] [--hang-seconds 120] [--out DIR]
//
// The fuzzing runs in a worker child process that announces every input before parsing it; the
// parent kills the worker when an input runs past --hang-seconds (a hang can be synchronous, which
// no in-process timer can interrupt), saves that input, and starts a new worker with a new seed.
// Inputs that raise an uncoded exception or crash the worker are saved to --out too.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { REPO_ROOT } from "../test/hostile/childRunner.ts";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const MINUTES = Number(opt("--minutes", "5"));
const HANG_SECONDS = Number(opt("--hang-seconds", "120"));
const OUT = path.resolve(opt("--out", path.join(REPO_ROOT, "test-output", "fuzz")));
const FIXTURE_DIR = path.join(REPO_ROOT, "fixtures", "pdf");
/** Small fixtures keep iterations short; the mutations, not the size, find the bugs. */
const FIXTURES = ["culture-2025-lo", "health-2025", "civil-2025", "err-child-sum", "err-missing-table"].map((n) => path.join(FIXTURE_DIR, `${n}.pdf`));

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutation =
  | { kind: "flip"; at: number; byte: number }
  | { kind: "truncate"; at: number }
  | { kind: "cut"; at: number; len: number }
  | { kind: "dup"; at: number; len: number }
  | { kind: "insert"; at: number; token: string }
  | { kind: "number"; at: number; value: string };

const TOKENS = ["obj", "endobj", "stream", "endstream", "xref", "trailer", "startxref", "<<", ">>", "[", "]", "R", "0 0 R", "/Length 999999999", "/Filter /FlateDecode", "/Type /Page", "/Kids [1 0 R]", "BT", "ET", "Tj", "TJ", "Tf", "cm", "q", "Q", "re f", "%%EOF", "\u0000", "9999999999999999999", "-1", "NaN", "1e308"];

/** A position as a fraction of the file, unbiased (fast-check otherwise favours 0, i.e. the header). */
const pos = (min = 0) => fc.noBias(fc.integer({ min: Math.round(min * 1e6), max: 1e6 })).map((x) => x / 1e6);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: pos(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: pos(0.3) }),
  fc.record({ kind: fc.constant("cut" as const), at: pos(), len: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant("dup" as const), at: pos(), len: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: pos(), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant("number" as const), at: pos(), value: fc.constantFrom("0", "-1", "1", "65535", "2147483648", "99999999", "3.5") }),
);

const HEADER = 16;

function mutate(base: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = Buffer.from(base);
  for (const m of muts) {
    if (b.length <= HEADER) break;
    // Keep the "%PDF-x.y" line: mutating it only ever yields not_pdf, which teaches nothing.
    const at = m.kind === "truncate" ? Math.max(HEADER, Math.floor(m.at * b.length)) : HEADER + Math.min(b.length - HEADER - 1, Math.floor(m.at * (b.length - HEADER)));
    switch (m.kind) {
      case "flip":
        b[at] = m.byte;
        break;
      case "truncate":
        b = b.subarray(0, Math.max(1, at));
        break;
      case "cut":
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case "dup":
        b = Buffer.concat([b.subarray(0, at + m.len), b.subarray(at, at + m.len), b.subarray(at + m.len)]);
        break;
      case "insert":
        b = Buffer.concat([b.subarray(0, at), Buffer.from(` ${m.token} `, "latin1"), b.subarray(at)]);
        break;
      case "number": {
        // Replace the next decimal number at or after `at` (object numbers, lengths, offsets, coordinates).
        const s = b.toString("latin1", at, Math.min(b.length, at + 200));
        const hit = /\d+/.exec(s);
        if (hit) b = Buffer.concat([b.subarray(0, at + hit.index), Buffer.from(m.value), b.subarray(at + hit.index + hit[0].length)]);
        break;
      }
    }
  }
  return new Uint8Array(b);
}

// ---------------------------------------------------------------------------------------------
// Worker: runs fast-check in this process, announcing each input on stdout.

async function worker(seed: number, deadline: number): Promise<void> {
  const { parseDocument } = await import("../parsers/index.ts");
  const { loadPdfjs } = await import("../parsers/pdf/pdfjsRuntime.ts");
  await loadPdfjs();
  const bases = FIXTURES.map((f) => new Uint8Array(readFileSync(f)));
  const say = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");
  let n = 0;
  process.on("unhandledRejection", (e) => say({ ev: "unhandled", message: String((e as Error)?.stack ?? e).slice(0, 500) }));
  process.on("uncaughtException", (e) => say({ ev: "unhandled", message: String(e?.stack ?? e).slice(0, 500) }));
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: bases.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 6 }), async (which, muts) => {
      const bytes = mutate(bases[which]!, muts);
      const id = `${seed}-${n++}`;
      say({ ev: "begin", id, fixture: path.basename(FIXTURES[which]!), muts });
      const t0 = performance.now();
      let result: string;
      let uncoded: string | undefined;
      try {
        const doc = await parseDocument(bytes, { fileName: "fuzz.pdf" });
        result = `ok ${doc.tables.length} tables`;
      } catch (e) {
        const err = e as { name?: string; code?: unknown; message?: string; stack?: string };
        if ((err?.name === "PdfError" || err?.name === "NotADisclosureError") && typeof err.code === "string") result = err.code;
        else {
          result = `UNCODED ${err?.name}`;
          uncoded = String(err?.stack ?? err?.message ?? e).slice(0, 800);
        }
      }
      say({ ev: "end", id, result, ms: Math.round(performance.now() - t0), uncoded });
      if (uncoded) writeFileSync(path.join(OUT, `uncoded-${id}.pdf`), bytes);
      return true; // survey mode: record every failure, never stop or shrink
    }),
    { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: Math.max(1000, deadline - Date.now()), markInterruptAsFailure: false },
  );
  say({ ev: "done" });
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Parent: supervises workers, detects hangs and crashes, prints a summary.

interface Begin {
  id: string;
  fixture: string;
  muts: Mutation[];
}

async function supervise(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const deadline = Date.now() + MINUTES * 60_000;
  let seed = Number(opt("--seed", String(Date.now() % 1_000_000)));
  const results = new Map<string, number>();
  const problems: string[] = [];
  let runs = 0;
  let maxMs = 0;
  const self = fileURLToPath(import.meta.url);
  const tsx = path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  while (Date.now() < deadline - 5_000) {
    const child = spawn(process.execPath, [tsx, self, "--worker", String(seed), String(deadline)], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let pending: Begin | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    let hung = false;
    let done = false;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        hung = true;
        child.kill("SIGKILL");
      }, HANG_SECONDS * 1000);
    };
    let buf = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith("{")) continue;
        const ev = JSON.parse(line) as { ev: string; id: string; result?: string; ms?: number; uncoded?: string; message?: string } & Begin;
        if (ev.ev === "begin") {
          pending = ev;
          arm();
        } else if (ev.ev === "end") {
          pending = undefined;
          clearTimeout(watchdog);
          runs++;
          maxMs = Math.max(maxMs, ev.ms ?? 0);
          const key = ev.result!.startsWith("ok") ? "ok (document)" : ev.result!;
          results.set(key, (results.get(key) ?? 0) + 1);
          if (ev.uncoded) problems.push(`uncoded exception on ${ev.id}: ${ev.uncoded.split("\n").slice(0, 3).join(" | ")}`);
          if (runs % 10 === 0) process.stderr.write(`  ${runs} inputs, ${[...results].map(([k, v]) => `${k} ${v}`).join(", ")}\n`);
        } else if (ev.ev === "done") {
          done = true; // fast-check's time limit: an input still running was interrupted, not crashed
        } else if (ev.ev === "unhandled") {
          problems.push(`unhandled rejection/exception during ${pending?.id ?? "?"}: ${ev.message}`);
        }
      }
    });
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    clearTimeout(watchdog);
    if (pending && !(done && code === 0)) {
      const base = readFileSync(path.join(FIXTURE_DIR, pending.fixture));
      const file = path.join(OUT, `${hung ? "hang" : "crash"}-${pending.id}.pdf`);
      writeFileSync(file, mutate(new Uint8Array(base), pending.muts));
      problems.push(`${hung ? `HANG (> ${HANG_SECONDS} s)` : `CRASH (exit ${code}: ${stderr.split("\n").slice(-3).join(" | ").slice(0, 300)})`} on ${pending.id} (${pending.fixture}, ${JSON.stringify(pending.muts)}) → saved ${path.relative(REPO_ROOT, file)}`);
      runs++;
    }
    seed++;
  }
  console.log(`fuzz: ${runs} mutated inputs in ${MINUTES} min (fixtures: ${FIXTURES.map((f) => path.basename(f)).join(", ")}), slowest ${maxMs} ms`);
  for (const [k, v] of [...results].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(24)} ${v}`);
  if (problems.length === 0) console.log("no uncoded exception, no crash, no hang");
  else {
    console.log(`${problems.length} problem(s):`);
    for (const p of problems) console.log(`  - ${p}`);
  }
  process.exit(problems.length === 0 ? 0 : 1);
}

if (args[0] === "--worker") await worker(Number(args[1]), Number(args[2]));
else await supervise();
