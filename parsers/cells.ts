// The document model → `--format cells` records (DESIGN.md §3): one per non-empty printed cell
// in a value column, with its row label (its own side's in two-sided tables) and header path.
import type { CellRecord, DisclosureDocument } from "./model.ts";
import { decimalToNumber } from "./tables/amounts.ts";

export function toCellRecords(doc: DisclosureDocument): CellRecord[] {
  const out: CellRecord[] = [];
  for (const table of doc.tables) {
    for (const row of table.rows) {
      for (const cell of row.cells) {
        out.push({
          table: table.number,
          title: table.title,
          kind: table.kind,
          page: cell.page,
          row: cell.label ?? row.label,
          column: table.columns[cell.column]?.path ?? [],
          value: cell.value === null ? null : decimalToNumber(cell.value),
          text: cell.text,
        });
      }
    }
  }
  return out;
}
