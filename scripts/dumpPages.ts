// Debugging aid: what the PDF layer sees on each page.
//   npx tsx scripts/dumpPages.ts FILE.pdf [--page N] [--summary] [--json]
// Prints per page: size, rotation, run count, ruling count, then the runs (text + rounded box)
// and the rulings. --summary prints only the per-page header lines; --json prints PageModels.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { openPdf, PdfError } from "../parsers/pdf/index.ts";

const program = new Command()
  .name("dumpPages")
  .argument("<file>", "PDF file")
  .option("--page <n>", "only this page (1-based)", (v) => Number.parseInt(v, 10))
  .option("--summary", "only one line per page")
  .option("--json", "print the PageModel JSON")
  .parse();

const file = program.args[0]!;
const opts = program.opts<{ page?: number; summary?: boolean; json?: boolean }>();
const r = (v: number) => Math.round(v);
// `dumpPages … | head` closes the pipe early: stop quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

try {
  const t0 = performance.now();
  const pdf = await openPdf(new Uint8Array(readFileSync(file)));
  // With --json, stdout carries only JSON Lines (one PageModel per line); the header goes to stderr.
  const header = `${file}: ${pdf.pageCount} pages; producer=${pdf.info.producer ?? "?"}; creator=${pdf.info.creator ?? "?"}`;
  if (opts.json) console.error(header);
  else console.log(header);
  const pages = opts.page ? [opts.page] : Array.from({ length: pdf.pageCount }, (_, i) => i + 1);
  for (const n of pages) {
    const t = performance.now();
    const p = await pdf.readPage(n);
    const st = pdf.stats.get(n);
    if (opts.json) {
      console.log(JSON.stringify(p));
      continue;
    }
    const hv = `${p.rulings.filter((g) => g.orientation === "h").length}h/${p.rulings.filter((g) => g.orientation === "v").length}v`;
    const drops = st ? ` dropped: dup=${st.droppedDuplicate} invisible=${st.droppedInvisible} offpage=${st.droppedOffPage}; radicals mapped=${st.radicalsMapped}` : "";
    console.log(`--- page ${n}: ${r(p.width)}x${r(p.height)} rotate=${p.rotation} runs=${p.runs.length} rulings=${p.rulings.length} (${hv}) ${Math.round(performance.now() - t)} ms;${drops}`);
    for (const w of p.warnings ?? []) console.log(`  WARNING ${w}`);
    if (opts.summary) continue;
    for (const run of p.runs) console.log(`  [${r(run.x0)},${r(run.y0)} ${r(run.x1)},${r(run.y1)}] ${run.fontSize.toFixed(1)} ${JSON.stringify(run.text)}`);
    for (const g of p.rulings) console.log(`  ${g.orientation} @${g.at.toFixed(1)} ${g.from.toFixed(1)}..${g.to.toFixed(1)}`);
  }
  await pdf.close();
  (opts.json ? console.error : console.log)(`total ${Math.round(performance.now() - t0)} ms`);
} catch (e) {
  if (e instanceof PdfError) {
    console.error(`PdfError(${e.code}): ${e.message}`);
    process.exit(2);
  }
  throw e;
}
