// Property tests: rounding never becomes an error, a real gap always does; hierarchy sums.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkDocument } from "../../reconcile/index.ts";
import { formatMicro, parseAmount } from "../../reconcile/money.ts";
import { compareSum, DEFAULT_TOLERANCE } from "../../reconcile/tolerance.ts";
import { doc, table, type RowSpec } from "./builders.ts";

/** True values in 万元 with 4 decimals, printed rounded to 2 (half up) as the filings do. */
const print = (tenThousandths: number) => {
  const cents = Math.floor((tenThousandths + 50) / 100);
  return formatMicro(BigInt(cents) * 1_000_000n * 100n, "万元");
};

describe("tolerance", () => {
  // Parts are true zeros or print as at least 0.01: a printed 0.00 is taken as exactly nothing (a
  // blank line; reconcile/money.ts parseAmount gives it no rounding allowance), so a true 0.004
  // printed as 0.00 is outside this property (found by fast-check: parts 0.0010 + 0.0021 + 0.0019
  // print 0.00 each, their total 0.0050 prints 0.01).
  const part = fc.oneof(fc.constant(0), fc.integer({ min: 50, max: 10_000_000 }));
  it("a total printed from the exact sum of rounded parts is never a mismatch", () => {
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 24 }), (parts) => {
      const total = parts.reduce((s, p) => s + p, 0);
      const printedParts = parts.map((p) => parseAmount(print(p), "万元")!);
      const printedTotal = parseAmount(print(total), "万元")!;
      expect(compareSum(printedParts, printedTotal, DEFAULT_TOLERANCE).verdict).not.toBe("mismatch");
    }));
  });
  it("a gap larger than the combined half-units is a mismatch", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 1000 }), (cents, extra) => {
      const parts = cents.map((c) => parseAmount(formatMicro(BigInt(c) * 100_000_000n, "万元"), "万元")!);
      const sum = cents.reduce((s, c) => s + c, 0);
      // Half a cent per printed number: off by more than that in cents is beyond rounding.
      const bound = Math.ceil((cents.length + 1) / 2);
      const total = parseAmount(formatMicro(BigInt(sum + bound + extra) * 100_000_000n, "万元"), "万元")!;
      expect(compareSum(parts, total, DEFAULT_TOLERANCE).verdict).toBe("mismatch");
    }));
  });
  it("whole 元 beside decimals carries half a 元", () => {
    const a = parseAmount("10302736", "元")!;
    const b = parseAmount("10302736.40", "元")!;
    expect(compareSum([a], b, DEFAULT_TOLERANCE).verdict).toBe("rounding");
    expect(compareSum([parseAmount("10302735", "元")!], b, DEFAULT_TOLERANCE).verdict).toBe("mismatch");
  });
  it("normalises 元 and 万元", () => {
    expect(compareSum([parseAmount("99750.00", "元")!], parseAmount("9.98", "万元")!, DEFAULT_TOLERANCE).verdict).toBe("rounding");
  });
});

describe("hierarchy", () => {
  const tree = fc.array(fc.array(fc.array(fc.integer({ min: 0, max: 99_999_99 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });
  const build = (t: number[][][], bump?: [number, number, number]) => {
    const rows: RowSpec[] = [];
    const money = (c: number) => formatMicro(BigInt(c) * 100_000_000n, "万元");
    let grand = 0;
    t.forEach((kuan, i) => {
      const lei = 201 + i;
      const leiSum = kuan.flat().reduce((s, x) => s + x, 0);
      grand += leiSum;
      rows.push({ l: `类${i}`, code: `${lei}`, v: [money(leiSum)] });
      kuan.forEach((xiang, j) => {
        rows.push({ l: `款${i}${j}`, code: `${lei} ${String(j + 1).padStart(2, "0")}`, v: [money(xiang.reduce((s, x) => s + x, 0))] });
        xiang.forEach((x, k) => {
          const v = bump && bump[0] === i && bump[1] === j && bump[2] === k ? x + 100 : x;
          rows.push({ l: `项${i}${j}${k}`, code: `${lei} ${String(j + 1).padStart(2, "0")} ${String(k + 1).padStart(2, "0")}`, v: [money(v)] });
        });
      });
    });
    rows.unshift({ l: "合计", v: [money(grand)], total: true });
    return doc([table("t1", { number: "表5", title: "一般公共预算支出情况表", kind: "general_budget_expenditure", cols: [["合计"]], rows })]);
  };
  it("consistent trees give no errors; one changed 项 is flagged on its 款", () => {
    fc.assert(fc.property(tree, (t) => {
      expect(checkDocument(build(t)).filter((f) => f.severity === "error")).toEqual([]);
      const flags = checkDocument(build(t, [0, 0, 0]));
      expect(flags.some((f) => f.severity === "error" && f.rule === "sum.children" && f.row?.[0] === "201 01" && f.difference === "-1.00")).toBe(true);
    }), { numRuns: 60 });
  });
});
