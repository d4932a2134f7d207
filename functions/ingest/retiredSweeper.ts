// Deleting replaced generations in the ingest function. A re-check that replaces a document's flags
// (documentStore.replaceFlags) cannot delete the old flag generation at once — a reader that read
// META just before the flip may still be querying it — and an invocation should not sleep through
// the readers' grace. The sweeper remembers such documents in the warm container and deletes their
// retired items at the start or end of a later invocation once the grace has passed. A container
// that dies first leaves them to the next write or re-processing of the document (they are never
// served meanwhile: every read keeps the generation META names).
import type { DocumentStore } from "../shared/documentStore.ts";

export const SWEEPER_SETTINGS = Object.freeze({ maxPending: 10_000 });

export class RetiredSweeper {
  private readonly pending = new Map<string, number>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Remembers a document whose retired generation may be deleted in `waitMs`. */
  note(docId: string, waitMs: number): void {
    if (this.pending.size >= SWEEPER_SETTINGS.maxPending && !this.pending.has(docId)) return;
    this.pending.set(docId, this.now() + Math.max(0, waitMs));
  }

  get size(): number {
    return this.pending.size;
  }

  /** Sweeps the documents whose grace has passed; returns the items deleted. Errors are logged, the document kept for later. */
  async runDue(store: DocumentStore, log?: (level: "info" | "warn" | "error", message: string, data: Record<string, unknown>) => void): Promise<number> {
    let deleted = 0;
    const t = this.now();
    for (const [docId, due] of [...this.pending]) {
      if (due > t) continue;
      try {
        const r = await store.sweepRetired(docId);
        if (r.deferred) this.pending.set(docId, this.now() + r.waitMs);
        else {
          this.pending.delete(docId);
          deleted += r.deleted;
        }
      } catch (e) {
        log?.("warn", "deleting a retired generation failed; kept for later", { docId, error: String(e) });
      }
    }
    return deleted;
  }
}
