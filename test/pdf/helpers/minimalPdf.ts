// A tiny hand-rolled PDF writer for test fixtures: pages with raw content streams, the standard
// Helvetica font (no embedding), optional /Rotate, Form XObjects and inline images. It writes a
// correct xref table so every reader opens the result without repair.

export interface FixturePage {
  width: number;
  height: number;
  rotate?: 0 | 90 | 180 | 270;
  /** Raw content-stream operators. Font /F1 is Helvetica, /F2 Helvetica with a radical-mapping
   *  ToUnicode (A→⻔, B→⽬); /Fm1 is `form` below; /OC /hidden BDC … EMC is a layer that is off. */
  content: string;
  /** Optional Form XObject /Fm1: its content and matrix. */
  form?: { content: string; matrix?: [number, number, number, number, number, number]; bbox: [number, number, number, number] };
}

export function buildPdf(pages: FixturePage[], info: { producer?: string } = {}): Uint8Array {
  const objects: string[] = []; // index i → object number i+1
  const add = (body: string): number => {
    objects.push(body);
    return objects.length;
  };
  const catalog = add(""); // placeholder, filled below
  const pagesObj = add("");
  const font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  // /F2: Helvetica whose ToUnicode maps A→U+2ED4 (⻔) and B→U+2F6C (⽬), as some Chinese producers
  // map Han characters to radical code points.
  const cmap = [
    "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
    "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
    "1 begincodespacerange <00> <FF> endcodespacerange",
    "2 beginbfchar <41> <2ED4> <42> <2F6C> endbfchar",
    "endcmap CMapName currentdict /CMap defineresource pop end end",
  ].join("\n");
  const toUnicode = add(stream(cmap));
  const radicalFont = add(`<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode ${toUnicode} 0 R >>`);
  const fonts = `/Font << /F1 ${font} 0 R /F2 ${radicalFont} 0 R >>`;
  // An optional-content group switched off in the default view: /OC /hidden BDC … EMC is not shown.
  const ocg = add("<< /Type /OCG /Name (Hidden layer) >>");
  const properties = ` /Properties << /hidden ${ocg} 0 R >>`;
  const kids: number[] = [];
  for (const p of pages) {
    const content = add(stream(p.content));
    let xobj = "";
    if (p.form) {
      const m = p.form.matrix ? ` /Matrix [${p.form.matrix.join(" ")}]` : "";
      const formObj = add(stream(p.form.content, `/Type /XObject /Subtype /Form /BBox [${p.form.bbox.join(" ")}]${m} /Resources << /Font << /F1 ${font} 0 R >> >>`));
      xobj = ` /XObject << /Fm1 ${formObj} 0 R >>`;
    }
    const rotate = p.rotate ? ` /Rotate ${p.rotate}` : "";
    kids.push(add(`<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${p.width} ${p.height}]${rotate} /Resources << ${fonts}${xobj}${properties} >> /Contents ${content} 0 R >>`));
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R /OCProperties << /OCGs [${ocg} 0 R] /D << /OFF [${ocg} 0 R] >> >> >>`;
  objects[pagesObj - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`;
  const infoObj = add(`<< /Producer (${info.producer ?? "budgetlens test fixture"}) >>`);

  let out = "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${infoObj} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, "latin1"));
}

function stream(content: string, dict = ""): string {
  return `<< ${dict} /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}\nendstream`;
}

/** BT … ET showing `text` with Helvetica at (x, y) in user space. */
export function text(x: number, y: number, s: string, size = 12, extra = ""): string {
  return `BT /F1 ${size} Tf ${extra} 1 0 0 1 ${x} ${y} Tm (${s}) Tj ET`;
}
