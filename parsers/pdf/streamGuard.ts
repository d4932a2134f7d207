// Decompression bombs: a few KB of Flate data that inflate to gigabytes. pdfjs inflates a stream
// synchronously and in full, in our thread, so neither its page timer nor ours can stop it.
// Before pdfjs sees the file, every Flate stream is inflated here with zlib's native output cap:
// memory stays within the cap and an absurd stream is refused at once.
import { inflateSync } from "node:zlib";

const STREAM = /stream\r?\n/g;
const FILTERS = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/;
const DICT_LOOKBACK = 2048;

/** The size a stream inflates to, or Infinity when it exceeds `cap`; undefined when it is not plain Flate data we can read. */
function inflatedSize(data: Buffer, flateRounds: number, cap: number): number | undefined {
  let current = data;
  for (let i = 0; i < flateRounds; i++) {
    try {
      current = inflateSync(current, { maxOutputLength: cap });
    } catch (e) {
      if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) return Infinity;
      return undefined; // encrypted or damaged: pdfjs decides what it is
    }
  }
  return current.length;
}

/**
 * The largest stream in the file that inflates past `maxStreamBytes`, or null. Streams are found by
 * their `stream` keyword and `endstream`; the filter chain is read from the dictionary before it.
 */
export function findDecompressionBomb(bytes: Uint8Array, maxStreamBytes: number): { offset: number; filters: string } | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString("latin1");
  STREAM.lastIndex = 0;
  for (let m = STREAM.exec(text); m !== null; m = STREAM.exec(text)) {
    if (text.slice(Math.max(0, m.index - 3), m.index) === "end") continue;
    const start = m.index + m[0].length;
    const end = text.indexOf("endstream", start);
    if (end < 0) break;
    const dict = text.slice(Math.max(0, m.index - DICT_LOOKBACK), m.index);
    const filterText = FILTERS.exec(dict.slice(dict.lastIndexOf("<<")))?.[1] ?? "";
    const names = filterText.match(/\/[A-Za-z0-9]+/g) ?? [];
    let rounds = 0;
    while (rounds < names.length && /^\/(FlateDecode|Fl)$/.test(names[rounds]!)) rounds++;
    if (rounds > 0 && inflatedSize(buf.subarray(start, end), rounds, maxStreamBytes) === Infinity) return { offset: m.index, filters: filterText };
    STREAM.lastIndex = end + "endstream".length;
  }
  return null;
}
