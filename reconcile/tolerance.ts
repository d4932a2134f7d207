// When is a difference an error? Each printed number is off its true value by at most half a unit of
// its last printed digit, so an identity over n printed numbers can miss by up to the sum of their
// half-units without anyone having made a mistake (0.02 over twelve summands is rounding, not an
// error). That bound is computed per identity from the numbers actually involved.
import { abs, type Amount } from "./money.ts";

export type ToleranceSettings = {
  /** Multiplier on the combined rounding bound (1 = the strict worst case). */
  roundingFactor: number;
  /** Extra slack, in micro-元, added to every bound (0 by default: nothing beyond printed precision). */
  extraMicro: bigint;
  /** Percentages: half-unit of the last printed digit is used; this adds slack in percentage points × 10^-6. */
  extraPercentMicro: bigint;
};

export const DEFAULT_TOLERANCE: ToleranceSettings = {
  roundingFactor: 1,
  extraMicro: 0n,
  extraPercentMicro: 0n,
};

export function toleranceSettings(over?: Partial<ToleranceSettings>): ToleranceSettings {
  return { ...DEFAULT_TOLERANCE, ...(over ?? {}) };
}

export type Verdict = "equal" | "rounding" | "mismatch";

export type Comparison = {
  verdict: Verdict;
  /** actual − expected, micro-元. */
  difference: bigint;
  /** The combined rounding bound used, micro-元. */
  bound: bigint;
};

function scaleBound(bound: bigint, s: ToleranceSettings): bigint {
  // roundingFactor is a plain ratio; keep it exact to 1e-6.
  const f = BigInt(Math.round(s.roundingFactor * 1_000_000));
  return (bound * f) / 1_000_000n + s.extraMicro;
}

/**
 * Compare `actual` against the sum of `parts` (or a single expected amount).
 * The bound is the sum of every involved number's half-unit: it grows with the number of summands.
 */
export function compareSum(parts: readonly Amount[], actual: Amount, s: ToleranceSettings): Comparison {
  let expected = 0n;
  let bound = actual.halfUlp;
  for (const p of parts) {
    expected += p.value;
    bound += p.halfUlp;
  }
  const difference = actual.value - expected;
  const b = scaleBound(bound, s);
  if (difference === 0n) return { verdict: "equal", difference, bound: b };
  return { verdict: abs(difference) <= b ? "rounding" : "mismatch", difference, bound: b };
}

export function compareValues(expected: Amount, actual: Amount, s: ToleranceSettings): Comparison {
  return compareSum([expected], actual, s);
}

/** A printed percentage: value and half-unit in millionths of a percentage point. */
export type Percent = { micro: bigint; halfUlp: bigint; text: string };

export function parsePercent(text: string): Percent | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.replace(/\s/g, ""));
  if (!m) return null;
  const frac = (m[3] ?? "").slice(0, 6);
  const digits = BigInt((m[2] ?? "0") + frac);
  const scale = 10n ** BigInt(frac.length);
  const micro = (digits * 1_000_000n) / scale;
  return { micro: m[1] === "-" ? -micro : micro, halfUlp: 1_000_000n / scale / 2n, text };
}

/**
 * Is the printed percentage consistent with numerator/denominator × 100, each of which is itself a
 * rounded printed amount? Interval arithmetic: the true ratio lies in
 * [(n−hn)/(d+hd), (n+hn)/(d−hd)] (positive amounts); the printed percentage covers [p−hp, p+hp].
 * Returns the exact computed percentage (micro-points) and whether the intervals meet.
 */
export function checkRatio(
  numerator: Amount,
  denominator: Amount,
  printed: Percent,
  s: ToleranceSettings,
): { consistent: boolean; computedMicro: bigint | null } {
  const n = numerator.value;
  const d = denominator.value;
  if (d === 0n) return { consistent: false, computedMicro: null };
  const computedMicro = (n * 100_000_000n) / d; // ratio × 100 × 1e6
  const pLo = printed.micro - printed.halfUlp - s.extraPercentMicro;
  const pHi = printed.micro + printed.halfUlp + s.extraPercentMicro;
  const nLo = n - numerator.halfUlp;
  const nHi = n + numerator.halfUlp;
  const dLo = d - denominator.halfUlp;
  const dHi = d + denominator.halfUlp;
  if (d > 0n && n >= 0n && dLo > 0n) {
    // ratio range [nLo/dHi, nHi/dLo]; compare ×1e8 against the printed interval, cross-multiplied.
    const lowOk = nLo * 100_000_000n <= pHi * dHi; // min ratio ≤ pHi
    const highOk = nHi * 100_000_000n >= pLo * dLo; // max ratio ≥ pLo
    return { consistent: lowOk && highOk, computedMicro };
  }
  const diff = abs(computedMicro - printed.micro);
  return { consistent: diff <= printed.halfUlp + s.extraPercentMicro, computedMicro };
}

export function formatPercentMicro(micro: bigint): string {
  const neg = micro < 0n;
  const a = abs(micro);
  // round half up to 2 decimals for display
  const hundredths = (a + 5_000n) / 10_000n;
  const s = `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, "0")}`;
  return neg ? `-${s}` : s;
}
