import { describe, expect, it } from "vitest";
import { countRadicals, normalizeChars, RADICAL_SUPPLEMENT_MAP } from "../../parsers/text/normalizeChars.ts";

describe("normalizeChars", () => {
  it("maps Kangxi radicals to ideographs (NFKC)", () => {
    expect(normalizeChars("⽬标")).toBe("目标");
    expect(normalizeChars("⼈员")).toBe("人员");
  });

  it("maps CJK Radicals Supplement look-alikes that NFKC leaves alone", () => {
    expect("⻔".normalize("NFKC")).toBe("⻔"); // the reason the table exists
    expect(normalizeChars("部⻔预算")).toBe("部门预算");
    expect(normalizeChars("⻋辆购置")).toBe("车辆购置");
    expect(normalizeChars("⻓期")).toBe("长期");
    expect(normalizeChars("⻅⻉⻚⻛⻜⻝⻢⻥⻦⻩⻬⻰")).toBe("见贝页风飞食马鱼鸟黄齐龙");
  });

  it("every table target is one CJK ideograph, never a radical again", () => {
    for (const [from, to] of Object.entries(RADICAL_SUPPLEMENT_MAP)) {
      expect([...to]).toHaveLength(1);
      expect(countRadicals(to), `${from}→${to}`).toBe(0);
      const cp = to.codePointAt(0)!;
      expect(cp >= 0x3400 && cp <= 0x9fff, `${from}→${to} U+${cp.toString(16)}`).toBe(true);
    }
  });

  it("turns full-width digits, commas and brackets into ASCII", () => {
    expect(normalizeChars("１，０５７．９９")).toBe("1,057.99");
    expect(normalizeChars("（一）财政拨款（补助）")).toBe("(一)财政拨款(补助)");
    expect(normalizeChars("１４．６８％")).toBe("14.68%");
  });

  it("keeps Chinese punctuation without an ASCII twin, and symbols NFKC would rewrite", () => {
    expect(normalizeChars("收入、支出。《预算法》“三公”")).toBe("收入、支出。《预算法》“三公”");
    expect(normalizeChars("①㎡½")).toBe("①㎡½");
  });

  it("turns ideographic and other Unicode spaces into plain spaces", () => {
    expect(normalizeChars("合\u3000计\u00a0x")).toBe("合 计 x");
  });

  it("leaves ordinary text unchanged", () => {
    const s = "一般公共预算支出 2080505 1,895.00";
    expect(normalizeChars(s)).toBe(s);
  });

  it("counts radicals", () => {
    expect(countRadicals("⻔⽬a门")).toBe(2);
    expect(countRadicals(normalizeChars("⻔⽬a门"))).toBe(0);
  });
});
