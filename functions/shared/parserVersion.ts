// Which parser and rules produced a stored document. Recorded on every META (`parserVersion`);
// `budgetlens reprocess --stale` re-runs the documents stored under another version.
//
// Bump PARSER_VERSION by hand in the commit that changes what parsers/ or reconcile/ produce for
// some PDF (tables, cells, flags, document identity) — not for speed-ups or refactors that leave
// the output identical (then re-processing would only find every document unchanged). The value is
// opaque: only equality matters, so any new string works; the date keeps it readable.
export const PARSER_VERSION = "2026-11-27.1";
