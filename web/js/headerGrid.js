// Rebuilds a table's printed header from its columns' header paths: one row per header level,
// a spanning parent merged across the consecutive columns that share it, a leaf that stops
// early merged down to the last header row. Shared by the web view and the XLSX export.

/**
 * @param {{ index: number, path: string[] }[]} columns in printed order
 * @returns {{ depth: number, cells: { row: number, col: number, rowSpan: number, colSpan: number, text: string }[] }}
 */
export function headerGrid(columns) {
  const depth = Math.max(1, ...columns.map((c) => c.path.length));
  /** @type {{ row: number, col: number, rowSpan: number, colSpan: number, text: string }[]} */
  const cells = [];
  const same = (a, b, level) => {
    for (let k = 0; k <= level; k++) if (a.path[k] !== b.path[k]) return false;
    return true;
  };
  for (let level = 0; level < depth; level++) {
    let i = 0;
    while (i < columns.length) {
      const c = columns[i];
      if (c.path.length <= level) {
        i += 1; // covered by a leaf merged down from above (or no header at all)
        continue;
      }
      const isLeaf = c.path.length === level + 1;
      let j = i + 1;
      // Only parents span across columns; two leaves with the same text stay two columns.
      while (!isLeaf && j < columns.length && columns[j].path.length > level + 1 && same(columns[j], c, level)) j += 1;
      cells.push({ row: level, col: i, rowSpan: isLeaf ? depth - level : 1, colSpan: j - i, text: c.path[level] ?? "" });
      i = j;
    }
  }
  // Columns with no header at all: an empty cell spanning every header row keeps the grid whole.
  columns.forEach((c, i) => {
    if (c.path.length === 0) cells.push({ row: 0, col: i, rowSpan: depth, colSpan: 1, text: "" });
  });
  return { depth, cells };
}

/**
 * One table row as printed, column by column: each value cell where the parser placed it; label
 * and code columns, which the model keeps on the row (label path, classification code), filled back
 * in — the code's printed parts over the code columns (`208 01 99` → 类 款 项), the label parts over
 * the label columns — for the left side from `label`/`code`, for the right side of a two-sided
 * table from `rightLabel`/`rightCode`.
 * @returns {{ text: string, cell?: object }[]}
 */
export function printedRow(table, row) {
  const out = table.columns.map(() => ({ text: "" }));
  const pos = new Map(table.columns.map((c, i) => [c.index, i]));
  for (const cell of row.cells) {
    const i = pos.get(cell.column);
    if (i !== undefined) out[i] = { text: cell.text, cell };
  }
  for (const side of ["left", "right"]) {
    const onSide = (c) => (side === "left" ? c.side !== "right" : c.side === "right");
    const label = side === "left" ? row.label : row.rightLabel;
    const code = side === "left" ? row.code : row.rightCode;
    const codeCols = table.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.role === "code" && onSide(c));
    const labelCols = table.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.role === "label" && onSide(c));
    if (code && codeCols.length > 0 && codeCols.every(({ i }) => !out[i].cell)) {
      const parts = code.raw.trim().split(/\s+/);
      const fit = parts.length === codeCols.length ? parts : [code.raw.trim()];
      fit.forEach((p, k) => (out[codeCols[k].i] = { text: p }));
    }
    // The model's label path starts with the code when the code was printed in its own columns.
    const squash = (x) => x.replace(/\s+/g, "");
    const shown = code && codeCols.length > 0 ? (label ?? []).filter((p) => squash(p) !== code.code && squash(p) !== squash(code.raw)) : label;
    if (shown && shown.length > 0 && labelCols.length > 0 && labelCols.every(({ i }) => !out[i].cell)) {
      const label = shown;
      const n = labelCols.length;
      const parts = label.length <= n ? label : [...label.slice(0, n - 1), label.slice(n - 1).join(" ")];
      // With fewer label parts than label columns, the name sits in the last (rightmost) column.
      const offset = n - parts.length;
      parts.forEach((p, k) => (out[labelCols[offset + k].i] = { text: p }));
    }
  }
  return out;
}
