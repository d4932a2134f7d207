// Ingest of one S3 object: fetch → SHA-256 → parse → validate (zod) → reconcile → write → commit → alert.
// Decides what is permanent (a bad PDF: FAILED record + alert, message acknowledged) and what is
// transient (AWS errors, lease held elsewhere: thrown, so SQS redelivers and finally dead-letters).
import { createHash } from "node:crypto";
import { DEFAULT_PDF_LIMITS, type PdfLimits } from "../../parsers/pdf/limits.ts";
import { DisclosureDocument } from "../../parsers/model.ts";
import { Flag } from "../../reconcile/flag.ts";
import type { ParseOptions } from "../../parsers/index.ts";
import type { CheckOptions } from "../../reconcile/index.ts";
import {
  canonicalJson,
  checkedAgainstOf,
  committedRecord,
  departmentOf,
  documentBodyItems,
  failedRecord,
  flagItems,
  itemsToDocument,
  type DocumentRecord,
  type FailureInfo,
} from "../shared/documentItems.ts";
import { GenerationConflictError, type DocumentStore } from "../shared/documentStore.ts";
import { alertDue, alertFor, errorKey, newErrorsAlert, type AlertPublisher } from "../shared/alerts.ts";
import type { S3ObjectRef, S3Source } from "../shared/s3Source.ts";
import { RetryableError, sleep } from "../shared/retry.ts";
import type { RetiredSweeper } from "./retiredSweeper.ts";

export interface IngestDeps {
  source: Pick<S3Source, "fetch">;
  store: DocumentStore;
  alerts?: Pick<AlertPublisher, "publish">;
  /** parseDocument or a runner of it; may take the bytes over (the worker runner transfers them: `bytes` is empty afterwards). */
  parse: (bytes: Uint8Array, opts: ParseOptions) => Promise<DisclosureDocument>;
  check: (doc: DisclosureDocument, opts?: CheckOptions) => Flag[];
  /** Identifies this worker in the document lease (e.g. the Lambda request id). */
  workerId: string;
  now?: () => Date;
  /** Milliseconds left in this invocation (Lambda context); bounds the parse, see withinBudget. */
  remainingMs?: () => number;
  /** How long to wait for another worker writing the same document before letting SQS retry (default 30 s). */
  leaseWaitMs?: number;
  leasePollMs?: number;
  log?: (level: "info" | "warn" | "error", message: string, data: Record<string, unknown>) => void;
  /** PDF limits (bytes, pages, time per page); the defaults are DEFAULT_PDF_LIMITS. */
  limits?: Partial<PdfLimits>;
  /** Deletes flag generations a re-check replaced, once the readers' grace has passed (retiredSweeper.ts). */
  sweeper?: RetiredSweeper;
}

export type IngestStatus = "COMMITTED" | "FAILED" | "DUPLICATE" | "GONE";

