// `budgetlens query …`: the analyst API from the terminal (embedded data, a deployed table, or a
// running `budgetlens serve` / deployed API with --api URL). Tables for people, --json for scripts.
import type { Command } from "commander";
import type { DocumentSummary } from "../functions/query/queryService.ts";
import { getOk, openClient, type ApiClient } from "../analyst/client.ts";
import { DOC_TYPE_LABEL } from "../analyst/docType.ts";
import { renderTable } from "../analyst/textTable.ts";
import type { HeadcountYear, YearOverYear } from "../analyst/yearOverYear.ts";
import type { FlagSummary, SeverityCounts } from "../functions/query/flagSummary.ts";

interface Common {
  dataDir: string;
  table?: string;
  api?: string;
  json?: boolean;
  limit?: string;
  cursor?: string;
}

type Params = Record<string, string | number | boolean | undefined>;

async function run(opts: Common, fn: (c: ApiClient) => Promise<void>): Promise<void> {
  let client: ApiClient | undefined;
  try {
    client = await openClient({ dataDir: opts.dataDir, table: opts.table, apiUrl: opts.api });
    await fn(client);
  } catch (e) {
    process.stderr.write(`budgetlens query: ${(e as Error).message}\n`);
    process.exitCode = 2;
  } finally {
    await client?.close();
  }
}

const out = (s: string): boolean => process.stdout.write(s);
const paging = (o: Common): Params => ({ limit: o.limit, cursor: o.cursor });

function more(body: { nextCursor?: string; total?: number; count?: number }): void {
  if (body.nextCursor) process.stderr.write(`(${body.count}${body.total === undefined ? "" : ` of ${body.total}`} on this page; next page: --cursor ${body.nextCursor})\n`);
}

function docRows(items: DocumentSummary[]): string {
  return renderTable(
    [{ header: "docId" }, { header: "department", max: 30 }, { header: "year" }, { header: "kind" }, { header: "status" }, { header: "tables", align: "right" }, { header: "E/W/I" }, { header: "file", max: 40 }],
    items.map((d) => [
      d.docId.slice(0, 12),
      d.department ?? "?",
      d.year ?? "?",
      DOC_TYPE_LABEL[d.docType] ?? d.docType,
      d.status + (d.current ? "" : " (superseded)"),
      d.counts?.tables,
      d.flagCounts ? `${d.flagCounts.error}/${d.flagCounts.warning}/${d.flagCounts.info}` : "",
      d.fileName,
    ]),
  );
}

function withCommon(cmd: Command): Command {
  return cmd
    .option("--data-dir <dir>", "embedded data folder", ".budgetlens")
    .option("--table <name>", "deployed stack's table (default $BUDGETLENS_TABLE)")
    .option("--api <url>", "query a running `budgetlens serve` (http://127.0.0.1:8080/api) or a deployed API")
    .option("--json", "JSON output")
    .option("--limit <n>", "page size (1–1000)")
    .option("--cursor <c>", "continue from a previous page");
}

/** Accepts a full docId or a unique prefix (as printed by `query documents`). */
async function resolveDocId(client: ApiClient, id: string): Promise<string> {
  if (/^[0-9a-f]{64}$/.test(id)) return id;
  if (!/^[0-9a-f]{6,63}$/.test(id)) throw new Error(`"${id}" is not a document id (64 hex digits, or a unique prefix of at least 6)`);
  const docs = await getOk<{ items: DocumentSummary[] }>(client, "/documents", { limit: 1000 });
  const hits = docs.items.filter((d) => d.docId.startsWith(id));
  if (hits.length !== 1) throw new Error(`${hits.length === 0 ? "no" : "more than one"} document id starts with ${id}`);
  return hits[0]!.docId;
}

// The answer's shape is the query side's own (a type import: nothing is loaded at run time).
type Counts = SeverityCounts;
type FlagSummaryBody = Omit<FlagSummary, "page">;

/** Adds up counts keyed by `key` (a summary continued over several calls counts each flag once). */
function addCounts(rows: (Counts & { key: string })[]): (Counts & { key: string })[] {
  const m = new Map<string, Counts & { key: string }>();
  for (const r of rows) {
    const e = m.get(r.key) ?? { key: r.key, error: 0, warning: 0, info: 0, all: 0 };
    for (const s of ["error", "warning", "info", "all"] as const) e[s] += r[s];
    m.set(r.key, e);
  }
  return [...m.values()];
}

