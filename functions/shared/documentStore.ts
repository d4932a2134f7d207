// The storage adapter: documents in the single DynamoDB table (key design in keys.ts).
// Write protocol, without transactions (dynalite has none):
//   1. lease   conditional put of DOC#id/LEASE so one worker at a time writes a document
//   2. clean   delete items a crashed earlier attempt may have left (never visible: no META)
//   3. body    BatchWriteItem tables/rows/flags/amounts/narrative, UnprocessedItems retried with backoff
//   4. commit  conditional put of DOC#id/META — from here on the document is served
//   5. series  move the SERIES pointer, mark the older document SUPERSEDED (idempotent, repairable)
// Replacing a committed document's items (re-processing, flags re-checked) goes through generations
// (keys.ts): new items under a new generation's keys, one conditional update of META flips the
// pointers, the retired generation is deleted once no reader can still be reading it (retireGraceMs).
// Every read here returns the generation META names, with the logical sort keys: old or new, never a mix.
import { AsyncLocalStorage } from "node:async_hooks";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import * as K from "./keys.ts";
import { countSeverities, generationsOf, isCurrentGeneration, type BodyItem, type DocumentRecord, type FlagItem } from "./documentItems.ts";
import { InvalidCursorError, type StartKey } from "./pageCursor.ts";
import { backoffDelay, DEFAULT_RETRY, RetryableError, sleep, type RetrySettings } from "./retry.ts";

export const LEASE_SK = "LEASE";

export interface DocumentStoreOptions {
  tableName: string;
  client: DynamoDBDocumentClient;
  retry?: RetrySettings;
  /** How long a writer's lease on a document lasts; at least the ingest function's timeout. */
  leaseSeconds?: number;
  now?: () => Date;
  /**
   * How long a replaced generation's items stay after the flip: a reader that read META just before
   * it may still be querying them. At least the longest read (the query function's timeout).
   */
  retireGraceMs?: number;
  /**
   * How long documentItems may take a document's generations from a META record this store read
   * before (e.g. the reader's own commit check just now) instead of reading META again. Safe while
   * far below retireGraceMs: a generation META named that recently is still stored whole. Default
   * min(1 s, retireGraceMs / 10); 0 = always read.
   */
  metaReuseMs?: number;
}

/** Defaults of the generation swap. */
export const GENERATION_SETTINGS = Object.freeze({
  retireGraceMs: 60_000,
  metaReuseMs: 1_000,
  recentMetas: 1_000,
  /**
   * A documentItems read that took longer than this (or than the store's own grace, if shorter)
   * checks that META still names what it read: the grace of the writer that retires a generation
   * may be shorter than this reader's (`reprocess --grace-seconds`), and sweepers on other hosts
   * run on their own clocks. A read normally takes a few milliseconds.
   */
  slowReadMs: 1_000,
  slowReadAttempts: 3,
});

/** META fields a replacement of the document keeps as they are (identity, history, alert state, generations). */
const KEPT_ON_REPLACE = new Set(["pk", "sk", "docId", "source", "ingestedAt", "supersededBy", "supersedes", "alertedAt", "alertedErrors", "lastGeneration", "generation", "flagGeneration", "retiredAt"]);

/** A replacement lost a race: META's generations changed since the caller read them. */
export class GenerationConflictError extends Error {
  constructor(docId: string) {
    super(`document ${docId} was replaced by another writer meanwhile`);
    this.name = "GenerationConflictError";
  }
}

/** What sweepRetired did. */
export interface SweepResult {
  deleted: number;
  /** The grace after the last flip has not passed: nothing deleted yet; retry after `waitMs`. */
  deferred: boolean;
  waitMs: number;
}

export interface WriteStats {
  items: number;
  batches: number;
  unprocessedRetries: number;
}

export interface SeriesPointer {
  docId: string;
  eventTime: string;
  previousDocId?: string;
}

type Item = Record<string, unknown>;

export { InvalidCursorError } from "./pageCursor.ts";

/** How one page of a partition is read (queryPartitionPage). */
export interface PartitionPageOptions {
  /** Items kept for the page (Infinity: until the partition ends or the budget is spent). */
  limit: number;
  start?: StartKey;
  budget: ReadBudget;
  /** Drops items after the read (e.g. documents not committed). */
  keep?: (items: Item[]) => Promise<Item[]>;
  /**
   * Only these attributes of each item (a ProjectionExpression and its #names; no #pk/#sk/#key…
   * placeholders): it must name `docId`, which the generation filter reads. The key attributes are
   * added. Items come back with only these.
   */
  projection?: { expression: string; names: Record<string, string> };
  /** META records already read by the caller, shared with getMetas during the page (and filled by it). */
  metaMemo?: Map<string, DocumentRecord | null>;
}

