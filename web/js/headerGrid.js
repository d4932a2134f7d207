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
