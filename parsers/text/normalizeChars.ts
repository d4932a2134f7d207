// Character clean-up for text taken from PDF text layers.
//
// Decisions (the same for every producer, so downstream patterns see one spelling):
// - Kangxi Radicals (U+2F00–U+2FD5) → the unified ideograph (⽬→目). NFKC does this; we apply NFKC
//   to those code points only.
// - CJK Radicals Supplement (U+2E80–U+2EF3) → the unified ideograph the radical stands for
//   (⻔→门, ⻋→车). NFKC leaves these alone, so an explicit table (Unicode's
//   EquivalentUnifiedIdeograph data, BMP targets only). Radicals with no BMP equivalent stay.
// - CJK Compatibility Ideographs (U+F900–U+FAD9) → their canonical unified ideograph (NFKC).
// - Full-width ASCII forms (U+FF01–U+FF5E) → ASCII: digits, letters, and punctuation, so
//   `１，０５７．９９` reads `1,057.99` and `（一）` reads `(一)`. Chinese documents use （）and ，
//   freely alongside ( ) and , in the same table; one spelling keeps matching simple. Chinese
//   punctuation without an ASCII twin (、。“”《》【】) is kept.
// - Ideographic space U+3000 and other Unicode spaces → a plain space.
// We deliberately do NOT NFKC the whole string: it would also turn ① into 1, ㎡ into m2,
// ¼ into 1/4 and superscripts into digits, which changes meaning in narrative text.

/** CJK Radicals Supplement → unified ideograph (from Unicode EquivalentUnifiedIdeograph.txt). */
export const RADICAL_SUPPLEMENT_MAP: Readonly<Record<string, string>> = Object.freeze({
  "\u2E81": "厂", "\u2E82": "乛", "\u2E83": "乚", "\u2E84": "乙", "\u2E85": "亻", "\u2E86": "冂",
  "\u2E89": "刂", "\u2E8A": "卜", "\u2E8B": "㔾", "\u2E8C": "小", "\u2E8D": "小", "\u2E8F": "尣",
  "\u2E90": "尢", "\u2E92": "巳", "\u2E93": "幺", "\u2E94": "彑", "\u2E96": "忄", "\u2E97": "心",
  "\u2E98": "扌", "\u2E99": "攵", "\u2E9B": "旡", "\u2E9C": "日", "\u2E9D": "月", "\u2E9E": "歺",
  "\u2E9F": "母", "\u2EA0": "民", "\u2EA1": "氵", "\u2EA2": "氺", "\u2EA3": "灬", "\u2EA4": "爫",
  "\u2EA5": "爫", "\u2EA6": "丬", "\u2EA7": "牛", "\u2EA8": "犭", "\u2EA9": "王", "\u2EAB": "目",
  "\u2EAC": "示", "\u2EAD": "礻", "\u2EAF": "糹", "\u2EB0": "纟", "\u2EB1": "罓", "\u2EB2": "罒",
  "\u2EB3": "㓁", "\u2EB6": "羊", "\u2EB7": "羊", "\u2EB9": "耂", "\u2EBB": "聿", "\u2EBC": "肉",
  "\u2EBE": "艹", "\u2EBF": "艹", "\u2EC0": "艹", "\u2EC1": "虎", "\u2EC2": "衤", "\u2EC3": "覀",
  "\u2EC4": "西", "\u2EC5": "见", "\u2EC6": "角", "\u2EC7": "角", "\u2EC8": "讠", "\u2EC9": "贝",
  "\u2ECB": "车", "\u2ECC": "辶", "\u2ECD": "辶", "\u2ECE": "辶", "\u2ECF": "阝", "\u2ED0": "钅",
  "\u2ED1": "長", "\u2ED2": "镸", "\u2ED3": "长", "\u2ED4": "门", "\u2ED6": "阝", "\u2ED7": "雨",
  "\u2ED8": "青", "\u2ED9": "韦", "\u2EDA": "页", "\u2EDB": "风", "\u2EDC": "飞", "\u2EDD": "食",
  "\u2EDF": "飠", "\u2EE0": "饣", "\u2EE2": "马", "\u2EE3": "骨", "\u2EE4": "鬼", "\u2EE5": "鱼",
  "\u2EE6": "鸟", "\u2EE7": "卤", "\u2EE8": "麦", "\u2EE9": "黄", "\u2EEA": "黾", "\u2EEB": "斉",
  "\u2EEC": "齐", "\u2EED": "歯", "\u2EEE": "齿", "\u2EEF": "竜", "\u2EF0": "龙", "\u2EF1": "龜",
  "\u2EF2": "亀", "\u2EF3": "龟",
});

// One pass over the characters that need work; everything else is copied unchanged.
const NEEDS_WORK = /[\u2E80-\u2EF3\u2F00-\u2FD5\uF900-\uFAD9\uFF01-\uFF5E\u3000\u00A0\u2000-\u200A\u202F\u205F]/gu;

export function normalizeChars(s: string): string {
  return s.replace(NEEDS_WORK, (ch) => {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x2e80 && cp <= 0x2ef3) return RADICAL_SUPPLEMENT_MAP[ch] ?? ch;
    if (cp >= 0x2f00 && cp <= 0x2fd5) return ch.normalize("NFKC");
    if (cp >= 0xf900 && cp <= 0xfad9) return ch.normalize("NFKC");
    if (cp >= 0xff01 && cp <= 0xff5e) return String.fromCharCode(cp - 0xfee0);
    return " ";
  });
}

/** How many radical look-alikes (Kangxi or Supplement) a string holds. */
export function countRadicals(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if ((cp >= 0x2e80 && cp <= 0x2ef3) || (cp >= 0x2f00 && cp <= 0x2fd5)) n++;
  }
  return n;
}