/** One partition of a listing query: a GSI (or the table) partition, optionally a sort-key prefix and a filter. */
export interface PartitionQuery {
  /** GSI name (keys.ts); undefined = the table itself. */
  index?: string;
  /** The partition key value. */
  pk: string;
  skPrefix?: string;
  /** Sort keys descending (ScanIndexForward false): newest first where the sort key starts with a date. */
  descending?: boolean;
  /** A FilterExpression evaluated by DynamoDB after the read (filtered items still count against Limit and the read). */
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
}

/** What one listing request may read before it returns a short page (with a cursor to go on). */
export interface ReadBudget {
  /** Items DynamoDB evaluates (ScannedCount, what reads are billed on), filtered or not. */
  items: number;
  /** Query calls. */
  requests: number;
}

export interface PartitionPage {
  items: Item[];
  /** The key to resume after; undefined when the partition is exhausted. */
  resume?: StartKey;
  /** Items DynamoDB evaluated for this page (ScannedCount). */
  read: number;
  requests: number;
  stoppedBy: "limit" | "end" | "readBudget";
}

/**
 * How far a filtered page reads ahead. The first Query asks for exactly the items still wanted (most
 * filters drop little); when the filter dropped some, the next asks for the wanted count divided by
 * the share kept so far (× margin, at most maxFactor times the wanted count), so a sparse filter
 * costs a few round trips, not one per item — and a dense one never reads far past its page.
 */
export const PAGE_READ = Object.freeze({ margin: 1.25, maxFactor: 16 });

/** Key attribute names of the table or of a GSI (GSI keys carry the table key too). */
function keyNames(index: string | undefined): { pk: string; sk: string; all: string[] } {
  if (index === undefined) return { pk: "pk", sk: "sk", all: ["pk", "sk"] };
  return { pk: `${index}pk`, sk: `${index}sk`, all: ["pk", "sk", `${index}pk`, `${index}sk`] };
}

/**
 * A page's projection with the key attributes added (those it does not name already: DynamoDB
 * refuses a path named twice), so keyOf can always build the key a short page resumes after.
 */
function withKeyAttributes(p: { expression: string; names: Record<string, string> }, keys: string[]): { expression: string; names: Record<string, string> } {
  const named = new Set(Object.values(p.names));
  const extra = keys.filter((k) => !named.has(k));
  return {
    expression: [p.expression, ...extra.map((_, i) => `#key${i}`)].join(", "),
    names: { ...p.names, ...Object.fromEntries(extra.map((k, i) => [`#key${i}`, k])) },
  };
}

/** The ExclusiveStartKey that resumes after `item` (its key attributes are always read: withKeyAttributes). */
export function keyOf(item: Item, index: string | undefined): StartKey {
  const out: StartKey = {};
  for (const k of keyNames(index).all) out[k] = String(item[k]);
  return out;
}

/** Refuses a start key that is not a key of this query's partition and prefix (a forged or foreign cursor). */
function checkStartKey(q: PartitionQuery, key: StartKey): void {
  const names = keyNames(q.index);
  const got = Object.keys(key).sort();
  const ok =
    got.length === names.all.length &&
    [...names.all].sort().every((n, i) => got[i] === n) &&
    key[names.pk] === q.pk &&
    (q.skPrefix === undefined || (key[names.sk] ?? "").startsWith(q.skPrefix));
  if (!ok) throw new InvalidCursorError("its key is not in this query's partition");
}

function isConditionalFailure(e: unknown): boolean {
  return e instanceof ConditionalCheckFailedException || (e as { name?: string } | null)?.name === "ConditionalCheckFailedException";
}

