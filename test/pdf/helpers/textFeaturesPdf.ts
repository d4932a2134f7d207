// A one-page PDF exercising what pdfjs getTextContent handles, for checking that the text items
// rebuilt from the operator list (parsers/pdf/textContent.ts) are the same: TJ adjustments small
// (a space) and large (a new item) and negative, Tc / Tw / Tz / Ts, the ' and " operators, TD / T* /
// TL, rotated and skewed text, a form XObject with a matrix, marked content, text off the page,
// a Type3 font shown at Tf 1 (pdfjs's glyph-height correction), a CJK Type0 font with Identity-H
// and a ToUnicode map, and vertical CJK (UniGB-UCS2-V).

export function textFeaturesPdf(): Uint8Array {
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);
  const stream = (content: string, dict = "") => `<< ${dict} /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}\nendstream`;
  const catalog = add("");
  const pages = add("");
  const helv = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  // Type3: two square glyphs "a" and "b" in a 100-unit em (FontMatrix 0.01: not the identity, so
  // pdfjs scales the item height by the glyph bbox at Tf 1).
  const sq = add(stream("100 0 0 0 80 80 d1 0 0 80 80 re f"));
  const type3 = add(
    `<< /Type /Font /Subtype /Type3 /FontBBox [0 0 80 80] /FontMatrix [0.01 0 0 0.01 0 0] /CharProcs << /sq ${sq} 0 R >> ` +
      "/Encoding << /Type /Encoding /Differences [97 /sq /sq] >> /FirstChar 97 /LastChar 98 /Widths [100 100] >>",
  );
  // CJK, Identity-H with a ToUnicode map: CID 1 → 中, 2 → 文, 3 → 字.
  const toUni = add(
    stream(
      [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
        "3 beginbfchar <0001> <4E2D> <0002> <6587> <0003> <5B57> endbfchar",
        "endcmap CMapName currentdict /CMap defineresource pop end end",
      ].join("\n"),
    ),
  );
  const cidFont = (ordering: string) => `[<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (${ordering}) /Supplement 4 >> /DW 1000 ` +
    "/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >> >>]";
  const identity = add(`<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H /DescendantFonts ${cidFont("Identity")} /ToUnicode ${toUni} 0 R >>`);
  const vertical = add(`<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-V /DescendantFonts ${cidFont("GB1")} >>`);
  const horizontalGb = add(`<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts ${cidFont("GB1")} >>`);
  const form = add(stream("BT /F1 9 Tf 5 5 Td (Inside the form) Tj ET", `/Type /XObject /Subtype /Form /BBox [0 0 200 50] /Matrix [0.8 0 0 0.8 0 0] /Resources << /Font << /F1 ${helv} 0 R >> >>`));
  const content = [
    "BT /F1 10 Tf 50 800 Td [(Kerned)-120(words)-250(and)-2000(gap)] TJ ET",
    "BT /F1 10 Tf 50 780 Td [(Back)3000(wards)] TJ ET",
    "BT /F1 10 Tf 2 Tc 3 Tw 50 760 Td (Spaced out words) Tj 0 Tc 0 Tw ET",
    "BT /F1 10 Tf 150 Tz 50 740 Td (Wide text) Tj 100 Tz ET",
    "BT /F1 10 Tf 50 720 Td (Base) Tj 4 Ts (raised) Tj 0 Ts ( again) Tj ET",
    "BT /F1 10 Tf 14 TL 50 700 Td (Line one) Tj T* (Line two) Tj (Line three) ' 1 0.5 (Line four) \" ET",
    "BT /F1 10 Tf 50 630 Td 0 -12 TD (After TD) Tj T* (After T*) Tj ET",
    "BT /F1 10 Tf 0 1 -1 0 500 500 Tm (Rotated ninety) Tj ET",
    "BT /F1 10 Tf 0.866 0.5 -0.5 0.866 300 300 Tm (Thirty degrees) Tj ET",
    "BT /F1 10 Tf 1 0 0.3 1 300 250 Tm (Skewed) Tj ET",
    "BT /F1 10 Tf 0.5 0 0 0.5 60 560 Tm (Scaled Tm) Tj 40 0 Td (next) Tj ET",
    "q 1 0 0 1 100 150 cm /Fm1 Do Q",
    "/Span << /ActualText (x) >> BDC BT /F1 10 Tf 50 520 Td (Marked) Tj EMC (after mark) Tj ET",
    "BT /F1 10 Tf -300 500 Td (Off the page) Tj ET",
    "BT /F1 10 Tf 580 480 Td (Crosses the edge) Tj ET",
    "BT /F3 1 Tf 12 0 0 12 50 460 Tm (abab) Tj ET",
    "BT /F3 12 Tf 50 440 Td (ba) Tj ET",
    "BT /F4 12 Tf 50 400 Td <000100020003> Tj [<0001> -500 <0002>] TJ ET",
    "BT /F6 12 Tf 50 370 Td <4E2D65875B57> Tj ET",
    "BT /F5 12 Tf 400 420 Td <4E2D65875B57> Tj ET",
  ].join("\n");
  const contentObj = add(stream(content));
  const page = add(
    `<< /Type /Page /Parent ${pages} 0 R /MediaBox [0 0 595 842] /Contents ${contentObj} 0 R ` +
      `/Resources << /Font << /F1 ${helv} 0 R /F3 ${type3} 0 R /F4 ${identity} 0 R /F5 ${vertical} 0 R /F6 ${horizontalGb} 0 R >> /XObject << /Fm1 ${form} 0 R >> >> >>`,
  );
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pages} 0 R >>`;
  objects[pages - 1] = `<< /Type /Pages /Kids [${page} 0 R] /Count 1 >>`;
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, "latin1"));
}
