// Exact money: printed decimal strings → bigint in one fixed minor unit, with the printed precision kept.
// Why a fixed micro-元 unit: one file mixes 元 tables (two decimals) and 万元 tables, and narrative
// figures are 万元 with 0–2 decimals; in micro-元 every printed figure of either unit is an integer,
// so sums and differences are exact and need no float at all.
import type { Unit } from "../parsers/model.ts";

/** Minor units per 元 (micro-元). */
export const MICRO_PER_YUAN = 1_000_000n;

export function unitFactor(unit: Unit): bigint {
  return unit === "万元" ? 10_000n * MICRO_PER_YUAN : MICRO_PER_YUAN;
}

/** A printed amount: exact value and half a unit of its last printed digit, both in micro-元. */
export type Amount = {
  value: bigint;
  /** Half a unit of the last printed digit: the most the printed number can be off its true value. */
  halfUlp: bigint;
  /** As printed (separators removed). */
  text: string;
  unit: Unit;
};

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Parse a decimal string ("1057.99", "-0.42", "10302736", "1,057.99") printed in `unit`. */
export function parseAmount(text: string, unit: Unit): Amount | null {
  const clean = text.replace(/[,，\s]/g, "");
  const m = DECIMAL.exec(clean);
  if (!m) return null;
  const neg = m[1] === "-";
  const intPart = m[2] ?? "0";
  const frac = m[3] ?? "";
  const factor = unitFactor(unit);
  const scale = 10n ** BigInt(frac.length);
  // value = (int.frac) * factor, exact when factor is divisible by 10^decimals (≤ 6 for 元, ≤ 10 for 万元).
  const digits = BigInt(intPart + frac);
  let value = (digits * factor) / scale;
  if (neg) value = -value;
  const ulp = factor / scale;
  // A bare "0" (or "0.00") is exactly nothing in these filings: an empty line, not a rounded amount.
  const halfUlp = digits === 0n ? 0n : ulp / 2n;
  return { value, halfUlp, text: clean, unit };
}

/** An exact amount with no rounding (a blank cell, a computed zero). */
export function exact(value: bigint, unit: Unit): Amount {
  return { value, halfUlp: 0n, text: formatMicro(value, unit), unit };
}

/** micro-元 → decimal string in `unit`, trailing zeros trimmed to at least `minDecimals`. */
export function formatMicro(micro: bigint, unit: Unit, minDecimals = 2): string {
  const factor = unitFactor(unit);
  const neg = micro < 0n;
  const abs = neg ? -micro : micro;
  const int = abs / factor;
  const maxDecimals = unit === "万元" ? 10 : 6;
  let frac = (abs % factor).toString().padStart(maxDecimals, "0");
  while (frac.length > minDecimals && frac.endsWith("0")) frac = frac.slice(0, -1);
  const s = frac.length > 0 ? `${int}.${frac}` : `${int}`;
  return neg ? `-${s}` : s;
}

export function sumAmounts(amounts: readonly Amount[], unit: Unit): Amount {
  let value = 0n;
  let halfUlp = 0n;
  for (const a of amounts) {
    value += a.value;
    halfUlp += a.halfUlp;
  }
  return { value, halfUlp, text: formatMicro(value, unit), unit };
}

export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}
