import { describe, expect, it } from "vitest";
import { DEFAULT_RULING_SETTINGS, extractRulings, mergeSegments } from "../../parsers/pdf/rulings.ts";
import type { Matrix, PathPaint, Point } from "../../parsers/pdf/opWalker.ts";

const S = DEFAULT_RULING_SETTINGS;
const ID: Matrix = [1, 0, 0, 1, 0, 0];
const pts = (...xy: number[]): Point[] => Array.from({ length: xy.length / 2 }, (_, i) => ({ x: xy[2 * i]!, y: xy[2 * i + 1]! }));
const rect = (x: number, y: number, w: number, h: number) => ({ points: pts(x, y, x + w, y, x + w, y + h, x, y + h), closed: true, curved: false });
const paint = (p: Partial<PathPaint>): PathPaint => ({ kind: "stroke", subpaths: [], fill: [0, 0, 0], stroke: [0, 0, 0], fillAlpha: 1, strokeAlpha: 1, lineWidth: 1, ...p });

describe("mergeSegments", () => {
  it("joins collinear fragments (Word draws hundreds) and snaps near-equal positions", () => {
    const segs = Array.from({ length: 30 }, (_, i) => ({ orientation: "h" as const, at: 100 + (i % 3) * 0.3, from: i * 10, to: i * 10 + 10, weight: 10 }));
    const out = mergeSegments(segs, 500, 500, S);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ orientation: "h", from: 0, to: 300 });
    expect(out[0]!.at).toBeGreaterThan(100);
    expect(out[0]!.at).toBeLessThan(100.6);
  });

  it("keeps pieces apart when the gap exceeds joinGap, and lines apart beyond snapTolerance", () => {
    const out = mergeSegments([
      { orientation: "v", at: 50, from: 0, to: 100, weight: 100 },
      { orientation: "v", at: 50, from: 110, to: 200, weight: 90 },
      { orientation: "v", at: 55, from: 0, to: 200, weight: 200 },
    ], 500, 500, S);
    expect(out.map((r) => [r.at, r.from, r.to])).toEqual([[50, 0, 100], [50, 110, 200], [55, 0, 200]]);
  });

  it("clips to the page and drops specks", () => {
    const out = mergeSegments([
      { orientation: "h", at: 10, from: -50, to: 700, weight: 750 },
      { orientation: "h", at: 20, from: 10, to: 11, weight: 1 },
      { orientation: "h", at: 900, from: 10, to: 100, weight: 90 },
    ], 500, 800, S);
    expect(out).toEqual([{ orientation: "h", at: 10, from: -1, to: 501 }]);
  });
});

describe("extractRulings", () => {
  it("turns a stroked rectangle into four edges and flips y to a top-left origin", () => {
    const viewport: Matrix = [1, 0, 0, -1, 0, 800];
    const out = extractRulings([paint({ kind: "stroke", subpaths: [rect(100, 100, 200, 50)] })], viewport, 600, 800);
    expect(out).toEqual([
      { orientation: "h", at: 650, from: 100, to: 300 },
      { orientation: "h", at: 700, from: 100, to: 300 },
      { orientation: "v", at: 100, from: 650, to: 700 },
      { orientation: "v", at: 300, from: 650, to: 700 },
    ]);
  });

  it("thin filled rectangles are lines, wide fills and white fills are not", () => {
    const out = extractRulings([
      paint({ kind: "fill", subpaths: [rect(10, 100, 300, 0.5)] }),
      paint({ kind: "fill", subpaths: [rect(50, 10, 1, 300)] }),
      paint({ kind: "fill", subpaths: [rect(10, 200, 300, 20)] }),
      paint({ kind: "fill", fill: [255, 255, 255], subpaths: [rect(10, 300, 300, 0.5)] }),
      paint({ kind: "fill", fill: [250, 250, 250], subpaths: [rect(10, 400, 300, 0.5)] }),
      paint({ kind: "fill", subpaths: [rect(400, 400, 0.8, 0.8)] }), // a junction dot
    ], ID, 600, 800);
    expect(out).toEqual([
      { orientation: "h", at: 100.25, from: 10, to: 310 },
      { orientation: "v", at: 50.5, from: 10, to: 310 },
    ]);
  });

  it("stroke + fill of the same line collapse to one ruling", () => {
    const out = extractRulings([
      paint({ kind: "stroke", subpaths: [{ points: pts(10, 100, 300, 100), closed: false, curved: false }] }),
      paint({ kind: "fill", subpaths: [rect(10, 99.7, 290, 0.6)] }),
    ], ID, 600, 800);
    expect(out).toHaveLength(1);
    expect(out[0]!.from).toBe(10);
    expect(out[0]!.to).toBe(300);
  });

  it("ignores white strokes, invisible paints, curves, slanted and staircase drawings", () => {
    const stair = pts(0, 0, 3, 0, 3, 1, 6, 1, 6, 2, 9, 2, 9, 3, 12, 3);
    const out = extractRulings([
      paint({ kind: "stroke", stroke: [255, 255, 255], subpaths: [{ points: pts(0, 50, 300, 50), closed: false, curved: false }] }),
      paint({ kind: "stroke", strokeAlpha: 0, subpaths: [{ points: pts(0, 60, 300, 60), closed: false, curved: false }] }),
      paint({ kind: "stroke", subpaths: [{ points: pts(0, 70, 300, 70), closed: false, curved: true }] }),
      paint({ kind: "stroke", subpaths: [{ points: pts(0, 80, 100, 80, 200, 140), closed: false, curved: false }] }),
      paint({ kind: "stroke", subpaths: [{ points: stair, closed: false, curved: false }] }),
    ], ID, 600, 800);
    expect(out).toEqual([]);
  });

  it("applies a rotating viewport: a vertical user-space line becomes horizontal", () => {
    const rot90: Matrix = [0, 1, 1, 0, 0, 0];
    const out = extractRulings([paint({ subpaths: [{ points: pts(480, 100, 480, 400), closed: false, curved: false }] })], rot90, 842, 595);
    expect(out).toEqual([{ orientation: "h", at: 480, from: 100, to: 400 }]);
  });
});
