// Amounts in 元 for analysts: exact conversion of a printed decimal (元 or 万元) with reconcile's
// micro-元 arithmetic, never through a float.
import { formatMicro, parseAmount } from "../reconcile/money.ts";
import type { Unit } from "../parsers/model.ts";

/** "1057.99" printed in 万元 → "10579900.00"; in 元 unchanged (two decimals at least). Null unit: as printed. */
export function toYuan(value: string, unit: Unit | null | undefined): string {
  if (!unit) return value;
  const a = parseAmount(value, unit);
  return a ? formatMicro(a.value, "元") : value;
}

/** Exact micro-元 of a printed value (for differences across filings with different units). */
export function micro(value: string, unit: Unit | null | undefined): bigint | undefined {
  return parseAmount(value, unit ?? "元")?.value;
}

export function formatYuan(microValue: bigint): string {
  return formatMicro(microValue, "元");
}

/** (now − before) / before as a percentage string with two decimals, or undefined when before is 0. */
export function percentChange(now: bigint, before: bigint): string | undefined {
  if (before === 0n) return undefined;
  // Round half away from zero at 2 decimals: scale by 10^4 (percent × 100) then round.
  const num = (now - before) * 100_00n * 10n;
  let q = num / (before < 0n ? -before : before);
  q = q >= 0n ? (q + 5n) / 10n : (q - 5n) / 10n;
  const neg = q < 0n;
  const a = neg ? -q : q;
  return `${neg ? "-" : ""}${a / 100n}.${(a % 100n).toString().padStart(2, "0")}`;
}