/** /flags/summary, every call of it: a summary that ran out of read budget is continued and added up. */
async function printSummary(c: ApiClient, filters: Params, o: Common): Promise<void> {
  const parts: FlagSummaryBody[] = [];
  let cursor = o.cursor;
  do {
    const body = await getOk<FlagSummaryBody>(c, "/flags/summary", { ...filters, cursor });
    parts.push(body);
    cursor = body.nextCursor;
  } while (cursor);
  const byAll = (rows: (Counts & { key: string })[]) => addCounts(rows).sort((x, y) => y.all - x.all || x.key.localeCompare(y.key, "zh"));
  const [sevs] = addCounts(parts.map((p) => ({ key: "", ...p.bySeverity })));
  const merged = {
    total: parts.reduce((n, p) => n + p.total, 0),
    bySeverity: { error: sevs?.error ?? 0, warning: sevs?.warning ?? 0, info: sevs?.info ?? 0, all: sevs?.all ?? 0 },
    byRule: byAll(parts.flatMap((p) => p.byRule.map(({ rule, ...n }) => ({ key: rule, ...n })))).map(({ key, ...n }) => ({ rule: key, ...n })),
    byDepartment: byAll(parts.flatMap((p) => p.byDepartment.map(({ department, ...n }) => ({ key: department, ...n })))).map(({ key, ...n }) => ({ department: key, ...n })),
    ...(parts[0]?.byYear
      ? { byYear: addCounts(parts.flatMap((p) => (p.byYear ?? []).map(({ year, ...n }) => ({ key: String(year), ...n })))).map(({ key, ...n }) => ({ year: key === "null" ? null : Number(key), ...n })).sort((x, y) => (x.year ?? 0) - (y.year ?? 0)) }
      : {}),
    calls: parts.length,
  };
  if (o.json) return void out(JSON.stringify(merged) + "\n");
  const sev = (r: Counts): number[] => [r.error, r.warning, r.info, r.all];
  const cols = (first: string) => [{ header: first, max: 32 }, ...["errors", "warnings", "info", "all"].map((h) => ({ header: h, align: "right" as const }))];
  out(`${merged.total} flags (${merged.bySeverity.error} errors, ${merged.bySeverity.warning} warnings, ${merged.bySeverity.info} info)${parts.length > 1 ? `, counted in ${parts.length} calls` : ""}\n`);
  out("\nper rule\n" + renderTable(cols("rule"), merged.byRule.map((r) => [r.rule, ...sev(r)])));
  out("\nper department\n" + renderTable(cols("department"), merged.byDepartment.map((r) => [r.department, ...sev(r)])));
  if (merged.byYear) out("\nper year\n" + renderTable(cols("year"), merged.byYear.map((r) => [r.year ?? "?", ...sev(r)])));
}

