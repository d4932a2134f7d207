// Stream fallback (placeholder until the alignment detector lands): finds no tables.
import type { PageModel, TextRun } from "../pdf/pageModel.ts";
import type { RawTable } from "./rawTable.ts";
import type { LayoutSettings } from "./settings.ts";
import type { Grid } from "./tables.ts";

export function findStreamTables(
  runs: readonly TextRun[],
  _page: PageModel,
  _ruled: readonly Grid[],
  _settings: LayoutSettings,
): { tables: RawTable[]; rest: TextRun[] } {
  return { tables: [], rest: [...runs] };
}
