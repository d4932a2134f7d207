// A district over several years, for the flags summary and flags page tests: the paging tests'
// district (every fixture + the real filings when present, parsed and checked by the real parser and
// rules, planted re-filing / crashed write / failed PDFs: test/pipeline/district.ts), plus each filing
// again for YEARS_BACK earlier years (other bytes, same department, kind and flags) — thousands of
// flags across departments and years. Earlier-year copies are written as the ingest writes a
// document (series, META last) but with their flag items only: the counts and lists read nothing else.
// Where a copy lands on a department/year/kind that already has a filing, the later upload supersedes
// the earlier one, as in the store. Then RECHECKED of the served filings with the most flags get new
// flags (every other one of their flags dropped) as an across-years re-check replaces them: a new
// generation of flag items, META flipped; the replaced generation stays in the index (swept later).
import { ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { committedRecord, documentBodyItems, flagItems, type DocumentRecord, type FlagItem } from "../../functions/shared/documentItems.ts";
import { parseGenerationSk } from "../../functions/shared/keys.ts";
import type { DocumentStore } from "../../functions/shared/documentStore.ts";
import { loadDistrict, writeDistrict, type District, type Stored } from "../pipeline/district.ts";

export const YEARS_BACK = 10;
export const RECHECKED = 3;

export interface DistrictYears {
  district: District;
  stored: Stored;
  /** Earlier-year copies written (docIds). */
  copies: string[];
  /** Documents whose flags were replaced by a re-check (a second generation of flags). */
  rechecked: string[];
}

const copyId = (docId: string, k: number): string => `c0${k}${docId}`.slice(0, 64);

export async function writeDistrictYears(store: DocumentStore): Promise<DistrictYears> {
  const district = await loadDistrict();
  const stored = await writeDistrict(store, district);
  let clock = Date.parse("2026-03-01T00:00:00Z");
  const copies: string[] = [];
  const filingOf = new Map(district.filings.map((f) => [f.doc.source.sha256, f]));
  for (let k = 1; k <= YEARS_BACK; k++) {
    for (const f of district.filings) {
      if (f.doc.meta.year === undefined) continue;
      const doc = structuredClone(f.doc);
      doc.meta.year = f.doc.meta.year - k;
      doc.source.sha256 = copyId(f.doc.source.sha256, k);
      const body = documentBodyItems(doc, f.flags);
      await store.putItems(body.filter((i) => i.entity === "Flag"));
      const at = new Date((clock += 60_000)).toISOString();
      const record = committedRecord(doc, f.flags, { bucket: "district", key: `incoming/y-${k}-${f.file.split("/").at(-1)}`, eventTime: at }, at, body);
      await store.commit(record);
      await store.applySeries(record);
      copies.push(record.docId);
      filingOf.set(record.docId, f);
    }
  }
  const rechecked: string[] = [];
  const served = [...(await store.getMetas([...stored.records.keys(), ...copies])).values()].filter((m) => m.status === "COMMITTED" && !m.supersededBy);
  for (const meta of served.sort((a, b) => (b.counts?.flags ?? 0) - (a.counts?.flags ?? 0)).slice(0, RECHECKED)) {
    const filing = filingOf.get(meta.docId);
    if (!filing) continue;
    const doc = { meta: { ...filing.doc.meta, year: meta.year } };
    await store.replaceFlags(meta, flagItems(doc, filing.flags.filter((_f, i) => i % 2 === 0), meta.docId), new Date((clock += 60_000)).toISOString());
    rechecked.push(meta.docId);
  }
  return { district, stored, copies, rechecked };
}

/** Every stored flag and META record, read with a plain Scan of the table: no query code involved. */
export async function scanStored(client: DynamoDBDocumentClient, tableName: string): Promise<{ flags: FlagItem[]; metas: Map<string, DocumentRecord> }> {
  const flags: FlagItem[] = [];
  const metas = new Map<string, DocumentRecord>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const i of out.Items ?? []) {
      if (i.entity === "Flag") flags.push(i as FlagItem);
      else if (i.sk === "META") metas.set(String(i.docId), i as DocumentRecord);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { flags, metas };
}

export interface Filters {
  severity?: string;
  rule?: string;
  year?: number;
  kind?: string;
  department?: string;
  includeSuperseded?: boolean;
}

/** The stored flags a query's filters select, by the rules written down independently of the query code. */
export function selectFlags(all: { flags: FlagItem[]; metas: Map<string, DocumentRecord> }, f: Filters): FlagItem[] {
  return all.flags.filter((x) => {
    const meta = all.metas.get(x.docId);
    if (meta?.status !== "COMMITTED") return false;
    // The flags of the generation META names (a re-check's replaced flags wait in the table to be swept).
    if (parseGenerationSk(x.sk).generation !== (meta.flagGeneration ?? 0)) return false;
    if (meta.supersededBy && !f.includeSuperseded) return false;
    if (f.kind !== undefined && meta.docType !== f.kind) return false;
    if (f.severity !== undefined && x.severity !== f.severity) return false;
    if (f.rule !== undefined && x.rule !== f.rule && !x.rule.startsWith(`${f.rule}.`)) return false;
    if (f.year !== undefined && x.year !== f.year) return false;
    if (f.department !== undefined && x.department !== f.department) return false;
    return true;
  });
}

type Counts = { error: number; warning: number; info: number; all: number };

/** The summary a set of flags should have, in the API's shape (rows as maps for order-free comparison). */
export function countFlags(flags: FlagItem[], withYears: boolean): { total: number; bySeverity: Counts; byRule: Record<string, Counts>; byDepartment: Record<string, Counts>; byYear?: Record<string, Counts> } {
  const zero = (): Counts => ({ error: 0, warning: 0, info: 0, all: 0 });
  const bySeverity = zero();
  const byRule: Record<string, Counts> = {};
  const byDepartment: Record<string, Counts> = {};
  const byYear: Record<string, Counts> = {};
  for (const x of flags) {
    for (const c of [bySeverity, (byRule[x.rule] ??= zero()), (byDepartment[x.department] ??= zero()), ...(withYears ? [(byYear[String(x.year ?? null)] ??= zero())] : [])]) {
      c[x.severity] += 1;
      c.all += 1;
    }
  }
  return { total: flags.length, bySeverity, byRule, byDepartment, ...(withYears ? { byYear } : {}) };
}

/** An API summary in countFlags' shape. */
export function summaryAsMaps(s: {
  total: number;
  bySeverity: Counts;
  byRule: ({ rule: string } & Counts)[];
  byDepartment: ({ department: string } & Counts)[];
  byYear?: ({ year: number | null } & Counts)[];
}): ReturnType<typeof countFlags> {
  const strip = <T extends Counts>(r: T): Counts => ({ error: r.error, warning: r.warning, info: r.info, all: r.all });
  return {
    total: s.total,
    bySeverity: s.bySeverity,
    byRule: Object.fromEntries(s.byRule.map((r) => [r.rule, strip(r)])),
    byDepartment: Object.fromEntries(s.byDepartment.map((r) => [r.department, strip(r)])),
    ...(s.byYear ? { byYear: Object.fromEntries(s.byYear.map((r) => [String(r.year), strip(r)])) } : {}),
  };
}
