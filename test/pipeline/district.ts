// A district's worth of filings for the paging tests: every fixture PDF plus the real filings in
// /work/shared/real (when present), parsed and checked once per test process with the real parser
// and reconciliation, then written to a store with the ingest's own write protocol (body items,
// META commit marker, series). Planted on top: a re-filing that supersedes one document, a crashed
// write that never committed, and a PDF that could not be read.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseDocument } from "../../parsers/index.ts";
import { checkDocument } from "../../reconcile/index.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { Flag } from "../../reconcile/flag.ts";
import { committedRecord, documentBodyItems, failedRecord, type BodyItem, type DocumentRecord } from "../../functions/shared/documentItems.ts";
import type { DocumentStore } from "../../functions/shared/documentStore.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
export const REAL_DIR = process.env.BUDGETLENS_REAL_DIR ?? resolve(repoRoot, "../shared/real");
export const realAvailable = (): boolean => existsSync(REAL_DIR);

export interface Filing {
  file: string;
  doc: DisclosureDocument;
  flags: Flag[];
}

export interface District {
  filings: Filing[];
  /** Files the parser refused (written as FAILED records). */
  failed: { file: string; docId: string; message: string }[];
}

export function districtFiles(): string[] {
  const fixtures = readdirSync(join(repoRoot, "fixtures/pdf")).filter((f) => f.endsWith(".pdf")).map((f) => join(repoRoot, "fixtures/pdf", f));
  const real = realAvailable() ? readdirSync(REAL_DIR).filter((f) => f.toLowerCase().endsWith(".pdf")).map((f) => join(REAL_DIR, f)) : [];
  return [...fixtures.sort(), ...real.sort()];
}

let parsed: Promise<District> | undefined;

/** Parses and checks every district file once per process (two at a time: pdf.js waits a lot). */
export function loadDistrict(): Promise<District> {
  parsed ??= (async () => {
    const files = districtFiles();
    const filings: (Filing | undefined)[] = new Array(files.length);
    const failed: District["failed"] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++;
        const file = files[i]!;
        const bytes = new Uint8Array(readFileSync(file));
        try {
          const doc = await parseDocument(bytes, { fileName: basename(file) });
          filings[i] = { file, doc, flags: checkDocument(doc) };
        } catch (e) {
          const { createHash } = await import("node:crypto");
          failed.push({ file, docId: createHash("sha256").update(bytes).digest("hex"), message: (e as Error).message });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    return { filings: filings.filter((f): f is Filing => f !== undefined), failed };
  })();
  return parsed;
}

export interface Stored {
  /** Committed records by docId, as written (before supersession marks). */
  records: Map<string, DocumentRecord>;
  bodies: Map<string, BodyItem[]>;
  /** The document a planted re-filing superseded, and the re-filing. */
  superseded: string;
  refiling: string;
  /** A document whose body was written but whose META never was. */
  uncommitted: string;
  failedIds: string[];
}

const fakeId = (docId: string, tag: string): string => (tag + docId).slice(0, 64);

/** Writes the district to `store` as the ingest does (body, META last, series). */
export async function writeDistrict(store: DocumentStore, district: District): Promise<Stored> {
  const records = new Map<string, DocumentRecord>();
  const bodies = new Map<string, BodyItem[]>();
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const tick = (): string => new Date((clock += 60_000)).toISOString();
  const write = async (doc: DisclosureDocument, flags: Flag[], key: string): Promise<DocumentRecord> => {
    const body = documentBodyItems(doc, flags);
    await store.putItems(body);
    const at = tick();
    const record = committedRecord(doc, flags, { bucket: "district", key, eventTime: at }, at, body);
    await store.commit(record);
    await store.applySeries(record);
    records.set(record.docId, record);
    bodies.set(record.docId, body);
    return record;
  };
  for (const f of district.filings) await write(f.doc, f.flags, `incoming/${basename(f.file)}`);

  // A re-filing of the filing with the most flags: same department/year/kind, other bytes, later upload.
  const victim = [...district.filings].sort((a, b) => b.flags.length - a.flags.length)[0]!;
  const again = structuredClone(victim.doc);
  again.source.sha256 = fakeId(victim.doc.source.sha256, "fefe");
  const refiled = await write(again, victim.flags, `incoming/refiled-${basename(victim.file)}`);

  // A crashed write: every body item, no META.
  const crashed = structuredClone(district.filings[1]!.doc);
  crashed.source.sha256 = fakeId(crashed.source.sha256, "dead");
  await store.putItems(documentBodyItems(crashed, district.filings[1]!.flags));

  const failedIds: string[] = [];
  const planted = [{ file: "truncated.pdf", docId: "0bad".padEnd(64, "0"), message: "planted: not a PDF" }, { file: "empty.pdf", docId: "0bad".padEnd(64, "1"), message: "planted: empty" }];
  for (const f of [...district.failed, ...planted]) {
    const at = tick();
    await store.commit(failedRecord(f.docId, { bucket: "district", key: `incoming/${basename(f.file)}`, eventTime: at }, basename(f.file), 0, at, { code: "corrupt", message: f.message } as never));
    failedIds.push(f.docId);
  }
  return { records, bodies, superseded: victim.doc.source.sha256, refiling: refiled.docId, uncommitted: crashed.source.sha256, failedIds };
}