export interface IngestOutcome {
  status: IngestStatus;
  bucket: string;
  key: string;
  docId?: string;
  /** For DUPLICATE: the status of the stored record. */
  storedStatus?: DocumentRecord["status"];
  department?: string;
  year?: number;
  docType?: string;
  tables?: number;
  rows?: number;
  cells?: number;
  items?: number;
  flagCounts?: DocumentRecord["flagCounts"];
  failure?: FailureInfo;
  supersedes?: string;
  supersededBy?: string;
  alerted: boolean;
  timings: { fetchMs: number; parseMs: number; checkMs: number; writeMs: number; totalMs: number };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The failure an exception from the parser / validation stands for. */
export function failureOf(e: unknown): FailureInfo {
  const err = e as { name?: string; code?: unknown; message?: string; issues?: unknown };
  // Typed parser failures (PdfError: corrupt, encrypted, no_text_layer …; NotADisclosureError: not_budget).
  if ((err?.name === "PdfError" || err?.name === "NotADisclosureError") && typeof err.code === "string") {
    return { code: err.code, message: err.message ?? err.code };
  }
  if (err?.name === "ZodError") return { code: "invalid_model", message: `parser output failed validation: ${err.message ?? ""}`.slice(0, 2000) };
  return { code: "parse_error", message: String(err?.message ?? e).slice(0, 2000) };
}

/** A parsed "document" with no table and no recognised type is not a budget disclosure. */
export function notADisclosure(doc: DisclosureDocument): FailureInfo | undefined {
  if (doc.tables.length > 0 || doc.meta.docType !== "unknown") return undefined;
  return { code: "not_budget", message: "no budget tables and no 预算/决算 title found: not a budget disclosure" };
}

const ms = (t0: number): number => Math.round(performance.now() - t0);

/** Time kept back from the parse for reconciling, writing and alerting before the invocation ends. */
export const INGEST_SETTINGS = Object.freeze({ reserveAfterParseMs: 30_000, minParseBudgetMs: 1_000 });

class ParseTimeout extends Error {
  readonly code = "timeout";
  constructor(budgetMs: number) {
    super(`parsing did not finish within ${Math.round(budgetMs / 1000)} s (the time this invocation had left): too large or too complex for one run`);
    this.name = "PdfError";
  }
}

function parseBudgetMs(deps: IngestDeps): number | undefined {
  const remaining = deps.remainingMs?.();
  if (remaining === undefined) return undefined;
  return Math.max(INGEST_SETTINGS.minParseBudgetMs, remaining - INGEST_SETTINGS.reserveAfterParseMs);
}

/**
 * A parse that would outlive the invocation is recorded as FAILED (timeout) instead of being killed
 * with the Lambda — which would redeliver the same bytes into the same timeout until the DLQ.
 */
async function withinBudget<T>(start: (signal: AbortSignal) => Promise<T>, budgetMs: number | undefined): Promise<T> {
  const controller = new AbortController();
  if (budgetMs === undefined) return start(controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = new ParseTimeout(budgetMs);
      controller.abort(reason); // the parser stops at its next page instead of running on in the background
      reject(reason);
    }, budgetMs);
  });
  try {
    return await Promise.race([start(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function ingestObject(ref: S3ObjectRef, deps: IngestDeps): Promise<IngestOutcome> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => undefined);
  const t0 = performance.now();
  const timings = { fetchMs: 0, parseMs: 0, checkMs: 0, writeMs: 0, totalMs: 0 };
  const base = { bucket: ref.bucket, key: ref.key, alerted: false, timings };

  const maxBytes = deps.limits?.maxBytes ?? DEFAULT_PDF_LIMITS.maxBytes;
  if (ref.size !== undefined && ref.size > maxBytes) return refuseOversized(ref, maxBytes, deps, base, t0);

  const fetched = await deps.source.fetch(ref);
  timings.fetchMs = ms(t0);
  if (!fetched) {
    // Deleted before we got to it: nothing to keep, nothing to retry.
    log("warn", "object gone before ingest", { bucket: ref.bucket, key: ref.key });
    timings.totalMs = ms(t0);
    return { ...base, status: "GONE" };
  }
  const bytes = fetched.bytes;
  const docId = sha256Hex(bytes);
  const source = { bucket: ref.bucket, key: ref.key, versionId: fetched.versionId ?? ref.versionId, eTag: ref.eTag, size: bytes.length, eventTime: ref.eventTime };
  const fileName = ref.key.split("/").at(-1) ?? ref.key;

  const duplicate = async (existing: DocumentRecord): Promise<IngestOutcome> => {
    // Same bytes again (duplicate event, re-upload): one copy. Finish what a crashed run may have left.
    const series = await deps.store.applySeries(existing);
    let alerted = false;
    if (deps.alerts && !existing.alertedAt && alertDue(existing)) {
      // The writer keeps the document's lease until its alert is out: holding the lease is the
      // right to publish, so two workers never both send it. If the holder does not let go in
      // time (it crashed; its lease expires), SQS brings this message back later.
      if (!(await waitForLease())) throw new RetryableError(`the alert of ${docId} is held by another worker`);
      try {
        alerted = await alertOnce((await deps.store.getMeta(docId)) ?? existing, deps, now);
      } finally {
        await deps.store.releaseLease(docId, deps.workerId);
      }
    }
    // A run that crashed after its commit may not have re-checked its neighbours yet.
    if (series.current === docId) await recheckNeighbours(existing, deps, now, log);
    timings.totalMs = ms(t0);
    return { ...base, status: "DUPLICATE", docId, storedStatus: existing.status, alerted, supersededBy: series.current !== docId ? series.current : undefined };
  };
  // S3 may deliver the same event twice at once: wait a little for the other writer rather than
  // bouncing the message (a retry would find the committed document); give up to SQS after that.
  async function waitForLease(onPoll?: () => Promise<boolean>): Promise<boolean> {
    const waitUntil = performance.now() + (deps.leaseWaitMs ?? 30_000);
    while (!(await deps.store.acquireLease(docId, deps.workerId))) {
      if (performance.now() > waitUntil) return false;
      await sleep(deps.leasePollMs ?? 500);
      if (onPoll && (await onPoll())) return false;
    }
    return true;
  }

  const existing = await deps.store.getMeta(docId);
  if (existing) return duplicate(existing);

  let committedMeanwhile: DocumentRecord | undefined;
  const leased = await waitForLease(async () => (committedMeanwhile = await deps.store.getMeta(docId)) !== undefined);
  if (committedMeanwhile) return duplicate(committedMeanwhile);
  if (!leased) throw new RetryableError(`document ${docId} is being written by another worker`);
  try {
    const leftovers = await deps.store.deleteUncommittedBody(docId);
    if (leftovers > 0) log("warn", "removed items of an interrupted earlier attempt", { docId, leftovers });

    const ingestedAt = now().toISOString();
    const analysis = await analyse(bytes, fileName, deps, log);
    const { doc, failure } = analysis;
    timings.parseMs = analysis.parseMs;
    timings.checkMs = analysis.checkMs;

    if (failure || !doc) {
      const record = failedRecord(docId, source, fileName, source.size, ingestedAt, failure ?? { code: "parse_error", message: "no document" });
      const tw = performance.now();
      await deps.store.commit(record);
      timings.writeMs = ms(tw);
      log("warn", "document failed", { outcome: "FAILED", docId, key: ref.key, failure: record.failure });
      const alerted = await alertOnce(record, deps, now);
      await deps.store.releaseLease(docId, deps.workerId);
      timings.totalMs = ms(t0);
      return { ...base, status: "FAILED", docId, failure: record.failure, items: 1, alerted };
    }

    const { flags, checkError, previous } = analysis;
    const tw = performance.now();
    const body = documentBodyItems(doc, flags, docId);
    await deps.store.putItems(body);
    const record = committedRecord(doc, flags, source, ingestedAt, body);
    if (checkError) record.checkError = checkError;
    else record.checkedAgainst = checkedAgainstOf(previous?.meta);
    await deps.store.commit(record);
    const series = await deps.store.applySeries(record);
    timings.writeMs = ms(tw);
    const alerted = await alertOnce(record, deps, now, flags);
    await deps.store.releaseLease(docId, deps.workerId);
    if (series.current === docId) await recheckNeighbours(record, deps, now, log);
    timings.totalMs = ms(t0);
    log("info", "document stored", { outcome: "COMMITTED", docId, key: ref.key, items: body.length + 1, flagCounts: record.flagCounts, timings });
    return {
      ...base,
      status: "COMMITTED",
      docId,
      department: record.department,
      year: record.year,
      docType: record.docType,
      tables: record.counts?.tables,
      rows: record.counts?.rows,
      cells: record.counts?.cells,
      items: record.counts?.items,
      flagCounts: record.flagCounts,
      supersedes: series.current === docId ? series.superseded : undefined,
      supersededBy: series.current !== docId ? series.current : undefined,
      alerted,
    };
  } catch (e) {
    // Leave the lease to expire only if releasing fails too; a retry by this worker id can take it again.
    await deps.store.releaseLease(docId, deps.workerId).catch(() => undefined);
    throw e;
  }
}

/** What the parser and the checker made of a PDF's bytes (shared by ingest and re-processing). */
export interface Analysis {
  doc?: DisclosureDocument;
  /** Set when the bytes are not a readable disclosure (the document is stored FAILED). */
  failure?: FailureInfo;
  flags: Flag[];
  /** Reconciliation threw: stored without flags. */
  checkError?: string;
  /** The previous year's stored filing the flags were checked against. */
  previous?: { document: DisclosureDocument; meta: DocumentRecord };
  parseMs: number;
  checkMs: number;
}

/** Parse (within the invocation's budget), validate, recognise a non-disclosure, check against the previous year. */
export async function analyse(bytes: Uint8Array, fileName: string, deps: IngestDeps, log: NonNullable<IngestDeps["log"]>): Promise<Analysis> {
  let doc: DisclosureDocument | undefined;
  let failure: FailureInfo | undefined;
  const tp = performance.now();
  try {
    doc = DisclosureDocument.parse(await withinBudget((signal) => deps.parse(bytes, { fileName, signal, ...(deps.limits ? { limits: deps.limits } : {}) }), parseBudgetMs(deps)));
    failure = notADisclosure(doc);
  } catch (e) {
    failure = failureOf(e);
  }
  const parseMs = ms(tp);
  if (failure || !doc) return { failure: failure ?? { code: "parse_error", message: "no document" }, flags: [], parseMs, checkMs: 0 };

  const tc = performance.now();
  let flags: Flag[] = [];
  let checkError: string | undefined;
  let previous: Analysis["previous"];
  try {
    previous = await loadPrevious(doc, deps.store, log);
    flags = Flag.array().parse(deps.check(doc, previous ? { previous: previous.document } : {}));
  } catch (e) {
    if (e instanceof RetryableError) throw e;
    checkError = String((e as Error)?.message ?? e).slice(0, 2000);
    log("error", "reconciliation failed; storing the document without flags", { docId: doc.source.sha256, checkError });
  }
  return { doc, flags, checkError, previous, parseMs, checkMs: ms(tc) };
}

/** The errorKeys of a document's error flags. */
export const errorKeys = (flags: readonly Flag[]): string[] => flags.filter((f) => f.severity === "error").map(errorKey);

/**
 * Publishes the document's alert unless it was published already (at-least-once across
 * redeliveries). Callers hold the document's lease, so concurrent workers do not both publish.
 */
async function alertOnce(record: DocumentRecord, deps: IngestDeps, now: () => Date, flags?: readonly Flag[]): Promise<boolean> {
  if (!deps.alerts || record.alertedAt) return false;
  let allFlags = flags;
  if (allFlags === undefined && record.status === "COMMITTED" && (record.flagCounts?.error ?? 0) > 0) {
    allFlags = (await deps.store.documentItems(record.docId, "FLAG#")).map((f) => Flag.parse(f));
  }
  const alert = alertFor(record, allFlags ?? []);
  if (!alert) return false;
  await deps.alerts.publish(alert);
  await deps.store.markAlerted(record.docId, now().toISOString(), errorKeys(allFlags ?? []));
  return true;
}

/**
 * The alert for a stored document whose flags were replaced (re-check, re-processing): the full
 * alert if none was sent yet, else one naming only the errors no earlier alert named (none: no
 * alert). `before` are the flags replaced: for a document alerted before alerts recorded their
 * errors, they stand for what was sent. Callers hold the document's lease.
 */
export async function alertReplaced(docId: string, flags: readonly Flag[], before: readonly Flag[], deps: Pick<IngestDeps, "alerts" | "store">, now: () => Date, reason: "recheck" | "reprocess"): Promise<boolean> {
  if (!deps.alerts) return false;
  const record = await deps.store.getMeta(docId);
  if (!record) return false;
  if (!record.alertedAt) return alertOnce(record, deps as IngestDeps, now, flags);
  const sent = record.alertedErrors ?? errorKeys(before);
  const alert = newErrorsAlert(record, flags, sent, reason);
  if (!alert) return false;
  await deps.alerts.publish(alert);
  await deps.store.markAlerted(docId, now().toISOString(), [...sent, ...errorKeys(flags)]);
  return true;
}

/**
 * Filings arrive in any order, and workers run side by side: a filing may be checked before its
 * previous year's filing is stored (no years.* checks then). After a commit, the writer looks again
 * (strongly consistent reads, after its own writes): the following year's current filing is
 * re-checked against this one, and this one against its previous year's current filing if that is
 * not the one it was checked with. Of two filings committed at once, at least one sees the other.
 * Same stored flags whatever order a district's filings arrive in.
 * What a filing was checked against is on its META (checkedAgainst: the previous filing's id and
 * generation): while it still names the current previous filing, nothing is loaded or re-checked —
 * a duplicate delivery costs four small reads.
 */
export async function recheckNeighbours(record: DocumentRecord, deps: IngestDeps, now: () => Date, log: NonNullable<IngestDeps["log"]>): Promise<void> {
  if (record.status !== "COMMITTED" || record.year === undefined || record.department === undefined) return;
  const previous = await deps.store.getSeriesCurrent(record.department, record.year - 1, record.docType, true);
  if (previous) {
    const previousMeta = await deps.store.getMeta(previous.docId);
    const against = checkedAgainstOf(previousMeta?.status === "COMMITTED" ? previousMeta : undefined);
    if (record.checkedAgainst !== against) await recheckAgainstPreviousYear(record.docId, deps, now, log);
  }
  await recheckNextYear({ department: record.department, year: record.year, docType: record.docType }, record, deps, now, log);
}

/**
 * After a filing left the series `left` (re-processing read it as another department, year or kind,
 * or failed it): the following year's current filing there was checked against it, so it is checked
 * again against the series' current filing now, or with no previous year when none is left.
 */
export async function recheckFollowingYear(left: { department: string; year: number; docType: string }, deps: IngestDeps, now: () => Date, log: NonNullable<IngestDeps["log"]>): Promise<void> {
  const current = await deps.store.getSeriesCurrent(left.department, left.year, left.docType, true);
  const currentMeta = current ? await deps.store.getMeta(current.docId) : undefined;
  if (current && currentMeta?.status !== "COMMITTED") return;
  await recheckNextYear(left, currentMeta, deps, now, log);
}

/** Re-checks the current filing of the year after `series` when it was not checked against `previous` (undefined: no previous filing). */
async function recheckNextYear(series: { department: string; year: number; docType: string }, previous: DocumentRecord | undefined, deps: IngestDeps, now: () => Date, log: NonNullable<IngestDeps["log"]>): Promise<void> {
  const next = await deps.store.getSeriesCurrent(series.department, series.year + 1, series.docType, true);
  const nextMeta = next ? await deps.store.getMeta(next.docId) : undefined;
  if (nextMeta?.status === "COMMITTED" && nextMeta.checkedAgainst !== checkedAgainstOf(previous)) await recheckAgainstPreviousYear(nextMeta.docId, deps, now, log);
}

export const RECHECK_SETTINGS = Object.freeze({ conflictAttempts: 3 });

/**
 * Checks a stored filing again with its previous year's current filing and replaces its flags (a
 * generation swap: old flags and counts or new, never a mix) if they change. New errors are alerted:
 * the document's first alert, or one with only the errors no earlier alert named.
 */
async function recheckAgainstPreviousYear(docId: string, deps: IngestDeps, now: () => Date, log: NonNullable<IngestDeps["log"]>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await recheckOnce(docId, deps, now, log);
      return;
    } catch (e) {
      if (!(e instanceof GenerationConflictError) || attempt >= RECHECK_SETTINGS.conflictAttempts) throw e;
      log("info", "flags replaced by another writer meanwhile; checking again", { docId, attempt });
    }
  }
}

