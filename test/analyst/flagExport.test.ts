// The flags export carries where each flag is in the PDF: page (the flagged statement), box and
// boxPage (the page the box lies on) — in the tidy rows, the CSV and the XLSX flags sheet — for a
// narrative flag whose sentence and quoted table cell are on different pages.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../parsers/index.ts";
import { checkDocument } from "../../reconcile/index.ts";
import { collect, FLAG_COLUMNS, toCsv, toXlsx } from "../../analyst/exporters.ts";
import { tidyFlags } from "../../analyst/tidy.ts";

const FIXTURE = join(import.meta.dirname, "../../fixtures/pdf/err-narrative-amount.pdf");

/** RFC 4180 fields of one CSV line without quoted newlines (enough for these rows). */
function csvLines(text: string): string[][] {
  return text.replace(/^\uFEFF/, "").trim().split("\r\n").map((line) => {
    const out: string[] = [];
    let cur = "";
    let q = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (q && ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = !q;
      else if (ch === "," && !q) {
        out.push(cur);
        cur = "";
      } else cur += ch;
    }
    out.push(cur);
    return out;
  });
}

describe.skipIf(!existsSync(FIXTURE))("flag export: page, box, boxPage", () => {
  it("a narrative flag exports the sentence's page and the cell's box with the cell's page, in CSV and XLSX", async () => {
    const model = await parseDocument(new Uint8Array(readFileSync(FIXTURE)), { fileName: "err-narrative-amount.pdf" });
    const flags = checkDocument(model);
    const i = flags.findIndex((f) => f.rule === "narrative.amount" && f.severity === "error" && f.box && f.page !== f.boxPage);
    expect(i).toBeGreaterThanOrEqual(0);
    const flag = flags[i]!;

    const tidy = tidyFlags("d", model, flags)[i]!;
    expect([tidy.page, tidy.boxPage, tidy.box]).toEqual([flag.page, flag.boxPage, flag.box!.map((n) => n.toFixed(1)).join(",")]);
    // Flags without a box have no boxPage; every boxed one has its own.
    tidyFlags("d", model, flags).forEach((t, k) => expect(t.boxPage).toBe(flags[k]!.box ? flags[k]!.boxPage : null));

    const docs = [{ docId: "d", model, flags }];
    const csv = csvLines(toCsv(collect(docs).flags, FLAG_COLUMNS));
    expect(csv[0]).toEqual([...FLAG_COLUMNS]);
    const col = (name: (typeof FLAG_COLUMNS)[number]) => FLAG_COLUMNS.indexOf(name);
    const line = csv[i + 1]!;
    expect([line[col("rule")], line[col("page")], line[col("boxPage")], line[col("box")]]).toEqual([flag.rule, String(flag.page), String(flag.boxPage), tidy.box]);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await toXlsx(docs)) as never);
    const ws = wb.getWorksheet("flags")!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([...FLAG_COLUMNS]);
    const row = ws.getRow(i + 2);
    expect(String(row.getCell(col("boxPage") + 1).value)).toBe(String(flag.boxPage));
    expect(String(row.getCell(col("page") + 1).value)).toBe(String(flag.page));
  });
});
