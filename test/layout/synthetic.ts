// Builders for synthetic PageModels: ruled grids (drawn as per-slot fragments, like Word does) and text runs.
import type { PageModel, Ruling, TextRun } from "../../parsers/pdf/pageModel.ts";
import { charWeight } from "../../parsers/layout/assignText.ts";

export interface Merge {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
}

/** Rulings of a grid with column lines xs and row lines ys; interior lines of merged cells are not drawn. */
export function ruledGrid(xs: number[], ys: number[], merges: Merge[] = []): Ruling[] {
  const nRows = ys.length - 1;
  const nCols = xs.length - 1;
  const owner: number[][] = Array.from({ length: nRows }, (_, r) => Array.from({ length: nCols }, (_, c) => r * nCols + c));
  merges.forEach((m, i) => {
    for (let r = m.row; r < m.row + m.rowSpan; r++) for (let c = m.col; c < m.col + m.colSpan; c++) owner[r]![c] = -1 - i;
  });
  const rulings: Ruling[] = [];
  for (let i = 0; i <= nRows; i++)
    for (let c = 0; c < nCols; c++) {
      const above = i > 0 ? owner[i - 1]![c] : undefined;
      const below = i < nRows ? owner[i]![c] : undefined;
      if (above !== undefined && above === below) continue;
      rulings.push({ orientation: "h", at: ys[i]!, from: xs[c]!, to: xs[c + 1]! });
    }
  for (let k = 0; k <= nCols; k++)
    for (let r = 0; r < nRows; r++) {
      const left = k > 0 ? owner[r]![k - 1] : undefined;
      const right = k < nCols ? owner[r]![k] : undefined;
      if (left !== undefined && left === right) continue;
      rulings.push({ orientation: "v", at: xs[k]!, from: ys[r]!, to: ys[r + 1]! });
    }
  return rulings;
}

/** A run whose width follows from its characters (Han 1 em, others ½ em) unless x1 is given. */
export function run(text: string, x0: number, y0: number, opts: { fontSize?: number; x1?: number } = {}): TextRun {
  const fontSize = opts.fontSize ?? 10;
  const width = [...text].reduce((s, c) => s + charWeight(c), 0) * fontSize;
  return { text, x0, y0, x1: opts.x1 ?? x0 + width, y1: y0 + fontSize, fontSize, fontName: "SimSun" };
}

/** A run centred in the box (x0..x1, y0..y1). */
export function centred(text: string, box: { x0: number; x1: number; y0: number; y1: number }, fontSize = 10): TextRun {
  const width = [...text].reduce((s, c) => s + charWeight(c), 0) * fontSize;
  const x = (box.x0 + box.x1) / 2 - width / 2;
  const y = (box.y0 + box.y1) / 2 - fontSize / 2;
  return run(text, x, y, { fontSize });
}

export function page(runs: TextRun[], rulings: Ruling[], pageNumber = 1): PageModel {
  return { pageNumber, width: 595, height: 842, rotation: 0, runs, rulings };
}
