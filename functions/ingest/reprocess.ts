// Re-processing stored documents after a parser or rules upgrade. A document is keyed by the
// SHA-256 of its bytes and parsed once at ingest; its PDF stays in S3. Re-processing fetches that
// object again, runs it through the same analysis as the ingest (parse → validate → reconcile
// against the previous year's stored filing), and replaces the document's derived items by a
// generation swap (documentStore.replaceDocument): readers see the old items or the new, never a mix.
// FAILED documents are re-processed too: a parser fix may read them now. An upload refused as too
// large (never downloaded, so its record is keyed by the object, not its bytes) is ingested again
// once the byte limit lets it in: it becomes a document of its own and the refusal record goes.
import { DEFAULT_PDF_LIMITS } from "../../parsers/pdf/limits.ts";
import type { Flag } from "../../reconcile/flag.ts";
import { alertFor } from "../shared/alerts.ts";
import {
  canonicalJson,
  checkedAgainstOf,
  committedRecord,
  documentBodyItems,
  failedRecord,
  itemsToDocument,
  type BodyItem,
  type DocumentRecord,
} from "../shared/documentItems.ts";
import { GenerationConflictError, type DocumentStore } from "../shared/documentStore.ts";
import * as K from "../shared/keys.ts";
import { PARSER_VERSION } from "../shared/parserVersion.ts";
import { sleep } from "../shared/retry.ts";
import { alertReplaced, analyse, ingestObject, recheckFollowingYear, recheckNeighbours, sha256Hex, type IngestDeps } from "./ingestObject.ts";

export interface ReprocessSelection {
  /** "stale": documents stored by another parser version than `version`; "all": every document. */
  mode: "all" | "stale";
  department?: string;
  year?: number;
  /** The version the run brings documents to (default PARSER_VERSION). */
  version?: string;
}

export type ReprocessKind =
  | "reprocessed" // committed before and after, items changed
  | "unchanged" // same items and record: only the version recorded
  | "newly_failed" // committed before, the parser now refuses it
  | "now_succeeded" // failed before, read now
  | "still_failed" // failed before and after (the failure's code or message may have changed)
  | "skipped"; // not re-processed: see `reason`

export interface ReprocessOutcome {
  docId: string;
  fileName: string;
  department?: string;
  year?: number;
  before: DocumentRecord["status"];
  after: DocumentRecord["status"];
  kind: ReprocessKind;
  reason?: string;
  /** Flags in the new result that were not in the old (multiset difference by content), and the reverse. */
  flagsAdded: number;
  flagsRemoved: number;
  /** Items written (the new generation, META excluded); 0 when unchanged or a dry run. */
  itemsWritten: number;
  itemsBefore: number;
  alerted: boolean;
  /** Items of the replaced generation deleted at once (0 while readers' grace lasts: the run's end deletes them). */
  retiredDeleted: number;
  /** An upload refused as too large, ingested now: the document it became (its refusal record is removed). */
  ingestedAs?: string;
  /** Dry run: nothing was written. */
  dryRun: boolean;
  /** Parse and check; the store's part (read the old items, write, flip, delete) is the rest of `ms`. */
  analyseMs: number;
  ms: number;
}

export interface ReprocessSummary {
  selected: number;
  reprocessed: number;
  unchanged: number;
  newlyFailed: number;
  nowSucceeded: number;
  stillFailed: number;
  skipped: number;
  flagsAdded: number;
  flagsRemoved: number;
  alerts: number;
  itemsWritten: number;
  /** Items of replaced generations deleted (at once, or at the end of the run after the readers' grace). */
  retiredItemsDeleted: number;
  outcomes: ReprocessOutcome[];
  wallMs: number;
}

export interface ReprocessOptions {
  version?: string;
  dryRun?: boolean;
  /** Called after each document. */
  onOutcome?: (o: ReprocessOutcome) => void;
  /** At the end, wait out the readers' grace and delete the retired generations (default true). */
  sweep?: boolean;
}