async function recheckOnce(docId: string, deps: IngestDeps, now: () => Date, log: NonNullable<IngestDeps["log"]>): Promise<void> {
  const meta = await deps.store.getMeta(docId);
  if (meta?.status !== "COMMITTED" || meta.year === undefined || meta.department === undefined) return;
  const pointer = await deps.store.getSeriesCurrent(meta.department, meta.year - 1, meta.docType, true);
  const previousMeta = pointer ? await deps.store.getMeta(pointer.docId) : undefined;
  // A previous filing that is not (or no longer) committed: leave the flags until it settles. No
  // previous filing at all (its series was left empty): the flags without the across-years checks.
  if (pointer && previousMeta?.status !== "COMMITTED") return;
  const against = checkedAgainstOf(previousMeta);
  const previous = previousMeta ? itemsToDocument(previousMeta, await deps.store.documentItems(previousMeta.docId)).document : undefined;
  const stored = itemsToDocument(meta, await deps.store.documentItems(meta.docId));
  let flags: Flag[];
  try {
    flags = Flag.array().parse(deps.check(stored.document, previous ? { previous } : {}));
  } catch (e) {
    log("error", "re-check against the previous year failed; the flags are kept", { docId, error: String(e) });
    return;
  }
  if (canonicalJson(flags) === canonicalJson(stored.flags)) {
    if (meta.checkedAgainst !== against) await deps.store.setCheckedAgainst(docId, against);
    return;
  }
  const updated = await deps.store.replaceFlags(meta, flagItems(stored.document, flags, docId), now().toISOString(), { checkedAgainst: against });
  if (deps.store.retireGraceMs > 0) deps.sweeper?.note(docId, deps.store.retireGraceMs);
  log("info", "flags replaced after a re-check against the previous year's filing", { docId, previous: previousMeta?.docId ?? null, flagCounts: updated.flagCounts });
  if (deps.alerts && (alertDue(updated) || flags.some((f) => f.severity === "error"))) {
    // Under the document's lease, like every alert (two workers never both send it).
    if (await deps.store.acquireLease(docId, deps.workerId)) {
      try {
        await alertReplaced(docId, flags, stored.flags, deps, now, "recheck");
      } finally {
        await deps.store.releaseLease(docId, deps.workerId);
      }
    } else log("warn", "re-check alert skipped: the document's lease is held by another worker", { docId });
  }
}

