// Printed labels → comparable strings. Justified and letter-spaced labels (`合   计`,
// `收 入 总 计`) put spaces between ideographs that are not part of the label; wrapped
// lines split a name wherever the cell ended. Spaces between two Latin/digit tokens are real.

import { memoize } from "../memo.ts";

const CJK = "\\u3000-\\u303f\\u3400-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef“”‘’、，。：；（）《》【】";
const SPACE_BETWEEN_CJK = new RegExp(`([${CJK}])\\s+(?=[${CJK}])`, "gu");
const SPACE_AFTER_CJK_BEFORE_ANY = new RegExp(`([${CJK}])\\s+(?=[^\\s])`, "gu");
const SPACE_BEFORE_CJK = new RegExp(`([^\\s])\\s+(?=[${CJK}])`, "gu");
const HAS_WHITESPACE = /\s/;

/** Collapse whitespace: drop it next to CJK characters, keep one space between Latin/digit tokens. */
export function normalizeLabel(text: string): string {
  // Most labels have no whitespace at all, and then every step below is the identity.
  if (!HAS_WHITESPACE.test(text)) return text;
  return text
    .replace(/[\s\u00a0\u3000]+/gu, " ")
    .trim()
    .replace(SPACE_BETWEEN_CJK, "$1")
    .replace(SPACE_AFTER_CJK_BEFORE_ANY, "$1")
    .replace(SPACE_BEFORE_CJK, "$1");
}

/** Join the lines of a wrapped cell: no separator inside CJK text, one space between Latin words. */
export function joinWrappedLines(lines: readonly string[]): string {
  let out = "";
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    if (out === "") out = line;
    else if (/[A-Za-z0-9]$/.test(out) && /^[A-Za-z]/.test(line)) out += " " + line;
    else out += line;
  }
  return normalizeLabel(out);
}

/** A key for comparing labels across tables and producers: NFKC, no whitespace, unified brackets. */
export function labelKey(text: string): string {
  return keyOf(text);
}
// The same few hundred labels recur on every page of a district; NFKC is the costly step.
const keyOf = memoize(
  (text: string) =>
    text
      .normalize("NFKC")
      .replace(/\s+/gu, "")
      .replace(/[“”"]/gu, '"')
      .replace(/[‘’']/gu, "'"),
  20_000,
);
