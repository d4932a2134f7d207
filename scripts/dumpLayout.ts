// Prints the table geometry of a PDF: every table as a text grid (cell text with spans marked)
// and the text lines outside tables, page by page.
//
//   npx tsx scripts/dumpLayout.ts FILE.pdf… [--page N[-M]] [--width W] [--json] [--summary]
//
// --no-rulings ignores the rulings (exercises the stream path on ruled tables, for comparison).
// --summary prints one line per page (tables lattice/stream, rows×cols, cells) and a total per file
// instead of the grids; several files may be given.
//
// Grid notation: each slot is one column of the grid. A merged cell prints its text in its
// top-left slot followed by ⟨rows×cols⟩; the other slots it covers show "←" (same cell as the
// slot to the left) or "↑" (same cell as the slot above). Lines inside a cell are joined by " ⏎ ".
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { openPdf } from "../parsers/pdf/loadPdf.ts";
import { layoutPage } from "../parsers/layout/layoutPage.ts";
import type { PageLayout, RawTable } from "../parsers/layout/rawTable.ts";

/** Display width in a monospace terminal: East Asian wide/full-width characters take two columns. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000 ? 2 : 1;
  }
  return w;
}

function fit(s: string, width: number): string {
  let out = "";
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > width - (displayWidth(s) > width ? 1 : 0)) {
      out += "…";
      w += 1;
      break;
    }
    out += ch;
    w += cw;
  }
  return out + " ".repeat(Math.max(0, width - w));
}

export function formatTable(t: RawTable, maxWidth: number): string {
  const nRows = t.rowEdges.length - 1;
  const nCols = t.colEdges.length - 1;
  const grid: string[][] = Array.from({ length: nRows }, () => new Array<string>(nCols).fill(""));
  for (const c of t.cells) {
    const span = c.rowSpan > 1 || c.colSpan > 1 ? `⟨${c.rowSpan}×${c.colSpan}⟩` : "";
    grid[c.row]![c.col] = c.lines.join(" ⏎ ") + span;
    for (let r = c.row; r < c.row + c.rowSpan; r++)
      for (let k = c.col; k < c.col + c.colSpan; k++) if (r !== c.row || k !== c.col) grid[r]![k] = k > c.col ? "←" : "↑";
  }
  const widths = Array.from({ length: nCols }, (_, k) => Math.min(maxWidth, Math.max(1, ...grid.map((row) => displayWidth(row[k]!)))));
  const rowNoWidth = String(nRows - 1).length;
  const lines = grid.map((row, r) => `${String(r).padStart(rowNoWidth)} │ ${row.map((cell, k) => fit(cell, widths[k]!)).join(" │ ")} │`);
  const header = `${" ".repeat(rowNoWidth)} │ ${widths.map((w, k) => fit(String(k), w)).join(" │ ")} │`;
  return [header, `${"─".repeat(rowNoWidth)}─┼${widths.map((w) => "─".repeat(w + 2)).join("┼")}┤`, ...lines].join("\n");
}

export function formatLayout(layout: PageLayout, maxWidth: number): string {
  const out: string[] = [];
  // Interleave tables and outside lines top to bottom, as on the page.
  const items: { y: number; text: string }[] = [
    ...layout.outsideLines.map((l) => ({ y: l.y0, text: `  · ${l.text}` })),
    ...layout.tables.map((t, i) => {
      const nonEmpty = t.cells.filter((c) => c.lines.length > 0).length;
      return {
        y: t.y0,
        text:
          `  ┌ table ${i + 1} [${t.method}] ${t.rowEdges.length - 1} rows × ${t.colEdges.length - 1} cols, ${t.cells.length} cells (${nonEmpty} with text), ` +
          `box (${t.x0.toFixed(0)},${t.y0.toFixed(0)})–(${t.x1.toFixed(0)},${t.y1.toFixed(0)})\n` +
          formatTable(t, maxWidth)
            .split("\n")
            .map((l) => `  │ ${l}`)
            .join("\n"),
      };
    }),
  ];
  items.sort((a, b) => a.y - b.y);
  out.push(`═══ page ${layout.pageNumber} (${layout.width.toFixed(0)}×${layout.height.toFixed(0)}): ${layout.tables.length} table(s), ${layout.outsideLines.length} outside line(s)`);
  for (const it of items) out.push(it.text);
  return out.join("\n");
}

function parsePages(spec: string | undefined, count: number): number[] {
  if (!spec) return Array.from({ length: count }, (_, i) => i + 1);
  const [a, b] = spec.split("-").map(Number);
  const from = a!;
  const to = b ?? from;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((n) => n >= 1 && n <= count);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const withValue = new Set(["--page", "--width"]);
  const files = args.filter((a, i) => !a.startsWith("--") && !withValue.has(args[i - 1] ?? ""));
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (files.length === 0) {
    console.error("usage: tsx scripts/dumpLayout.ts FILE.pdf… [--page N[-M]] [--width W] [--json] [--summary] [--no-rulings]");
    process.exit(2);
  }
  const width = Number(opt("--width") ?? 18);
  const summary = args.includes("--summary");
  for (const file of files) {
    const pdf = await openPdf(new Uint8Array(await readFile(file)));
    const total = { pages: 0, lattice: 0, stream: 0, cells: 0, textCells: 0, readMs: 0, layoutMs: 0 };
    try {
      if (summary) console.log(`### ${file.split("/").pop()} (${pdf.pageCount} pages, ${pdf.info.producer ?? "?"})`);
      for (const n of parsePages(opt("--page"), pdf.pageCount)) {
        const r0 = performance.now();
        const page = await pdf.readPage(n);
        const t0 = performance.now();
        // --no-rulings: drop the page's rulings to see what the stream (text alignment) path makes of it.
        const layout = layoutPage(args.includes("--no-rulings") ? { ...page, rulings: [] } : page);
        const ms = performance.now() - t0;
        total.pages++;
        total.readMs += t0 - r0;
        total.layoutMs += ms;
        for (const t of layout.tables) {
          total[t.method]++;
          total.cells += t.cells.length;
          total.textCells += t.cells.filter((c) => c.lines.length > 0).length;
        }
        if (args.includes("--json")) {
          console.log(JSON.stringify(layout, (k, v) => (k === "runs" ? undefined : v)));
        } else if (summary) {
          const shapes = layout.tables.map((t) => `${t.method[0]}${t.rowEdges.length - 1}×${t.colEdges.length - 1}`).join(" ");
          console.log(`  p${n} rot${page.rotation} runs=${page.runs.length} rulings=${page.rulings.length} tables=[${shapes}] outside=${layout.outsideLines.length} ${ms.toFixed(1)}ms`);
        } else {
          console.log(formatLayout(layout, width));
          console.log(`  (${page.runs.length} runs, ${page.rulings.length} rulings, rotation ${page.rotation}, layout ${ms.toFixed(1)} ms)\n`);
        }
      }
    } finally {
      await pdf.close();
    }
    if (summary)
      console.log(
        `  TOTAL pages=${total.pages} tables=${total.lattice + total.stream} (lattice ${total.lattice}, stream ${total.stream}) cells=${total.cells} (with text ${total.textCells}) read=${total.readMs.toFixed(0)}ms layout=${total.layoutMs.toFixed(0)}ms`,
      );
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("dumpLayout.ts")) {
  await main();
}