export class DocumentStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly retry: RetrySettings;
  private readonly leaseSeconds: number;
  private readonly now: () => Date;
  readonly retireGraceMs: number;
  private readonly metaReuseMs: number;
  /** META records this store read lately (bounded), for documentItems' generation pointer only. */
  private readonly recentMetas = new Map<string, { meta: DocumentRecord; at: number }>();
  /** META records fetched within one paged read: the caller's filter asks again for the same documents. */
  private readonly metaMemo = new AsyncLocalStorage<Map<string, DocumentRecord | null>>();

  constructor(opts: DocumentStoreOptions) {
    this.tableName = opts.tableName;
    this.client = opts.client;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.leaseSeconds = opts.leaseSeconds ?? 900;
    this.now = opts.now ?? (() => new Date());
    this.retireGraceMs = opts.retireGraceMs ?? GENERATION_SETTINGS.retireGraceMs;
    this.metaReuseMs = Math.min(opts.metaReuseMs ?? GENERATION_SETTINGS.metaReuseMs, this.retireGraceMs / 10);
  }

  // ---- writing ----------------------------------------------------------------------------

  async getMeta(docId: string): Promise<DocumentRecord | undefined> {
    return (await this.readMeta(docId)).meta;
  }

  /** META and when it was read (the moment the request was sent: the read is no older than that). */
  private async readMeta(docId: string): Promise<{ meta: DocumentRecord | undefined; at: number }> {
    const at = this.now().getTime();
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: K.docPk(docId), sk: K.META_SK }, ConsistentRead: true }),
    );
    const meta = out.Item as DocumentRecord | undefined;
    if (meta && this.metaReuseMs > 0) {
      this.recentMetas.delete(docId);
      this.recentMetas.set(docId, { meta, at });
      if (this.recentMetas.size > GENERATION_SETTINGS.recentMetas) this.recentMetas.delete(this.recentMetas.keys().next().value!);
    }
    return { meta, at };
  }

  /** The document's META for its generation pointers, and when it was read: one read within metaReuseMs, else a fresh read. */
  private async metaForGenerations(docId: string): Promise<{ meta: DocumentRecord | undefined; at: number }> {
    const recent = this.recentMetas.get(docId);
    if (recent && this.now().getTime() - recent.at <= this.metaReuseMs) return recent;
    return this.readMeta(docId);
  }

  /** Takes the write lease on a document; false when another live worker holds it. */
  async acquireLease(docId: string, owner: string): Promise<boolean> {
    const nowS = Math.floor(this.now().getTime() / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: K.docPk(docId), sk: LEASE_SK, entity: "Lease", owner, expiresAt: nowS + this.leaseSeconds },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now OR #owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":now": nowS, ":owner": owner },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalFailure(e)) return false;
      throw e;
    }
  }

  async releaseLease(docId: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: K.docPk(docId), sk: LEASE_SK },
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
    } catch (e) {
      if (!isConditionalFailure(e)) throw e;
    }
  }

  /**
   * Removes the record of an upload refused as too large (META only: it has no other items), once
   * its object was ingested as a document of its own (reprocess.ts). Only such a record is removed.
   */
  async removeRefusal(docId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: K.docPk(docId), sk: K.META_SK },
          ConditionExpression: "#failure.#code = :tooLarge",
          ExpressionAttributeNames: { "#failure": "failure", "#code": "code" },
          ExpressionAttributeValues: { ":tooLarge": "too_large" },
        }),
      );
    } catch (e) {
      if (!isConditionalFailure(e)) throw e;
    }
    this.recentMetas.delete(docId);
  }

  /** Deletes every item of an uncommitted document except its lease (leftovers of a crashed attempt). */
  async deleteUncommittedBody(docId: string): Promise<number> {
    const keys = (await this.queryAll({ KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": K.docPk(docId) }, ProjectionExpression: "pk, sk" }))
      .filter((k) => k.sk !== LEASE_SK && k.sk !== K.META_SK)
      .map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
    await this.batchWrite(keys);
    return keys.length;
  }

  /** Writes body items in batches of 25, retrying UnprocessedItems with exponential backoff and jitter. */
  async putItems(items: readonly BodyItem[]): Promise<WriteStats> {
    return this.batchWrite(items.map((Item) => ({ PutRequest: { Item: Item as unknown as Item } })));
  }

  private async batchWrite(requests: readonly Item[]): Promise<WriteStats> {
    const stats: WriteStats = { items: requests.length, batches: 0, unprocessedRetries: 0 };
    for (let i = 0; i < requests.length; i += 25) {
      let pending = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) {
          if (attempt >= this.retry.maxAttempts) {
            throw new RetryableError(`BatchWriteItem: ${pending.length} items still unprocessed after ${attempt} attempts`);
          }
          stats.unprocessedRetries += 1;
          await sleep(backoffDelay(attempt, this.retry));
        }
        stats.batches += 1;
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as Item[];
      }
    }
    return stats;
  }

  /** Puts the META record unless one exists: true when this call committed it. */
  async commit(record: DocumentRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: record as unknown as Item, ConditionExpression: "attribute_not_exists(pk)" }),
      );
      return true;
    } catch (e) {
      if (isConditionalFailure(e)) return false;
      throw e;
    }
  }

  /**
   * Makes `docId` the current document of its series when its upload is the latest one, and marks
   * the document it replaces as superseded (or itself, when a later upload is already current).
   * Safe to call again after a crash at any point: the pointer keeps the previous id for repair.
   */
  async applySeries(record: DocumentRecord): Promise<{ current: string; superseded?: string }> {
    if (record.status !== "COMMITTED" || record.department === undefined || record.year === undefined) return { current: record.docId };
    const key = { pk: K.seriesPk(record.department, record.year, record.docType), sk: K.CURRENT_SK };
    const t = record.source.eventTime;
    let pointer: SeriesPointer;
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          // Operands on the right see the item as it was before this update: previousDocId ← old docId.
          UpdateExpression: "SET previousDocId = if_not_exists(docId, :none), docId = :id, eventTime = :t, entity = :e",
          ConditionExpression: "attribute_not_exists(pk) OR eventTime < :t OR (eventTime = :t AND docId < :id)",
          ExpressionAttributeValues: { ":id": record.docId, ":t": t, ":none": "-", ":e": "Series" },
          ReturnValues: "ALL_NEW",
        }),
      );
      pointer = out.Attributes as SeriesPointer;
    } catch (e) {
      if (!isConditionalFailure(e)) throw e;
      const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      pointer = out.Item as SeriesPointer;
    }
    if (pointer.docId !== record.docId) {
      await this.updateMeta(record.docId, { supersededBy: pointer.docId });
      return { current: pointer.docId, superseded: record.docId };
    }
    const previous = pointer.previousDocId && pointer.previousDocId !== "-" && pointer.previousDocId !== record.docId ? pointer.previousDocId : undefined;
    if (previous) {
      await this.updateMeta(previous, { supersededBy: record.docId });
      await this.updateMeta(record.docId, { supersedes: previous });
    }
    return { current: record.docId, superseded: previous };
  }

  /**
   * Takes `docId` out of the series `series` names, which it no longer belongs to: re-processing
   * read another department, year or kind, or failed the document. The latest other committed
   * document of that series becomes its current one again (or the pointer goes, when none is left),
   * the documents that `docId` superseded there point at that one instead, and `docId` loses the
   * series' supersession links (it may join another series: applySeries). The pointer moves only
   * while it still names `docId`: an upload that became current meanwhile stays current.
   * Members are found through the year's document listing (GSI2), as the series key normalises the
   * department name. Returns the series' current document afterwards, if any.
   */
  async leaveSeries(docId: string, series: { department: string; year: number; docType: string }): Promise<{ current?: string }> {
    const pk = K.seriesPk(series.department, series.year, series.docType);
    const listed = await this.queryIndex(K.GSI2, "gsi2pk", K.DOCS_GSI2_PK, `${series.year}#`);
    const metas = await this.getMetas(listed.map((i) => String(i.docId)).filter((id) => id !== docId));
    const members = [...metas.values()].filter((m) => m.status === "COMMITTED" && m.department !== undefined && m.year === series.year && K.seriesPk(m.department, m.year, m.docType) === pk);
    // applySeries' order: the later upload, and of two at the same moment the larger id.
    const latest = members.reduce<DocumentRecord | undefined>((best, m) => (!best || m.source.eventTime > best.source.eventTime || (m.source.eventTime === best.source.eventTime && m.docId > best.docId) ? m : best), undefined);
    const key = { pk, sk: K.CURRENT_SK };
    let current: string | undefined;
    try {
      if (latest) {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: "SET docId = :id, eventTime = :t, previousDocId = :none, entity = :e",
            ConditionExpression: "docId = :gone",
            ExpressionAttributeValues: { ":id": latest.docId, ":t": latest.source.eventTime, ":none": "-", ":e": "Series", ":gone": docId },
          }),
        );
      } else {
        await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key, ConditionExpression: "docId = :gone", ExpressionAttributeValues: { ":gone": docId } }));
      }
      current = latest?.docId;
    } catch (e) {
      if (!isConditionalFailure(e)) throw e;
      current = (await this.getSeriesCurrent(series.department, series.year, series.docType, true))?.docId;
    }
    if (current !== undefined && current === latest?.docId) {
      await this.updateMeta(current, { supersededBy: null });
      for (const m of members) if (m.docId !== current && m.supersededBy === docId) await this.updateMeta(m.docId, { supersededBy: current });
    }
    await this.updateMeta(docId, { supersededBy: null, supersedes: null });
    return current === undefined ? {} : { current };
  }

  /**
   * Replaces a committed document's flags (a re-check found others) by a generation swap: the new
   * FLAG# items under a new generation, then one conditional update of META sets flagGeneration,
   * flagCounts, counts (and what they were checked against) together — a reader sees the old flags
   * with the old counts or the new with the new. Throws GenerationConflictError (its items removed)
   * when another writer replaced the flags or the document since `record` was read.
   */
  async replaceFlags(record: DocumentRecord, items: readonly FlagItem[], checkedAt: string, opts: { checkedAgainst?: string } = {}): Promise<DocumentRecord> {
    const gens = generationsOf(record);
    const generation = await this.allocateGeneration(record.docId);
    await this.putGeneration(generation, items);
    const flagCounts = countSeverities(items);
    const counts = record.counts ? { ...record.counts, flags: items.length, items: record.counts.items - record.counts.flags + items.length } : undefined;
    const set: Record<string, unknown> = { flagGeneration: generation, flagCounts, recheckedAt: checkedAt, retiredAt: this.now().toISOString() };
    if (counts) set.counts = counts;
    if (opts.checkedAgainst !== undefined) set.checkedAgainst = opts.checkedAgainst;
    const updated = await this.flip(record.docId, gens, set, [], generation);
    await this.sweepRetired(record.docId);
    return updated;
  }

  /**
   * Replaces a committed or failed document wholesale (re-processing): `items` become a new
   * generation of body and flags, `next` the META (its identity, history and alert fields are kept
   * from the stored one), in one conditional update. Callers hold the document's lease.
   */
  async replaceDocument(current: DocumentRecord, next: DocumentRecord, items: readonly BodyItem[]): Promise<{ record: DocumentRecord; swept: SweepResult }> {
    const generation = await this.allocateGeneration(current.docId);
    await this.putGeneration(generation, items);
    const set: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(next)) if (!KEPT_ON_REPLACE.has(k) && v !== undefined) set[k] = v;
    Object.assign(set, { generation, flagGeneration: generation, retiredAt: this.now().toISOString() });
    const remove = Object.keys(current).filter((k) => !KEPT_ON_REPLACE.has(k) && !(k in set));
    const record = await this.flip(current.docId, generationsOf(current), set, remove, generation);
    return { record, swept: await this.sweepRetired(current.docId) };
  }

  /** The next generation number of a document (atomic: concurrent writers never share one). */
  async allocateGeneration(docId: string): Promise<number> {
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: K.docPk(docId), sk: K.META_SK },
        UpdateExpression: "ADD lastGeneration :one",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(out.Attributes?.lastGeneration);
  }

  /** Writes items under a generation's keys (invisible to readers until META names the generation). */
  async putGeneration(generation: number, items: readonly BodyItem[]): Promise<WriteStats> {
    return this.putItems(items.map((i) => ({ ...i, sk: K.generationSk(generation, i.sk) })));
  }

  /**
   * The flip: one UpdateItem of META, conditional on the generations the caller read (and META
   * existing). On a lost race the new generation's items are deleted and GenerationConflictError thrown.
   */
  private async flip(docId: string, expected: { body: number; flags: number }, set: Record<string, unknown>, remove: readonly string[], generation: number): Promise<DocumentRecord> {
    const names: Record<string, string> = { "#gen": "generation", "#fgen": "flagGeneration" };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    Object.entries(set).forEach(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      sets.push(`#s${i} = :s${i}`);
    });
    const removes = remove.map((k, i) => {
      names[`#r${i}`] = k;
      return `#r${i}`;
    });
    const cond = (name: string, value: number, placeholder: string): string => {
      values[placeholder] = value;
      return value === 0 ? `(attribute_not_exists(${name}) OR ${name} = ${placeholder})` : `${name} = ${placeholder}`;
    };
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: K.docPk(docId), sk: K.META_SK },
          UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
          ConditionExpression: `attribute_exists(pk) AND ${cond("#gen", expected.body, ":eg")} AND ${cond("#fgen", expected.flags, ":ef")}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      this.recentMetas.delete(docId); // this store's own reads after the flip see the new generation
      return out.Attributes as DocumentRecord;
    } catch (e) {
      if (!isConditionalFailure(e)) throw e;
      await this.deleteGeneration(docId, generation);
      throw new GenerationConflictError(docId);
    }
  }

  /** Deletes every item of one generation (an unflipped one, after a lost race). */
  private async deleteGeneration(docId: string, generation: number): Promise<number> {
    if (generation === 0) return 0;
    const keys = await this.queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
      ExpressionAttributeValues: { ":pk": K.docPk(docId), ":p": K.generationPrefix(generation) },
      ProjectionExpression: "pk, sk",
    });
    await this.batchWrite(keys.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })));
    return keys.length;
  }

  /**
   * Deletes the items of generations META no longer names, once retireGraceMs has passed since the
   * last flip (before that, a reader may still be querying them: deferred). Generations above the
   * current ones may belong to a writer still in flight and are left alone.
   */
  async sweepRetired(docId: string): Promise<SweepResult> {
    const meta = await this.getMeta(docId);
    // No retiredAt: nothing replaced since the last sweep (which clears it), nothing to read.
    if (!meta?.retiredAt) return { deleted: 0, deferred: false, waitMs: 0 };
    const since = this.now().getTime() - Date.parse(meta.retiredAt);
    if (since < this.retireGraceMs) return { deleted: 0, deferred: true, waitMs: this.retireGraceMs - since };
    const gens = generationsOf(meta);
    const top = Math.max(gens.body, gens.flags);
    const keys = (await this.queryAll({ KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": K.docPk(docId) }, ProjectionExpression: "pk, sk" })).filter((k) => {
      const { generation, sk } = K.parseGenerationSk(String(k.sk));
      if (generation === 0 && K.isDocumentControlSk(sk)) return false;
      const current = K.isFlagSk(sk) ? gens.flags : gens.body;
      return generation !== current && generation <= top;
    });
    await this.batchWrite(keys.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })));
    try {
      // Swept: clear the mark unless another flip set a newer one meanwhile.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: K.docPk(docId), sk: K.META_SK },
          UpdateExpression: "REMOVE retiredAt",
          ConditionExpression: "retiredAt = :seen",
          ExpressionAttributeValues: { ":seen": meta.retiredAt },
        }),
      );
    } catch (e) {
      if (!isConditionalFailure(e)) throw e;
    }
    return { deleted: keys.length, deferred: false, waitMs: 0 };
  }

  /** Records an alert: when, and (for a later "new errors" alert) the keys of every error alerted so far. */
  async markAlerted(docId: string, at: string, alertedErrors?: readonly string[]): Promise<void> {
    await this.updateMeta(docId, { alertedAt: at, ...(alertedErrors !== undefined ? { alertedErrors: [...new Set(alertedErrors)] } : {}) });
  }

  /**
   * Sets (a value) or removes (null) fields of a document's META in one update; a document that is
   * gone meanwhile is left alone.
   */
  private async updateMeta(docId: string, fields: Partial<Record<"supersededBy" | "supersedes" | "alertedAt" | "alertedErrors" | "parserVersion" | "checkedAgainst", string | string[] | null>>): Promise<void> {
    const entries = Object.entries(fields);
    const set = entries.flatMap(([, v], i) => (v === null ? [] : [`#f${i} = :v${i}`]));
    const remove = entries.flatMap(([, v], i) => (v === null ? [`#f${i}`] : []));
    const values = Object.fromEntries(entries.flatMap(([, v], i) => (v === null ? [] : [[`:v${i}`, v]])));
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: K.docPk(docId), sk: K.META_SK },
          UpdateExpression: [set.length ? `SET ${set.join(", ")}` : "", remove.length ? `REMOVE ${remove.join(", ")}` : ""].filter(Boolean).join(" "),
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: Object.fromEntries(entries.map(([f], i) => [`#f${i}`, f])),
          ...(set.length ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (e) {
      if (!isConditionalFailure(e)) throw e;
    }
  }

  /** Records the parser version on a document re-processed with an unchanged result (nothing else changes). */
  async setParserVersion(docId: string, version: string): Promise<void> {
    await this.updateMeta(docId, { parserVersion: version });
  }

  /** Records what the flags were checked against when a re-check found them unchanged. */
  async setCheckedAgainst(docId: string, checkedAgainst: string): Promise<void> {
    await this.updateMeta(docId, { checkedAgainst });
  }

  // ---- reading ----------------------------------------------------------------------------

  /** `consistent`: a strongly consistent read (sees every write acknowledged before it). */
  async getSeriesCurrent(department: string, year: number, docType: string, consistent = false): Promise<SeriesPointer | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: K.seriesPk(department, year, docType), sk: K.CURRENT_SK }, ConsistentRead: consistent }),
    );
    return out.Item as SeriesPointer | undefined;
  }

  /**
   * All items of a document with the given sort-key prefix (no commit check: callers check META),
   * of the generations its META names, with their logical sort keys (as keys.ts builds them). Without
   * a prefix: META (and a lease, if held) too.
   */
  async documentItems(docId: string, skPrefix?: string): Promise<Item[]> {
    let read = await this.metaForGenerations(docId);
    for (let attempt = 1; ; attempt++) {
      const gens = generationsOf(read.meta);
      const items = await this.generationItems(docId, gens, skPrefix);
      // The generations META named are whole until the readers' grace after a flip that retires them,
      // and any such flip came after META was read: a read that ended within the grace saw them
      // whole. A slow one (a stalled reader) checks that META still names them, else reads again.
      const slow = Math.min(this.retireGraceMs, GENERATION_SETTINGS.slowReadMs);
      if (this.retireGraceMs <= 0 || this.now().getTime() - read.at < slow) return items;
      const fresh = await this.readMeta(docId);
      const named = generationsOf(fresh.meta);
      if (named.body === gens.body && named.flags === gens.flags) return items;
      if (attempt >= GENERATION_SETTINGS.slowReadAttempts) throw new RetryableError(`reading document ${docId} took longer than the readers' grace (${this.retireGraceMs} ms) ${attempt} times while its items were replaced`);
      read = fresh;
    }
  }

  /** The items of one document's generations `gens` (documentItems, one attempt). */
  private async generationItems(docId: string, gens: { body: number; flags: number }, skPrefix?: string): Promise<Item[]> {
    const prefix = skPrefix ?? "";
    const flagsOnly = prefix.startsWith(K.SK_PREFIX.flag);
    const bodyOnly = !flagsOnly && !K.SK_PREFIX.flag.startsWith(prefix);
    // One Query per generation the prefix can match; the whole document (no prefix) in one Query.
    const generations = skPrefix === undefined ? [0] : [...new Set([gens.body, gens.flags])].filter((g) => !((flagsOnly && g !== gens.flags) || (bodyOnly && g !== gens.body)));
    const out: Item[] = [];
    for (const generation of generations) {
      const full = skPrefix === undefined ? "" : K.generationPrefix(generation) + prefix;
      const input: Omit<QueryCommandInput, "TableName"> =
        full === ""
          ? { KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": K.docPk(docId) } }
          : { KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)", ExpressionAttributeValues: { ":pk": K.docPk(docId), ":p": full } };
      for (const item of await this.queryAll(input)) {
        const { generation: g, sk } = K.parseGenerationSk(String(item.sk));
        const control = g === 0 && K.isDocumentControlSk(sk);
        const keep = control ? skPrefix === undefined : g === (K.isFlagSk(sk) ? gens.flags : gens.body) && sk.startsWith(prefix);
        if (keep) out.push(g === 0 ? item : { ...item, sk });
      }
    }
    const reordered = generations.length > 1 || (skPrefix === undefined && (gens.body !== 0 || gens.flags !== 0));
    return reordered ? out.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : String(a.sk) > String(b.sk) ? 1 : 0)) : out;
  }

  /**
   * Drops index items of generations their document's META does not name (during a swap, and until
   * the retired generation is deleted, both are in the index). META records, and items of documents
   * without META (callers drop those), pass.
   */
  private async currentGenerationOnly(items: Item[]): Promise<Item[]> {
    const docIds = items.filter((i) => !K.isDocumentControlSk(K.parseGenerationSk(String(i.sk)).sk)).map((i) => String(i.docId));
    if (docIds.length === 0) return items;
    const metas = await this.getMetas(docIds);
    return items.filter((i) => isCurrentGeneration(String(i.sk), metas.get(String(i.docId))));
  }

  async queryIndex(index: string, pkName: string, pkValue: string, skPrefix?: string, limit?: number): Promise<Item[]> {
    const skName = pkName.replace(/pk$/, "sk");
    const input: Omit<QueryCommandInput, "TableName"> = {
      IndexName: index,
      KeyConditionExpression: skPrefix === undefined ? "#pk = :pk" : "#pk = :pk AND begins_with(#sk, :p)",
      ExpressionAttributeNames: skPrefix === undefined ? { "#pk": pkName } : { "#pk": pkName, "#sk": skName },
      ExpressionAttributeValues: skPrefix === undefined ? { ":pk": pkValue } : { ":pk": pkValue, ":p": skPrefix },
    };
    return this.currentGenerationOnly(await this.queryAll(input, limit));
  }

  /**
   * One page of a partition, read on the server: Query with Limit and ExclusiveStartKey, looping
   * until `limit` items are kept, the partition ends, or the read budget is spent (then the page is
   * short and `resume` says where to go on). `keep` drops items after the read (e.g. documents not
   * committed); kept items beyond the page are not served: the page resumes after its last item.
   */
  async queryPartitionPage(q: PartitionQuery, opts: PartitionPageOptions): Promise<PartitionPage> {
    // The generation filter and the caller's filter read the same META records: once, memoised for
    // this page (or for as long as the caller keeps its own memo).
    return this.metaMemo.run(opts.metaMemo ?? new Map(), () => this.readPartitionPage(q, opts));
  }

  private async readPartitionPage(q: PartitionQuery, opts: PartitionPageOptions): Promise<PartitionPage> {
    if (opts.start) checkStartKey(q, opts.start);
    const names = keyNames(q.index);
    const projection = opts.projection && withKeyAttributes(opts.projection, names.all);
    const items: Item[] = [];
    let start = opts.start;
    let read = 0;
    let kept = 0;
    let requests = 0;
    for (;;) {
      const remaining = opts.limit - items.length;
      if (remaining <= 0) return { items, resume: start, read, requests, stoppedBy: "limit" };
      const budgetLeft = opts.budget.items - read;
      if (budgetLeft <= 0 || requests >= opts.budget.requests) return { items, resume: start, read, requests, stoppedBy: "readBudget" };
      const factor = requests === 0 ? 1 : Math.min(PAGE_READ.maxFactor, kept === 0 ? PAGE_READ.maxFactor : (read / kept) * PAGE_READ.margin);
      const ask = Math.min(budgetLeft, Math.ceil(remaining * factor));
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: q.index,
          KeyConditionExpression: q.skPrefix === undefined ? "#pk = :pk" : "#pk = :pk AND begins_with(#sk, :skp)",
          FilterExpression: q.filter?.expression,
          ProjectionExpression: projection?.expression,
          ExpressionAttributeNames: { "#pk": names.pk, ...(q.skPrefix === undefined ? {} : { "#sk": names.sk }), ...q.filter?.names, ...projection?.names },
          ExpressionAttributeValues: { ":pk": q.pk, ...(q.skPrefix === undefined ? {} : { ":skp": q.skPrefix }), ...q.filter?.values },
          ScanIndexForward: !q.descending,
          Limit: ask,
          ExclusiveStartKey: start,
        }),
      );
      requests += 1;
      read += out.ScannedCount ?? out.Items?.length ?? 0;
      const current = await this.currentGenerationOnly((out.Items ?? []) as Item[]);
      const got = opts.keep ? await opts.keep(current) : current;
      kept += got.length;
      if (got.length > remaining) {
        const taken = got.slice(0, remaining);
        items.push(...taken);
        return { items, resume: keyOf(taken.at(-1)!, q.index), read, requests, stoppedBy: "limit" };
      }
      items.push(...got);
      start = out.LastEvaluatedKey as StartKey | undefined;
      if (!start) return { items, read, requests, stoppedBy: "end" };
    }
  }

  /** META records of many documents (BatchGet, UnprocessedKeys retried). */
  async getMetas(docIds: Iterable<string>): Promise<Map<string, DocumentRecord>> {
    const memo = this.metaMemo.getStore();
    const out = new Map<string, DocumentRecord>();
    const ids = [...new Set(docIds)].filter((id) => {
      if (!memo?.has(id)) return true;
      const m = memo.get(id);
      if (m) out.set(id, m);
      return false;
    });
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Item[] = ids.slice(i, i + 100).map((id) => ({ pk: K.docPk(id), sk: K.META_SK }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) {
          if (attempt >= this.retry.maxAttempts) throw new RetryableError("BatchGetItem: keys still unprocessed");
          await sleep(backoffDelay(attempt, this.retry));
        }
        const res = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const it of res.Responses?.[this.tableName] ?? []) out.set(String(it.docId), it as DocumentRecord);
        keys = (res.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
    }
    if (memo) for (const id of ids) memo.set(id, out.get(id) ?? null);
    return out;
  }

  private async queryAll(input: Omit<QueryCommandInput, "TableName">, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start && (limit === undefined || items.length < limit));
    return limit === undefined ? items : items.slice(0, limit);
  }
}
