import { describe, expect, it } from "vitest";
import { memoize } from "../../parsers/memo.ts";

describe("memoize", () => {
  it("computes each key once, remembers null answers too, and starts again empty at its bound", () => {
    const asked: string[] = [];
    const f = memoize((k: string) => (asked.push(k), k === "none" ? null : k.length), 3);
    expect([f("a"), f("bb"), f("a"), f("none"), f("none")]).toEqual([1, 2, 1, null, null]);
    expect(asked).toEqual(["a", "bb", "none"]);
    f("cccc"); // a fourth key: the memory is full, so it is emptied first
    f("a");
    expect(asked).toEqual(["a", "bb", "none", "cccc", "a"]);
  });
});