export const REPROCESS_SETTINGS = Object.freeze({ conflictAttempts: 3 });

/** META fields derived from the parse (compared to tell an unchanged result from a changed one). */
const DERIVED_FIELDS = ["status", "schemaVersion", "department", "year", "docType", "family", "title", "pageCount", "producer", "creator", "tableOfContents", "partial", "counts", "flagCounts", "failure", "checkError", "gsi1pk", "gsi2pk", "gsi2sk"] as const;

const derived = (r: DocumentRecord): Record<string, unknown> => Object.fromEntries(DERIVED_FIELDS.map((f) => [f, r[f]]));

/** The documents a selection names (fresh META records), oldest upload first. */
export async function selectDocuments(store: DocumentStore, sel: ReprocessSelection): Promise<DocumentRecord[]> {
  const version = sel.version ?? PARSER_VERSION;
  const ids = new Set<string>();
  if (sel.department !== undefined) {
    for (const i of await store.queryIndex(K.GSI1, "gsi1pk", K.deptGsi1Pk(sel.department), sel.year === undefined ? undefined : K.deptYearPrefix(sel.year))) ids.add(String(i.docId));
  } else {
    for (const i of await store.queryIndex(K.GSI2, "gsi2pk", K.DOCS_GSI2_PK, sel.year === undefined ? undefined : `${sel.year}#`)) ids.add(String(i.docId));
    // Failed documents have no department or year: only a selection without either names them.
    if (sel.year === undefined) for (const i of await store.queryIndex(K.GSI1, "gsi1pk", K.FAILED_GSI1_PK)) ids.add(String(i.docId));
  }
  const metas = await store.getMetas(ids);
  // Refusals (too large, never read) are not the output of any parser version: every run looks at
  // them, and they are read once the byte limit lets them in.
  return [...metas.values()]
    .filter((m) => sel.mode === "all" || m.parserVersion !== version || m.failure?.code === "too_large")
    .sort((a, b) => a.source.eventTime.localeCompare(b.source.eventTime) || a.docId.localeCompare(b.docId));
}

/** The series (SERIES# pointer, keys.ts) a record belongs to: committed, with a department and a year. */
function seriesOf(r: DocumentRecord): { department: string; year: number; docType: string } | undefined {
  return r.status === "COMMITTED" && r.department !== undefined && r.year !== undefined ? { department: r.department, year: r.year, docType: r.docType } : undefined;
}

const seriesKey = (s: { department: string; year: number; docType: string }) => K.seriesPk(s.department, s.year, s.docType);

/** Multiset difference of flags by content: how many of `a` are not matched in `b`. */
function flagsNotIn(a: readonly Flag[], b: readonly Flag[]): number {
  const pool = new Map<string, number>();
  for (const f of b) pool.set(canonicalJson(f), (pool.get(canonicalJson(f)) ?? 0) + 1);
  let n = 0;
  for (const f of a) {
    const k = canonicalJson(f);
    const left = pool.get(k) ?? 0;
    if (left > 0) pool.set(k, left - 1);
    else n += 1;
  }
  return n;
}

const bySk = (a: { sk: string }, b: { sk: string }): number => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0);

/**
 * Re-processes one stored document under its lease. The stored PDF must still hash to the
 * document's id (an object overwritten with other bytes is another document, ingested on its own).
 */
export async function reprocessDocument(meta: DocumentRecord, deps: IngestDeps, opts: ReprocessOptions = {}): Promise<ReprocessOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reprocessOnce(meta, deps, opts);
    } catch (e) {
      // A re-check of this document's flags (a neighbour's commit) flipped them meanwhile: again.
      if (!(e instanceof GenerationConflictError) || attempt >= REPROCESS_SETTINGS.conflictAttempts) throw e;
    }
  }
}

