// A small but complete DisclosureDocument built from the PDF bytes' text, for pipeline tests that
// exercise storage, idempotency and supersession independently of the real parser.
// Bytes "SYNTH|<department>|<year>|<variant>|<errors>" parse to a document of that department/year;
// bytes starting with "%PDF" or anything else are "corrupt" (throws a PdfError-like error).
import { createHash } from "node:crypto";
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { Flag } from "../../reconcile/flag.ts";

export function synthBytes(department: string, year: number, variant = "a", errors = 0): Uint8Array {
  return new TextEncoder().encode(`SYNTH|${department}|${year}|${variant}|${errors}`);
}

class FakePdfError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PdfError";
  }
}

export async function synthParse(bytes: Uint8Array, opts: { fileName: string }): Promise<DisclosureDocument> {
  const text = new TextDecoder().decode(bytes);
  const [tag, department, yearText, variant, errors] = text.split("|");
  if (tag !== "SYNTH" || !department || !yearText) throw new FakePdfError("corrupt", "not a synthetic document");
  const year = Number(yearText);
  const rows = Array.from({ length: 40 }, (_, i) => {
    const code = i === 0 ? { raw: "208", code: "208", level: "类" as const, scheme: "functional" as const } : { raw: `208 01 ${String(i).padStart(2, "0")}`, code: `20801${String(i).padStart(2, "0")}`, level: "项" as const, scheme: "functional" as const };
    const amount = `${100 + i}.${variant === "a" ? "25" : "75"}`;
    return {
      index: i,
      page: 2,
      label: [code.raw, `项目 ${i} ${variant}`],
      code,
      isTotal: false,
      cells: [
        { row: i, column: 0, text: code.raw, value: null, page: 2, box: [10, 20 + i * 10, 50, 28 + i * 10] as [number, number, number, number] },
        { row: i, column: 1, text: `项目 ${i}`, value: null, page: 2, box: [60, 20 + i * 10, 150, 28 + i * 10] as [number, number, number, number] },
        { row: i, column: 2, text: amount, value: amount, page: 2, box: [160, 20 + i * 10, 220, 28 + i * 10] as [number, number, number, number] },
        { row: i, column: 3, text: "1,057.99", value: "1057.99", page: 2, box: [230, 20 + i * 10, 290, 28 + i * 10] as [number, number, number, number] },
      ],
    };
  });
  return {
    schemaVersion: 1,
    source: { fileName: opts.fileName, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length, pageCount: 3, producer: "synthetic" },
    meta: { title: `${department}${year}年部门预算`, department, year, docType: "budget", family: "seed11", tableOfContents: ["部门支出总体情况表"] },
    tables: [
      {
        id: "t01",
        number: "表3",
        title: "部门支出总体情况表",
        kind: "expenditure_summary",
        department,
        unit: "万元",
        pages: [2],
        method: "lattice",
        columns: [
          { index: 0, path: ["功能分类科目编码"], role: "code" },
          { index: 1, path: ["科目名称"], role: "label" },
          { index: 2, path: ["合计"], role: "value" },
          { index: 3, path: ["基本支出"], role: "value" },
        ],
        rows,
        note: null,
        empty: false,
        remarks: [],
      },
    ],
    narrative: [{ page: 3, text: `${department}的主要职能…… ERRORS=${errors ?? 0}` }],
    warnings: [],
  };
}

export function synthCheck(doc: DisclosureDocument): Flag[] {
  const errors = Number(/ERRORS=(\d+)/.exec(doc.narrative[0]?.text ?? "")?.[1] ?? 0);
  const flags: Flag[] = [{ severity: "info", rule: "rounding", table: "表3", row: ["208"], message: "within rounding" }];
  for (let i = 0; i < errors; i++) {
    flags.push({ severity: "error", rule: "sum.children", table: "表3", title: "部门支出总体情况表", page: 2, row: ["208"], expected: "190.55", actual: "191.55", difference: "1.00", unit: "万元", message: `类 ≠ Σ 款 (${i})` });
  }
  return flags;
}
