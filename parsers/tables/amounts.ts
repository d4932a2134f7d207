// Printed amounts → exact decimal strings. Every format real filings use: `1,057.99`,
// `87267272.44`, `10,302,736`, `0`, `-3.50`, full-width digits, `(12.00)` negatives.
// Never goes through a binary float.
import { memoize } from "../memo.ts";

const AMOUNT = /^(-|−|－)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$/u;
const PAREN_NEGATIVE = /^[(（](\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?[)）]$/u;

/** The decimal string of a printed amount ("1,057.99" → "1057.99"), or null when it is not an amount. */
export function parseAmount(printed: string): string | null {
  return amountOf(printed);
}
// Each cell's text is asked several times (column roles, rows, stream repair, headings).
const amountOf = memoize(readAmount, 50_000);

function readAmount(printed: string): string | null {
  // Spaces next to a separator are rendering gaps ("1, 057.99"); spaces between digits are two numbers.
  const text = printed.normalize("NFKC").trim().replace(/\s*([,.])\s*/gu, "$1");
  if (text === "") return null;
  const m = AMOUNT.exec(text);
  if (m) return canonical(m[1] !== undefined, m[2]!, m[3]);
  const p = PAREN_NEGATIVE.exec(text);
  if (p) return canonical(true, p[1]!, p[2]);
  return null;
}

function canonical(negative: boolean, integerPart: string, fraction: string | undefined): string {
  const digits = integerPart.replace(/,/gu, "").replace(/^0+(?=\d)/u, "");
  const body = fraction ? digits + fraction : digits;
  const isZero = /^0+(\.0+)?$/u.test(body);
  return negative && !isZero ? "-" + body : body;
}

/** Number of printed decimals of an exact decimal string ("1057.99" → 2, "0" → 0). */
export function decimalsOf(decimal: string): number {
  const dot = decimal.indexOf(".");
  return dot < 0 ? 0 : decimal.length - dot - 1;
}

/** For output formats that want a JSON number: exact for every amount a filing prints (< 2^53 分). */
export function decimalToNumber(decimal: string): number {
  return Number(decimal);
}