async function reprocessOnce(listed: DocumentRecord, deps: IngestDeps, opts: ReprocessOptions): Promise<ReprocessOutcome> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => undefined);
  const t0 = performance.now();
  const version = opts.version ?? PARSER_VERSION;
  const docId = listed.docId;
  const base = {
    docId,
    fileName: listed.fileName,
    department: listed.department,
    year: listed.year,
    before: listed.status,
    after: listed.status,
    flagsAdded: 0,
    flagsRemoved: 0,
    itemsWritten: 0,
    itemsBefore: listed.counts?.items ?? 1,
    alerted: false,
    retiredDeleted: 0,
    dryRun: opts.dryRun === true,
    analyseMs: 0,
  };
  const skip = (reason: string): ReprocessOutcome => ({ ...base, kind: "skipped", reason, ms: Math.round(performance.now() - t0) });

  if (!opts.dryRun && !(await waitForLease(docId, deps))) return skip("another worker holds the document's lease");
  try {
    const meta = await deps.store.getMeta(docId);
    if (!meta) return skip("no longer stored");
    // Items an earlier replacement (a re-check in the ingest function) left for its readers' grace.
    if (!opts.dryRun && meta.retiredAt) base.retiredDeleted += (await deps.store.sweepRetired(docId)).deleted;
    if (meta.failure?.code === "too_large") return await ingestRefused(meta, deps, opts, { ...base, before: meta.status }, t0);
    const fetched = await deps.source.fetch({ bucket: meta.source.bucket, key: meta.source.key, versionId: meta.source.versionId, eventTime: meta.source.eventTime });
    if (!fetched) return skip(`its PDF s3://${meta.source.bucket}/${meta.source.key} is gone`);
    if (sha256Hex(fetched.bytes) !== docId) return skip(`s3://${meta.source.bucket}/${meta.source.key} now holds other bytes (another document)`);

    const analysis = await analyse(fetched.bytes, meta.fileName, deps, log);
    const stored = meta.status === "COMMITTED" ? await deps.store.documentItems(docId) : [];
    const old = meta.status === "COMMITTED" ? itemsToDocument(meta, stored) : undefined;
    const oldItems = stored.filter((i) => !K.isDocumentControlSk(String(i.sk)));

    let next: DocumentRecord;
    let items: BodyItem[] = [];
    if (analysis.failure || !analysis.doc) {
      next = failedRecord(docId, meta.source, meta.fileName, meta.bytes, meta.ingestedAt, analysis.failure ?? { code: "parse_error", message: "no document" });
    } else {
      items = documentBodyItems(analysis.doc, analysis.flags, docId);
      next = committedRecord(analysis.doc, analysis.flags, meta.source, meta.ingestedAt, items);
      if (analysis.checkError) next.checkError = analysis.checkError;
      else next.checkedAgainst = checkedAgainstOf(analysis.previous?.meta);
    }
    next.parserVersion = version;
    const after = next.status;
    const oldFlags = old?.flags ?? [];
    const flagsAdded = flagsNotIn(analysis.flags, oldFlags);
    const flagsRemoved = flagsNotIn(oldFlags, analysis.flags);
    const sameItems = canonicalJson([...items].sort(bySk)) === canonicalJson([...oldItems].sort((a, b) => bySk(a as { sk: string }, b as { sk: string })));
    const unchanged = sameItems && canonicalJson(derived(next)) === canonicalJson(derived(meta));
    const kind: ReprocessKind = unchanged
      ? "unchanged"
      : meta.status === "COMMITTED"
        ? after === "COMMITTED"
          ? "reprocessed"
          : "newly_failed"
        : after === "COMMITTED"
          ? "now_succeeded"
          : "still_failed";
    const result = { ...base, before: meta.status, after, kind, flagsAdded, flagsRemoved, itemsBefore: oldItems.length + 1, department: next.department, year: next.year, analyseMs: analysis.parseMs + analysis.checkMs };
    if (opts.dryRun) return { ...result, ms: Math.round(performance.now() - t0) };

    if (unchanged) {
      await deps.store.setParserVersion(docId, version);
      if (meta.status === "COMMITTED") {
        // What a run stopped between a flip and its series steps left undone is done now (each step
        // is idempotent, and a re-check runs only when what the flags were checked against changed).
        await deps.store.applySeries(meta);
        await deps.store.releaseLease(docId, deps.workerId);
        await recheckNeighbours(meta, deps, now, log);
      }
      return { ...result, ms: Math.round(performance.now() - t0) };
    }
    // A document read now as another department, year or kind, or failed now, leaves its series
    // (the filing it had superseded there is current again) before its items are replaced: should
    // the run stop between the two, the next run still finds it changed and does both (leaving is
    // idempotent). The following year's filing there is re-checked after the lease is released.
    const left = seriesOf(meta);
    const joined = seriesOf(next);
    const leaving = left !== undefined && (joined === undefined || seriesKey(left) !== seriesKey(joined));
    if (leaving) await deps.store.leaveSeries(docId, left);
    const { record: updated, swept } = await deps.store.replaceDocument(meta, { ...next, reprocessedAt: now().toISOString() }, items);
    const series = updated.status === "COMMITTED" ? await deps.store.applySeries(updated) : undefined;
    let alerted = false;
    if (deps.alerts) {
      if (kind === "newly_failed") {
        const alert = alertFor(updated, []);
        if (alert) {
          await deps.alerts.publish(alert);
          await deps.store.markAlerted(docId, now().toISOString(), updated.alertedErrors ?? []);
          alerted = true;
        }
      } else if (updated.status === "COMMITTED") {
        // Only errors no earlier alert named (all of them for a document that failed before).
        alerted = await alertReplaced(docId, analysis.flags, meta.status === "COMMITTED" ? oldFlags : [], deps, now, "reprocess");
      }
    }
    log("info", "document re-processed", { docId, kind, flagsAdded, flagsRemoved, items: items.length });
    await deps.store.releaseLease(docId, deps.workerId);
    // Its neighbour of the following year was checked against the items just replaced.
    if (series?.current === docId) await recheckNeighbours(updated, deps, now, log);
    if (leaving) await recheckFollowingYear(left, deps, now, log);
    return { ...result, itemsWritten: items.length, retiredDeleted: result.retiredDeleted + swept.deleted, alerted, ms: Math.round(performance.now() - t0) };
  } finally {
    if (!opts.dryRun) await deps.store.releaseLease(docId, deps.workerId).catch(() => undefined);
  }
}

