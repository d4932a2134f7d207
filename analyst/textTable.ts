// Plain-text tables for the terminal, aligned by display width (Han characters take two columns).

/** Terminal columns a string takes: East Asian wide/fullwidth characters count 2. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return w;
}

function fit(s: string, width: number): string {
  if (displayWidth(s) <= width) return s + " ".repeat(width - displayWidth(s));
  let out = "";
  for (const ch of s) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return out + "…" + " ".repeat(Math.max(0, width - displayWidth(out) - 1));
}

export interface TextColumn {
  header: string;
  align?: "left" | "right";
  max?: number;
}

export function renderTable(columns: readonly TextColumn[], rows: readonly (readonly (string | number | undefined)[])[]): string {
  const cells = rows.map((r) => columns.map((_, i) => (r[i] === undefined ? "" : String(r[i]))));
  const widths = columns.map((c, i) => Math.min(c.max ?? 60, Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i] ?? "")))));
  const line = (vals: string[]): string =>
    vals
      .map((v, i) => {
        const w = widths[i] ?? 0;
        if (columns[i]?.align === "right") {
          const t = displayWidth(v) > w ? fit(v, w) : v;
          return " ".repeat(Math.max(0, w - displayWidth(t))) + t;
        }
        return fit(v, w);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n") + "\n";
}