export function registerQuery(program: Command): void {
  const q = program.command("query").description("ask the stored documents: documents, tables, rows, flags, codes, year over year, headcount");

  withCommon(q.command("documents").description("documents by department / year / kind"))
    .option("--department <name>")
    .option("--year <year>")
    .option("--kind <kind>", "预算 | 决算 (budget | final_accounts)")
    .option("--failed", "documents that could not be read")
    .action((o: Common & { department?: string; year?: string; kind?: string; failed?: boolean }) =>
      run(o, async (c) => {
        const body = await getOk<{ items: DocumentSummary[]; nextCursor?: string }>(c, "/documents", {
          department: o.department,
          year: o.year,
          kind: o.kind,
          status: o.failed ? "FAILED" : undefined,
          ...paging(o),
        });
        out(o.json ? JSON.stringify(body) + "\n" : docRows(body.items));
        more(body);
      }),
    );

  withCommon(q.command("document").description("one document with its tables").argument("<docId>"))
    .action((id: string, o: Common) =>
      run(o, async (c) => {
        const body = await getOk<DocumentSummary & { tables: { id: string; number: string; title: string; kind: string; unit: string | null; pages: number[]; rowCount: number }[] }>(c, `/documents/${await resolveDocId(c, id)}`);
        if (o.json) return void out(JSON.stringify(body) + "\n");
        out(docRows([body]));
        out(renderTable([{ header: "id" }, { header: "number" }, { header: "title", max: 40 }, { header: "kind" }, { header: "unit" }, { header: "pages" }, { header: "rows", align: "right" }], body.tables.map((t) => [t.id, t.number, t.title, t.kind, t.unit ?? "", t.pages.join(","), t.rowCount])));
      }),
    );

  withCommon(q.command("rows").description("a table's rows and cells").argument("<docId>").argument("<tableId>"))
    .action((id: string, tableId: string, o: Common) =>
      run(o, async (c) => {
        const body = await getOk<{ table: { columns: { index: number; path: string[] }[]; unit: string | null; title: string }; rows: { label: string[]; code?: { raw: string }; cells: { column: number; text: string }[] }[] }>(c, `/documents/${await resolveDocId(c, id)}/tables/${encodeURIComponent(tableId)}/rows`);
        if (o.json) return void out(JSON.stringify(body) + "\n");
        out(`${body.table.title} (${body.table.unit ?? "no unit"})\n`);
        const cols = body.table.columns;
        out(renderTable([{ header: "row", max: 30 }, ...cols.map((col) => ({ header: col.path.join("/") || `#${col.index}`, max: 16, align: "right" as const }))], body.rows.map((r) => [r.label.join(" "), ...cols.map((col) => r.cells.find((x) => x.column === col.index)?.text ?? "")])));
      }),
    );

  withCommon(q.command("flags").description("reconciliation flags across departments (or of one document)"))
    .option("--severity <s>", "error | warning | info (default all)")
    .option("--rule <rule>", "rule id or family (sum, cross, narrative, years …)")
    .option("--year <year>")
    .option("--department <name>")
    .option("--kind <kind>", "预算 | 决算 (budget | final_accounts)")
    .option("--doc <docId>", "flags of one document")
    .option("--include-superseded", "also flags of filings replaced by a later upload")
    .option("--summary", "counts by severity, rule, department (and year) instead of the flags (/flags/summary)")
    .action((o: Common & { severity?: string; rule?: string; year?: string; kind?: string; department?: string; doc?: string; includeSuperseded?: boolean; summary?: boolean }) =>
      run(o, async (c) => {
        if (o.doc && (o.summary || o.kind)) throw new Error("--summary and --kind are for flags across departments, not --doc");
        const filters = { severity: o.severity, rule: o.rule, year: o.year, kind: o.kind, department: o.department, includeSuperseded: o.includeSuperseded ? "true" : undefined };
        if (o.summary) return void (await printSummary(c, filters, o));
        const path = o.doc ? `/documents/${await resolveDocId(c, o.doc)}/flags` : "/flags";
        const params = o.doc ? { severity: o.severity, rule: o.rule, ...paging(o) } : { ...filters, ...paging(o) };
        const body = await getOk<{ items: { severity: string; rule: string; department?: string; year?: number; table?: string; row?: string[]; expected?: string; actual?: string; page?: number; message: string }[]; nextCursor?: string }>(c, path, params);
        if (o.json) return void out(JSON.stringify(body) + "\n");
        out(
          renderTable(
            [{ header: "sev" }, { header: "rule" }, { header: "department", max: 24 }, { header: "year" }, { header: "table" }, { header: "row", max: 24 }, { header: "expected", align: "right" }, { header: "actual", align: "right" }, { header: "page", align: "right" }, { header: "message", max: 60 }],
            body.items.map((f) => [f.severity, f.rule, f.department ?? "", f.year ?? "", f.table ?? "", (f.row ?? []).join(" "), f.expected ?? "", f.actual ?? "", f.page ?? "", f.message]),
          ),
        );
        more(body);
      }),
    );

  withCommon(q.command("code").description("one classification (or economic) code across departments and years").argument("<code>", "3, 5 or 7 digits, e.g. 2080505"))
    .option("--scheme <scheme>", "functional | economic", "functional")
    .option("--year <year>")
    .option("--department <name>")
    .action((code: string, o: Common & { scheme: string; year?: string; department?: string }) =>
      run(o, async (c) => {
        const body = await getOk<{ items: { department: string; year?: number; docType: string; table: string; label: string[]; unit: string | null; page: number; values: { path: string[]; text: string }[] }[]; nextCursor?: string }>(c, "/amounts", { code, scheme: o.scheme, year: o.year, department: o.department, ...paging(o) });
        if (o.json) return void out(JSON.stringify(body) + "\n");
        out(
          renderTable(
            [{ header: "department", max: 28 }, { header: "year" }, { header: "kind" }, { header: "table" }, { header: "label", max: 24 }, { header: "unit" }, { header: "page", align: "right" }, { header: "values", max: 80 }],
            body.items.map((a) => [a.department, a.year ?? "", DOC_TYPE_LABEL[a.docType] ?? a.docType, a.table, a.label.join(" "), a.unit ?? "", a.page, a.values.map((v) => `${v.path.at(-1) ?? "?"}=${v.text}`).join("  ")]),
          ),
        );
        more(body);
      }),
    );

  withCommon(q.command("years").description("a department year over year: every table row side by side, with changes and the filing's stated changes").argument("<department>"))
    .option("--kind <kind>", "预算 | 决算", "预算")
    .option("--table-kind <kind>", "only this table kind (e.g. expenditure_summary)")
    .action((department: string, o: Common & { kind: string; tableKind?: string }) =>
      run(o, async (c) => {
        const body = await getOk<YearOverYear>(c, `/departments/${encodeURIComponent(department)}/years`, { kind: o.kind });
        if (o.json) return void out(JSON.stringify(body) + "\n");
        for (const t of body.tables.filter((x) => !o.tableKind || x.kind === o.tableKind)) {
          out(`\n${t.title} [${t.kind}]\n`);
          const col = t.columns[0];
          const lines = t.rows.map((r) => {
            const vals = body.years.map((y) => (col ? r.values[col]?.[y]?.text ?? "" : ""));
            const ch = col ? r.changes[col]?.at(-1) : undefined;
            return [r.code ?? "", r.label.join(" "), ...vals, ch ? `${ch.yuan} 元${ch.percent ? ` (${ch.percent}%)` : ""}` : ""];
          });
          out(`column: ${col ?? "(none)"} — all columns with --json\n`);
          out(renderTable([{ header: "code" }, { header: "row", max: 30 }, ...body.years.map((y) => ({ header: String(y), align: "right" as const })), { header: "change (last)", align: "right" }], lines));
        }
        if (body.stated.length > 0) {
          out("\nChanges the filings state (说明):\n");
          out(renderTable([{ header: "year" }, { header: "page", align: "right" }, { header: "subject", max: 30 }, { header: "amount", align: "right" }, { header: "unit" }, { header: "stated change" }], body.stated.map((s) => [s.year, s.page, s.subject, s.amount, s.unit, `${s.direction} ${s.changeAmount ?? ""} ${s.changePercent ? s.changePercent + "%" : ""} (vs ${s.base})`])));
        }
        for (const f of body.yearFlags) out(`  ${f.year} ${f.severity} ${f.rule}: ${f.message}\n`);
      }),
    );

  withCommon(q.command("headcount").description("headcount over the years, with what each filing claimed").argument("<department>"))
    .option("--kind <kind>", "预算 | 决算", "预算")
    .action((department: string, o: Common & { kind: string }) =>
      run(o, async (c) => {
        const body = await getOk<{ items: HeadcountYear[] }>(c, `/departments/${encodeURIComponent(department)}/headcount`, { kind: o.kind });
        if (o.json) return void out(JSON.stringify(body) + "\n");
        const sign = (n: number | undefined): string => (n === undefined ? "" : n > 0 ? `+${n}` : String(n));
        out(
          renderTable(
            [{ header: "year" }, { header: "编制数", align: "right" }, { header: "实有人数", align: "right" }, { header: "在职", align: "right" }, { header: "claimed", align: "right" }, { header: "computed", align: "right" }, { header: "退休", align: "right" }, { header: "claimed", align: "right" }, { header: "computed", align: "right" }, { header: "离休", align: "right" }, { header: "check" }],
            body.items.map((h) => [h.year, h.establishment, h.actual, h.inService, sign(h.claimed.inService), sign(h.computed.inService), h.retired, sign(h.claimed.retired), sign(h.computed.retired), h.retiredCadre, [...h.mismatches.map((m) => `${m} change disagrees`), h.actualMismatch ? "实有≠在职+退休+离休" : ""].filter(Boolean).join("; ") || "ok"]),
          ),
        );
      }),
    );
}