/**
 * An upload refused as too large: still over the byte limit, it stays refused (skipped, with the
 * reason); under it now, its S3 object goes through the ingest like a new upload (downloaded,
 * parsed, stored under its content's id, alerted as any document) and the refusal record is
 * removed, the outcome naming the document it became. A dry run reads it without storing.
 */
async function ingestRefused(meta: DocumentRecord, deps: IngestDeps, opts: ReprocessOptions, base: Omit<ReprocessOutcome, "kind" | "ms">, t0: number): Promise<ReprocessOutcome> {
  const maxBytes = deps.limits?.maxBytes ?? DEFAULT_PDF_LIMITS.maxBytes;
  const size = meta.source.size ?? meta.bytes;
  const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
  const done = (o: Pick<ReprocessOutcome, "kind" | "after"> & Partial<ReprocessOutcome>): ReprocessOutcome => ({ ...base, ...o, ms: Math.round(performance.now() - t0) });
  if (size > maxBytes) return done({ kind: "skipped", after: meta.status, reason: `still over the byte limit (${mb(size)} > ${mb(maxBytes)}); raise it (BUDGETLENS_MAX_BYTES) to read it` });
  const ref = { bucket: meta.source.bucket, key: meta.source.key, versionId: meta.source.versionId, eTag: meta.source.eTag, size, eventTime: meta.source.eventTime };
  if (opts.dryRun) {
    const fetched = await deps.source.fetch(ref);
    if (!fetched) return done({ kind: "skipped", after: meta.status, reason: `its PDF s3://${ref.bucket}/${ref.key} is gone` });
    const analysis = await analyse(fetched.bytes, meta.fileName, deps, deps.log ?? (() => undefined));
    const ok = !analysis.failure && analysis.doc !== undefined;
    return done({ kind: ok ? "now_succeeded" : "still_failed", after: ok ? "COMMITTED" : "FAILED", flagsAdded: analysis.flags.length, analyseMs: analysis.parseMs + analysis.checkMs, ingestedAs: sha256Hex(fetched.bytes) });
  }
  const ingested = await ingestObject(ref, deps);
  if (!ingested.docId || ingested.status === "GONE") return done({ kind: "skipped", after: meta.status, reason: `its PDF s3://${ref.bucket}/${ref.key} is gone` });
  await deps.store.removeRefusal(meta.docId);
  const stored = await deps.store.getMeta(ingested.docId);
  const after = stored?.status ?? meta.status;
  return done({
    kind: after === "COMMITTED" ? "now_succeeded" : "still_failed",
    after,
    ingestedAs: ingested.docId,
    department: stored?.department,
    year: stored?.year,
    flagsAdded: stored?.counts?.flags ?? 0,
    itemsWritten: stored?.counts?.items ?? 0,
    alerted: ingested.alerted,
    reason: `was refused as too large; ingested now as document ${ingested.docId}${ingested.status === "DUPLICATE" ? " (already stored)" : ""}`,
  });
}

