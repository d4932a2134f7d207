// Regenerates the committed PDF fixtures in this folder:
//   npx tsx test/pdf/data/generate.ts
// Needs qpdf on PATH for the encrypted fixtures (apt-get install qpdf).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPdf, text } from "../helpers/minimalPdf.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = (name: string) => path.join(here, name);

// Page 1 (A4 portrait): a 2×2 ruled grid drawn three ways, a white cell background, a Word-like
// fragmented line, visible / invisible / white text, a duplicate, an off-page run, a form XObject.
const grid = [
  // Outer frame: stroked rectangle (re S) 100..500 × 500..700.
  "0 0 0 RG 0.5 w 100 500 400 200 re S",
  // Middle horizontal: stroked line m/l, drawn in two collinear pieces with a 1 pt gap.
  "100 600 m 299 600 l S 300 600 m 500 600 l S",
  // Middle vertical: thin filled rectangle (0.6 pt wide), black fill.
  "0 g 299.7 500 0.6 200 re f",
  // A white filled cell background: must not become a ruling.
  "1 g 100.5 600.5 199 99 re f",
  // A grey filled band 30 pt tall: a background, not a ruling.
  "0.8 g 300.5 500.5 199 30 re f",
  // Word-like: a horizontal line at y=450 made of 40 tiny 10×0.5 filled fragments.
  "0 g " + Array.from({ length: 40 }, (_, i) => `${100 + i * 10} 450 10 0.5 re f`).join(" "),
  // Translated by the CTM: a vertical stroked line at x = 50+10 = 60, y 100..300.
  "q 1 0 0 1 50 100 cm 10 0 m 10 200 l S Q",
  // A scaled CTM: horizontal line at y = 2*40 = 80 from x = 2*50 = 100 to 2*150 = 300.
  "q 2 0 0 2 0 0 cm 0.25 w 50 40 m 150 40 l S Q",
  // A white stroked line (an "erased" border): ignored.
  "1 G 100 400 m 500 400 l S 0 G",
  // A diagonal line: not a ruling.
  "100 350 m 200 380 l S",
].join("\n");

const texts = [
  "0 g " + text(110, 650, "Cell A"),
  text(310, 650, "Cell B"),
  text(110, 550, "1,057.99"),
  // Invisible render mode (Tr 3): dropped.
  "0 g " + text(110, 620, "HIDDEN", 12, "3 Tr") + " BT 0 Tr ET",
  // White text on white: dropped.
  "1 g " + text(310, 620, "WHITEONWHITE") + " 0 g",
  // White text on a black filled box: visible, kept.
  "0 g 100 720 150 20 re f 1 g " + text(105, 725, "INVERSE") + " 0 g",
  // The same text at the same place twice: one run.
  text(310, 550, "DUP"),
  text(310, 550, "DUP"),
  // Off the page: dropped.
  text(-400, 650, "OFFPAGE"),
  // Clipped by a small clip path but held in full by the text layer: kept.
  "q 400 500 20 20 re W n " + text(402, 505, "CLIPPEDLONGTEXT") + " Q",
  // Form XObject placed with cm: its text lands at (200+10, 100+20) in user space.
  "q 1 0 0 1 200 100 cm /Fm1 Do Q",
].join("\n");

const page1 = {
  width: 595, height: 842, content: grid + "\n" + texts,
  form: { content: text(10, 20, "IN FORM", 10) + " 0.5 w 0 0 m 100 0 l S", bbox: [0, 0, 200, 100] as [number, number, number, number] },
};

// Page 2: portrait MediaBox with /Rotate 90 and content drawn rotated, as landscape tables are
// printed by some drivers. Shown upright, "Rotated line" reads left to right near the top.
const page2 = {
  width: 595, height: 842, rotate: 90 as const,
  content: [
    // Text direction (0,1): up the portrait page = left to right once the page is turned 90° clockwise.
    "BT /F1 14 Tf 0 1 -1 0 500 100 Tm (Rotated line of text) Tj ET",
    // A line parallel to the text: horizontal once upright.
    "0 G 1 w 480 100 m 480 400 l S",
  ].join("\n"),
};

// Page 3: landscape MediaBox, no rotation.
const page3 = { width: 842, height: 595, content: text(50, 545, "Landscape title", 16) + "\n0 G 50 500 m 790 500 l S" };

// Page 4: text chunks that pdfjs joins into one item with a space (gap < 0.6 em) although they
// sit in neighbouring cells: an amount and the next cell's label across a vertical ruling, and
// two amounts with no ruling. Plus ordinary prose with spaces that must stay whole.
const page4 = {
  width: 595, height: 842,
  content: [
    "0 G 0.5 w 197.3 600 m 197.3 700 l S",
    "BT /F1 10 Tf 165 650 Td (123.45) Tj 34 0 Td (Label) Tj ET",
    "BT /F1 10 Tf 300 650 Td (1,000.00) Tj 43 0 Td (2,000.00) Tj ET",
    "BT /F1 10 Tf 100 500 Td (Total 5 items in 2026) Tj ET",
    // Radical code points from the ToUnicode map: must come out as 门目.
    "BT /F2 10 Tf 100 400 Td (AB) Tj ET",
    // A layer that is off: neither its text nor its line is shown.
    "/OC /hidden BDC " + text(100, 300, "LAYEROFF") + " 0 G 100 290 m 400 290 l S EMC",
  ].join("\n"),
};

writeFileSync(out("fixture.pdf"), buildPdf([page1, page2, page3, page4]));

// Image-only: one page painting an 8×8 grey inline image, no text at all (a scan).
const pixels = Buffer.alloc(64, 0x80).toString("latin1");
writeFileSync(out("image-only.pdf"), buildPdf([{ width: 595, height: 842, content: `q 400 0 0 400 100 200 cm BI /W 8 /H 8 /CS /G /BPC 8 ID ${pixels} EI Q` }]));

// Truncated: the first 40% of a valid file (no xref, no trailer, page objects cut off).
const full = buildPdf([page1]);
writeFileSync(out("truncated.pdf"), full.slice(0, Math.floor(full.length * 0.4)));

// Not a PDF at all, and an empty file.
writeFileSync(out("not-a-pdf.pdf"), "<html><body>404 Not Found</body></html>\n");
writeFileSync(out("empty.pdf"), "");

// Encrypted with a user password (cannot open) and with only an owner password (opens).
const plain = out("plain-tmp.pdf");
writeFileSync(plain, buildPdf([{ width: 595, height: 842, content: text(100, 700, "Secret budget") }]));
execFileSync("qpdf", ["--encrypt", "user-pw", "owner-pw", "256", "--", plain, out("encrypted-user-password.pdf")]);
execFileSync("qpdf", ["--encrypt", "", "owner-pw", "256", "--print=none", "--", plain, out("encrypted-owner-only.pdf")]);
execFileSync("rm", [plain]);
console.log("fixtures written to", here);
