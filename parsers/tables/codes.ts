// Classification codes in the three printed layouts → one normal form.
// `208 01 99` (类/款/项 columns) ≡ `2080199` (one column) ≡ levels 208 / 20801 / 2080199.
// Functional codes start with 2 (201–233), economic ones with 3 (301–399, 5xx for 决算 sets).
import type { ClassificationCode } from "../model.ts";

const LEVEL_BY_DIGITS: Record<number, ClassificationCode["level"]> = { 3: "类", 5: "款", 7: "项" };

/**
 * Parse the code printed at the start of a row's label cells. `parts` are the code cells left
 * to right (one cell "2080199", three cells "208","01","99", or a cell "208 01 99"), possibly
 * followed by the name in the same cell ("208 社会保障和就业支出").
 */
export function parseCode(parts: readonly string[]): { code: ClassificationCode; rest: string } | null {
  const joined = parts.map((p) => p.normalize("NFKC").trim()).filter((p) => p !== "").join(" ");
  const m = /^(\d{3})(?:\s*(\d{2}))?(?:\s*(\d{2}))?(?![\d.,])\s*(.*)$/u.exec(joined);
  if (!m) return null;
  const digits = (m[1] ?? "") + (m[2] ?? "") + (m[3] ?? "");
  const level = LEVEL_BY_DIGITS[digits.length];
  if (!level) return null;
  const first = digits[0];
  if (first !== "2" && first !== "3" && first !== "5") return null;
  const raw = joined.slice(0, joined.length - (m[4] ?? "").length).trim();
  return {
    code: { raw, code: digits, level, scheme: first === "2" ? "functional" : "economic" },
    rest: (m[4] ?? "").trim(),
  };
}

/** True for a cell that holds only a code fragment (a 类, 款 or 项 column entry). */
export function isCodeFragment(text: string): boolean {
  return /^\d{2,3}$|^\d{5}$|^\d{7}$|^\d{3}\s\d{2}(\s\d{2})?$/u.test(text.normalize("NFKC").trim());
}
