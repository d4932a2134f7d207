// Backoff for the retries the SDK does not do for us (BatchWriteItem UnprocessedItems, BatchGet
// UnprocessedKeys). Exponential with full jitter, as AWS recommends for contended writes.

export interface RetrySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: Readonly<RetrySettings> = Object.freeze({ maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 5_000 });

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before attempt `attempt` (1-based retry number): random in [0, min(max, base·2^attempt)]. */
export function backoffDelay(attempt: number, s: RetrySettings = DEFAULT_RETRY, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** attempt));
}

/**
 * A failure that is worth retrying later by redelivering the message (throttling that outlasted our
 * retries, another worker holding the document's lease, a network error). The ingest lets these
 * propagate so SQS redelivers; everything else about a bad PDF becomes a FAILED record instead.
 */
export class RetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryableError";
  }
}
