// DynamoDB single-table key design for budgetlens. Every key string is built here and nowhere else.
//
// Table: PK `pk` (S), SK `sk` (S); on-demand; PITR. Three overloaded GSIs (`gsi1pk/gsi1sk` …),
// each projecting ALL. Documents are identified by the SHA-256 of the PDF bytes (`docId`).
//
// Items (all under pk = DOC#<docId> unless noted):
//   sk META                          the document record = the COMMIT MARKER. Written last, after every
//                                    other item of the document; readers serve nothing of a document
//                                    whose META is missing or not COMMITTED. status COMMITTED | FAILED.
//   sk TABLE#<tableId>               one table's header: number, title, kind, unit, columns, pages …
//   sk ROW#<tableId>#<row5>[#P<n>]   one row with its cells (cells per row keep items far below 400 KB;
//                                    a pathological row is split into parts #P1, #P2 …)
//   sk FLAG#<n5>                     one reconciliation flag
//   sk AMT#<tableId>#<row5>#<L|R>    amounts of one coded row side (code + value per column path):
//                                    the item the classification-code index serves
//   sk NARR#<chunk4>                 narrative paragraphs, consecutive, chunked by size
//   sk WARN#<chunk4>                 parser warnings, chunked by size
//   pk SERIES#<deptKey>#<year>#<docType>, sk CURRENT
//                                    pointer to the current (latest-uploaded) document of a series;
//                                    an older document of the series is SUPERSEDED, both stay queryable.
//                                    <deptKey> = departmentKey(name) (reconcile/departmentAliases.ts): a
//                                    department's series survives a rename, so last year's filing is
//                                    found under its old name (across-years rule) and a re-filing under
//                                    another spelling supersedes the earlier one.
//
// Access patterns → key condition:
//   a document with tables/rows/cells/flags   Query pk = DOC#<id> (begins_with sk TABLE#/ROW#/FLAG#)
//   documents of a department (and year)      GSI1 pk = DEPT#<dept>, sk begins_with Y#<year>#      (META only)
//   failed documents                          GSI1 pk = STATUS#FAILED, sk = <ingestedAt>#<id>       (META only)
//   all documents of a year, any department   GSI2 pk = DOCS, sk begins_with <year>#                 (META only)
//   flags by severity across departments      GSI2 pk = SEV#<severity>, sk begins_with <year>#<dept>#
//   amounts by classification code            GSI3 pk = CODE#<scheme>#<code>, sk begins_with <year>#<dept>#
//   current document of a dept/year/type       GetItem SERIES#… / CURRENT
// Index items are written before the META item; queries over the GSIs therefore check the META of every
// document they return (BatchGet) and drop documents that are not committed — a half-written document
// is never served, without transactions.

import { departmentKey } from "../../reconcile/departmentAliases.ts";

export const GSI1 = "gsi1";
export const GSI2 = "gsi2";
export const GSI3 = "gsi3";
export const GSI_NAMES = [GSI1, GSI2, GSI3] as const;

/** Placeholder for a document whose department or year the parser could not determine. */
export const UNKNOWN = "(unknown)";

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/** Key parts must not contain the separator; department names are free text from the PDF. */
function part(s: string): string {
  return s.replaceAll("#", "＃");
}

export const docPk = (docId: string): string => `DOC#${docId}`;
export const META_SK = "META";
export const tableSk = (tableId: string): string => `TABLE#${part(tableId)}`;
export const rowPrefix = (tableId: string): string => `ROW#${part(tableId)}#`;
export const rowSk = (tableId: string, row: number, partNo?: number): string =>
  `${rowPrefix(tableId)}${pad(row, 5)}${partNo === undefined ? "" : `#P${pad(partNo, 3)}`}`;
export const flagSk = (n: number): string => `FLAG#${pad(n, 5)}`;
export const amountSk = (tableId: string, row: number, side: "L" | "R"): string => `AMT#${part(tableId)}#${pad(row, 5)}#${side}`;
export const narrativeSk = (chunk: number): string => `NARR#${pad(chunk, 4)}`;
export const warningSk = (chunk: number): string => `WARN#${pad(chunk, 4)}`;

export const SK_PREFIX = { table: "TABLE#", row: "ROW#", flag: "FLAG#", amount: "AMT#", narrative: "NARR#", warn: "WARN#" } as const;