async function waitForLease(docId: string, deps: IngestDeps): Promise<boolean> {
  const until = performance.now() + (deps.leaseWaitMs ?? 30_000);
  while (!(await deps.store.acquireLease(docId, deps.workerId))) {
    if (performance.now() > until) return false;
    await sleep(deps.leasePollMs ?? 500);
  }
  return true;
}

/**
 * Re-processes a selection one document at a time (oldest upload first, so a filing's previous
 * year is usually re-processed before it), then — unless told not to — waits out the readers'
 * grace and deletes the retired generations.
 */
export async function reprocessDocuments(sel: ReprocessSelection, deps: IngestDeps, opts: ReprocessOptions = {}): Promise<ReprocessSummary> {
  const t0 = performance.now();
  const version = sel.version ?? opts.version ?? PARSER_VERSION;
  const docs = await selectDocuments(deps.store, { ...sel, version });
  const outcomes: ReprocessOutcome[] = [];
  for (const meta of docs) {
    const o = await reprocessDocument(meta, deps, { ...opts, version });
    outcomes.push(o);
    opts.onOutcome?.(o);
  }
  let retiredItemsDeleted = outcomes.reduce((n, o) => n + o.retiredDeleted, 0);
  if (!opts.dryRun && opts.sweep !== false) {
    for (const o of outcomes.filter((x) => x.kind !== "unchanged" && x.kind !== "skipped")) {
      for (;;) {
        const r = await deps.store.sweepRetired(o.docId);
        retiredItemsDeleted += r.deleted;
        if (!r.deferred) break;
        await sleep(Math.min(r.waitMs + 10, 60_000));
      }
    }
  }
  const count = (k: ReprocessKind) => outcomes.filter((o) => o.kind === k).length;
  return {
    selected: docs.length,
    reprocessed: count("reprocessed"),
    unchanged: count("unchanged"),
    newlyFailed: count("newly_failed"),
    nowSucceeded: count("now_succeeded"),
    stillFailed: count("still_failed"),
    skipped: count("skipped"),
    flagsAdded: outcomes.reduce((n, o) => n + o.flagsAdded, 0),
    flagsRemoved: outcomes.reduce((n, o) => n + o.flagsRemoved, 0),
    alerts: outcomes.filter((o) => o.alerted).length,
    itemsWritten: outcomes.reduce((n, o) => n + o.itemsWritten, 0),
    retiredItemsDeleted,
    outcomes,
    wallMs: Math.round(performance.now() - t0),
  };
}
