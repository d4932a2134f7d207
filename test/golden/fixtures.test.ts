// Golden tests: every committed fixture PDF parsed and scored cell by cell against its truth.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../parsers/index.ts";
import { toCellRecords } from "../../parsers/cells.ts";
import type { CellRecord, TableKind, Unit } from "../../parsers/model.ts";
import { normalize, scoreCells } from "../../fixtures/score.ts";

interface Truth {
  tables: { number: string; title: string; kind: TableKind; unit: Unit | null; pages: number[]; empty: boolean; note: string | null }[];
  cells: CellRecord[];
  department: string;
  year: number;
}

const root = join(import.meta.dirname, "../../fixtures");
const names = readdirSync(join(root, "truth")).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/u, "")).sort();

describe("golden fixtures", () => {
  it("has fixtures to check", () => expect(names.length).toBeGreaterThanOrEqual(5));

  for (const name of names) {
    it(`${name}: cell F1 ≥ 0.99 and every table found with its kind, unit and pages`, async () => {
      const truth = JSON.parse(readFileSync(join(root, "truth", `${name}.json`), "utf8")) as Truth;
      const doc = await parseDocument(new Uint8Array(readFileSync(join(root, "pdf", `${name}.pdf`))), { fileName: `${name}.pdf` });
      const score = scoreCells(toCellRecords(doc), truth.cells);
      expect.soft(score.f1, `${name}: P ${score.precision} R ${score.recall}; first mismatches ${JSON.stringify(score.mismatches.slice(0, 3))}`).toBeGreaterThanOrEqual(0.99);
      const found = new Map(doc.tables.map((t) => [normalize(t.number), t]));
      for (const want of truth.tables) {
        const got = found.get(normalize(want.number));
        expect.soft(got, `${name}: table ${want.number} missing`).toBeDefined();
        if (!got) continue;
        expect.soft({ kind: got.kind, empty: got.empty, pages: got.pages }, `${name} ${want.number}`).toEqual({ kind: want.kind, empty: want.empty, pages: want.pages });
        if (want.unit) expect.soft(got.unit, `${name} ${want.number} unit`).toBe(want.unit);
        if (want.note) expect.soft(normalize(got.note ?? ""), `${name} ${want.number} note`).toBe(normalize(want.note));
      }
      // Every label entry knows the column it was printed in: a label (or code) column of its side.
      for (const t of doc.tables)
        for (const r of t.rows) {
          const sides: [string[] | undefined, number[] | undefined, "left" | "right"][] = [
            [r.label, r.labelColumns, "left"],
            [r.rightLabel, r.rightLabelColumns, "right"],
          ];
          for (const [label, columns, side] of sides) {
            if (!label) continue;
            expect.soft(columns?.length, `${name} ${t.number} row ${r.index} ${side} labelColumns`).toBe(label.length);
            for (const c of columns ?? []) {
              const col = t.columns[c];
              expect.soft(col && col.role !== "value" && (col.side ?? "left") === side, `${name} ${t.number} row ${r.index}: column ${c} is a ${side} label column`).toBe(true);
            }
          }
        }
      expect.soft(normalize(doc.meta.department ?? "")).toBe(normalize(truth.department));
      expect.soft(doc.meta.year).toBe(truth.year);
    });
  }
});