export const seriesPk = (department: string, year: number | undefined, docType: string): string =>
  `SERIES#${part(department === UNKNOWN ? department : departmentKey(department))}#${year ?? UNKNOWN}#${docType}`;
export const CURRENT_SK = "CURRENT";

// GSI1: documents by department and year; failed documents.
export const deptGsi1Pk = (department: string): string => `DEPT#${part(department)}`;
export const deptGsi1Sk = (year: number | undefined, docType: string, ingestedAt: string, docId: string): string =>
  `Y#${year ?? UNKNOWN}#${docType}#${ingestedAt}#${docId}`;
export const deptYearPrefix = (year: number): string => `Y#${year}#`;
export const FAILED_GSI1_PK = "STATUS#FAILED";
export const failedGsi1Sk = (ingestedAt: string, docId: string): string => `${ingestedAt}#${docId}`;

// GSI2: all documents by year; flags by severity.
export const DOCS_GSI2_PK = "DOCS";
export const docsGsi2Sk = (year: number | undefined, department: string, docType: string, docId: string): string =>
  `${year ?? UNKNOWN}#${part(department)}#${docType}#${docId}`;
export const severityGsi2Pk = (severity: string): string => `SEV#${severity}`;
export const severityGsi2Sk = (year: number | undefined, department: string, docId: string, n: number): string =>
  `${year ?? UNKNOWN}#${part(department)}#${docId}#${pad(n, 5)}`;

// GSI3: amounts by classification code.
export const codeGsi3Pk = (scheme: string, code: string): string => `CODE#${scheme}#${code}`;
export const codeGsi3Sk = (year: number | undefined, department: string, docId: string, tableId: string, row: number, side: "L" | "R"): string =>
  `${year ?? UNKNOWN}#${part(department)}#${docId}#${part(tableId)}#${pad(row, 5)}#${side}`;

/** Prefix for one department in one year (as stored: a year or UNKNOWN) on GSI2 SEV#/GSI3 sort keys. */
export const yearTextDeptPrefix = (yearText: string, department: string): string => `${yearText}#${part(department)}#`;

/** Prefix for "year, then optionally department" range conditions on GSI2/GSI3 sort keys. */
export const yearDeptPrefix = (year?: number, department?: string): string | undefined => {
  if (year === undefined) return undefined;
  return department === undefined ? `${year}#` : `${year}#${part(department)}#`;
};

// ---- generations ------------------------------------------------------------------------------
// A document's derived items can be replaced (re-processing after a parser upgrade; flags replaced by
// an across-years re-check) without a reader ever seeing a mix of old and new items. Each set of
// items belongs to a generation: generation 0 is the original write, keyed as above (unprefixed);
// generation g ≥ 1 has the same sort keys behind `G<g4>#` (e.g. `G0003#ROW#t01#00004`). META names
// the current generation of the body (`generation`: tables, rows, amounts, narrative, warnings) and
// of the flags (`flagGeneration`), so flags can be replaced alone. A replacement writes the new
// generation's items (invisible: readers only read META's generations), flips META's pointers in one
// conditional write, then deletes the older generation. GSI items of both generations may be in an
// index for a while: readers keep only items of the generation META names (documentStore.ts).

/** The sort-key prefix of a generation's items ("" for generation 0, the original keys). */
export const generationPrefix = (generation: number): string => (generation === 0 ? "" : `G${pad(generation, 4)}#`);

/** The stored sort key of an item of generation `generation` whose logical sort key is `sk`. */
export const generationSk = (generation: number, sk: string): string => `${generationPrefix(generation)}${sk}`;

const GENERATION_SK = /^G(\d{4})#(.*)$/s;

/** The generation and logical sort key of a stored sort key (unprefixed keys are generation 0). */
export function parseGenerationSk(stored: string): { generation: number; sk: string } {
  const m = GENERATION_SK.exec(stored);
  return m ? { generation: Number(m[1]), sk: m[2]! } : { generation: 0, sk: stored };
}

/** Whether a logical sort key is one of the flags (their generation is META's flagGeneration). */
export const isFlagSk = (sk: string): boolean => sk.startsWith(SK_PREFIX.flag);

/** Items outside any generation: the commit marker and the write lease. */
export const isDocumentControlSk = (sk: string): boolean => sk === META_SK || sk === "LEASE";
