// Tidy CSV of cell records (RFC 4180 quoting; paths joined with " / ").
import type { CellRecord } from "../parsers/model.ts";

const HEADER = ["table", "title", "kind", "page", "row", "column", "value", "text"];

function quote(field: string): string {
  return /[",\n\r]/u.test(field) ? `"${field.replace(/"/gu, '""')}"` : field;
}

export function cellsToCsv(records: readonly CellRecord[]): string {
  const lines = [HEADER.join(",")];
  for (const r of records) {
    lines.push(
      [r.table, r.title, r.kind, String(r.page), r.row.join(" / "), r.column.join(" / "), r.value === null ? "" : r.text.replace(/,/gu, ""), r.text]
        .map(quote)
        .join(","),
    );
  }
  return lines.join("\n") + "\n";
}
