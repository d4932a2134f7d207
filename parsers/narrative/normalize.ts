// Narrative text as printed is justified with spaces between characters (`项 目 支 出 4,968.34 万 元`)
// and breaks lines anywhere (`0.00` / `万元`). Facts are read from one whitespace-free stream per
// document, with a map back to each character's page and to line starts (where headings begin).

const FULLWIDTH_DIGIT = /[０-９]/g;
const RADICALS: Record<string, string> = {
  "⻔": "门", "⻋": "车", "⻓": "长", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻢": "马",
  "⻅": "见", "⻉": "贝", "⻄": "西", "⻩": "黄", "⻬": "齐", "⻰": "龙", "⻳": "龟", "⻨": "麦",
  "⻥": "鱼", "⻦": "鸟", "⻮": "齿", "⺠": "民", "⻆": "角", "⻣": "骨", "⻤": "鬼", "⺟": "母",
  "⻗": "雨", "⻘": "青", "⻙": "韦",
};

export function normalizeChars(s: string): string {
  return s
    .replace(FULLWIDTH_DIGIT, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[\u2E80-\u2EFF]/g, (c) => RADICALS[c] ?? c)
    .replace(/％/g, "%")
    .replace(/;/g, "；")
    .replace(/:/g, "：")
    .replace(/。/g, "。")
    .replace(/(\d)[．](\d)/g, "$1.$2")
    .replace(/[“”"]/g, "")
    .replace(/\(/g, "（")
    .replace(/\)/g, "）");
}

export type Stream = {
  text: string;
  /** page of each character of `text` */
  pages: number[];
  /** offsets in `text` where a printed line or paragraph began */
  lineStarts: Set<number>;
};

export function buildStream(paragraphs: readonly { page: number; text: string }[]): Stream {
  let text = "";
  const pages: number[] = [];
  const lineStarts = new Set<number>();
  for (const p of paragraphs) {
    for (const line of p.text.split(/\r?\n/)) {
      const clean = normalizeChars(line).replace(/\s+/g, "");
      if (clean === "") continue;
      lineStarts.add(text.length);
      text += clean;
      for (let i = 0; i < clean.length; i++) pages.push(p.page);
    }
  }
  // ASCII commas that do not separate thousands are clause breaks.
  text = text.replace(/,(?!\d{3}(?!\d))/g, "，").replace(/(?<!\d),/g, "，");
  return { text, pages, lineStarts };
}