/** The stored current filing of the same department and type for the year before, if any. */
async function loadPrevious(
  doc: DisclosureDocument,
  store: DocumentStore,
  log: NonNullable<IngestDeps["log"]>,
): Promise<{ document: DisclosureDocument; meta: DocumentRecord } | undefined> {
  const department = departmentOf(doc);
  if (doc.meta.year === undefined || doc.meta.department === undefined) return undefined;
  const pointer = await store.getSeriesCurrent(department, doc.meta.year - 1, doc.meta.docType);
  // Re-processing may read a stored filing as the next year's: never compare it with itself.
  if (!pointer || pointer.docId === doc.source.sha256) return undefined;
  const meta = await store.getMeta(pointer.docId);
  if (meta?.status !== "COMMITTED") return undefined;
  try {
    return { document: itemsToDocument(meta, await store.documentItems(pointer.docId)).document, meta };
  } catch (e) {
    log("warn", "previous year's document could not be loaded", { docId: pointer.docId, error: String(e) });
    return undefined;
  }
}

/**
 * An upload over the byte limit is refused from the size in its S3 event, before a byte is
 * downloaded (a multi-GB body would exhaust the function's memory and never be recorded). Its bytes
 * are unknown, so its document id hashes the object's identity instead of its content.
 */
async function refuseOversized(ref: S3ObjectRef, maxBytes: number, deps: IngestDeps, base: Pick<IngestOutcome, "bucket" | "key" | "alerted" | "timings">, t0: number): Promise<IngestOutcome> {
  const now = deps.now ?? (() => new Date());
  const docId = sha256Hex(new TextEncoder().encode(`oversized:${ref.bucket}/${ref.key}@${ref.versionId ?? ref.eTag ?? ""}`));
  const existing = await deps.store.getMeta(docId);
  if (existing) return { ...base, status: "DUPLICATE", docId, storedStatus: existing.status, alerted: false };
  const size = ref.size ?? 0;
  const fileName = ref.key.split("/").at(-1) ?? ref.key;
  const source = { bucket: ref.bucket, key: ref.key, versionId: ref.versionId, eTag: ref.eTag, size, eventTime: ref.eventTime };
  const failure = { code: "too_large", message: `The file is ${Math.round(size / 1024 / 1024)} MB, over the limit of ${Math.round(maxBytes / 1024 / 1024)} MB for one PDF; it was not downloaded.` };
  const record = failedRecord(docId, source, fileName, size, now().toISOString(), failure);
  await deps.store.commit(record);
  deps.log?.("warn", "document failed", { outcome: "FAILED", docId, key: ref.key, failure });
  const alerted = await alertOnce(record, deps, now);
  base.timings.totalMs = ms(t0);
  return { ...base, status: "FAILED", docId, failure: record.failure, items: 1, alerted };
}
