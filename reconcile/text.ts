// Text normalisation shared by table lookup and narrative matching: printed labels vary in spacing
// (letter-spaced `合   计`), bracket width, quote style and, from some producers, CJK Radicals
// Supplement code points (⻔ for 门) that NFKC leaves alone.

const RADICALS: Record<string, string> = {
  "⻔": "门", "⻋": "车", "⻓": "长", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻢": "马",
  "⻅": "见", "⻉": "贝", "⻄": "西", "⻅ ": "见", "⻩": "黄", "⻬": "齐", "⻰": "龙", "⻳": "龟",
  "⻨": "麦", "⻥": "鱼", "⻦": "鸟", "⻮": "齿", "⺠": "民", "⻆": "角", "⻣": "骨", "⻤": "鬼",
  "⻯": "龙", "⻆ ": "角", "⺟": "母", "⺫": "罒", "⻗": "雨", "⻘": "青", "⻙": "韦", "⻘ ": "青",
};

export function mapRadicals(s: string): string {
  return s.replace(/[\u2E80-\u2EFF]/g, (c) => RADICALS[c] ?? c);
}

/** Canonical form for comparing labels and headers: no whitespace, ASCII brackets, no quotes. */
export function norm(s: string): string {
  return mapRadicals(s.normalize("NFKC"))
    .replace(/\s+/g, "")
    .replace(/[“”"‘’'「」『』]/g, "")
    .replace(/[（]/g, "(")
    .replace(/[）]/g, ")")
    .replace(/[【]/g, "[")
    .replace(/[】]/g, "]");
}

/** Strip a leading outline number: 一、 / 1. / (一) / 1、 / 其中： */
export function stripNumbering(s: string): string {
  return s
    .replace(/^(其中[:：])/, "")
    .replace(/^[一二三四五六七八九十]+[、.．]/, "")
    .replace(/^\(?[一二三四五六七八九十]+\)[、.．]?/, "")
    .replace(/^\d+[、.．](?!\d)/, "")
    .replace(/^\(\d+\)/, "");
}

const TOTAL_WORDS = /(合计|总计|小计)$/;
export function isTotalWord(s: string): boolean {
  return TOTAL_WORDS.test(norm(s));
}
