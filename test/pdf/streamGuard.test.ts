import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { findDecompressionBomb } from "../../parsers/pdf/streamGuard.ts";

function pdfWithStream(data: Buffer, filter: string): Uint8Array {
  const head = Buffer.from(`%PDF-1.7\n4 0 obj\n<< /Length ${data.length} /Filter ${filter} >>\nstream\n`, "latin1");
  return new Uint8Array(Buffer.concat([head, data, Buffer.from("\nendstream\nendobj\n%%EOF\n", "latin1")]));
}

describe("findDecompressionBomb", () => {
  const twoMb = Buffer.alloc(2 * 1024 * 1024, 0x20);
  it("refuses a Flate stream that inflates past the cap, through a filter chain", () => {
    expect(findDecompressionBomb(pdfWithStream(deflateSync(twoMb), "/FlateDecode"), 1024 * 1024)).toMatchObject({ filters: "/FlateDecode" });
    const twice = deflateSync(deflateSync(twoMb));
    expect(findDecompressionBomb(pdfWithStream(twice, "[/FlateDecode /FlateDecode]"), 1024 * 1024)).not.toBeNull();
  });
  it("accepts streams under the cap, non-Flate streams and unreadable (encrypted) data", () => {
    expect(findDecompressionBomb(pdfWithStream(deflateSync(twoMb), "/FlateDecode"), 4 * 1024 * 1024)).toBeNull();
    expect(findDecompressionBomb(pdfWithStream(twoMb.subarray(0, 1000), "/DCTDecode"), 10)).toBeNull();
    expect(findDecompressionBomb(pdfWithStream(Buffer.from("not zlib data at all"), "/FlateDecode"), 10)).toBeNull();
  });
});
