// Typed failures of the PDF layer. The message is written for an analyst who uploaded a file,
// the code is for programs (the ingest handler maps codes to alerts / DLQ decisions).

export type PdfErrorCode =
  | "empty"
  | "not_pdf"
  | "corrupt"
  | "encrypted"
  | "too_large"
  | "too_many_pages"
  | "page_timeout"
  | "no_text_layer"
  | "decompression_bomb"
  // The parse outgrew PdfLimits.maxMemoryMb and was stopped; only the worker-thread runner
  // (functions/shared/parseInWorker.ts) can detect this, an in-process parse would crash the process.
  | "memory_limit";

export class PdfError extends Error {
  readonly code: PdfErrorCode;
  /** 1-based page the error concerns, when it concerns one page. */
  readonly page?: number;

  constructor(code: PdfErrorCode, message: string, options?: { page?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PdfError";
    this.code = code;
    if (options?.page !== undefined) this.page = options.page;
  }
}

export function isPdfError(e: unknown): e is PdfError {
  return e instanceof PdfError;
}
