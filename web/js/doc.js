/* global document, window, URLSearchParams, location */
// One document: its tables rebuilt as printed (merged headers) beside the PDF page (pdf.js); a flag
// or a cell clicked highlights the cell in the table and its box on the page. The box is
// [x0, y0, x1, y1] in PDF points, top-left origin, page upright — exactly the pdf.js viewport's
// coordinates at scale 1, so on screen it is the box times the render scale.
// A flag's `box` lies on `boxPage` (flags stored before boxPage existed: on `page`); its `page` is
// where the flagged statement is. For a narrative flag the two differ: the table cell is shown on
// boxPage in the main view, the sentence on `page` in the statement panel above it (and either one
// in the main view with "show the statement" / "show the table cell").
import { authHeaders, config, getJson, h, KIND_LABEL } from "./api.js";
import { headerGrid, printedRow } from "./headerGrid.js";

const pdfjs = await import(`${config.pdfjs}/build/pdf.min.mjs`);
pdfjs.GlobalWorkerOptions.workerSrc = `${config.pdfjs}/build/pdf.worker.min.mjs`;

const params = new URLSearchParams(location.search);
const docId = params.get("id");
const $ = (id) => document.getElementById(id);
/** State the end-to-end test reads: what is highlighted, where. */
const state = (window.__budgetlens = { ready: false, page: 0, scale: 1, highlight: null, statement: null, selectedFlag: null });

const { document: summary, model, flags } = await getJson(`/documents/${docId}/model`);
$("doctitle").textContent = `${summary.department ?? "?"} ${summary.year ?? ""} ${KIND_LABEL[summary.docType] ?? ""} — ${summary.fileName}`;
const pdf = await pdfjs.getDocument({
  url: `${config.api}/documents/${docId}/pdf`,
  httpHeaders: await authHeaders(), // the site on AWS: the API wants the login's Bearer token for the PDF too
  cMapUrl: `${config.pdfjs}/cmaps/`,
  cMapPacked: true,
  standardFontDataUrl: `${config.pdfjs}/standard_fonts/`,
  wasmUrl: `${config.pdfjs}/wasm/`,
}).promise;
$("pagecount").textContent = String(pdf.numPages);

const BOX_TOLERANCE = 0.5; // points: boxes are copied, not recomputed, so equality up to rounding
const sameBox = (a, b) => a && b && a.every((v, i) => Math.abs(v - b[i]) <= BOX_TOLERANCE);
/** The page a flag's box lies on. */
const boxPageOf = (f) => (f.box ? (f.boxPage ?? f.page) : undefined);
const flagged = flags.filter((f) => f.box && boxPageOf(f));
const isFlagged = (page, box) => flagged.some((f) => boxPageOf(f) === page && sameBox(f.box, box));

// ---- tables ----------------------------------------------------------------------------------
let currentTable = null;
function renderTable(table) {
  currentTable = table;
  for (const b of $("tables-nav").children) b.classList.toggle("active", b.dataset.tableId === table.id);
  const grid = headerGrid(table.columns);
  const thead = h("thead");
  for (let r = 0; r < grid.depth; r++) {
    const tr = h("tr");
    for (const c of grid.cells.filter((x) => x.row === r).sort((a, b) => a.col - b.col)) tr.append(h("th", { rowspan: c.rowSpan > 1 ? c.rowSpan : undefined, colspan: c.colSpan > 1 ? c.colSpan : undefined }, c.text));
    thead.append(tr);
  }
  const tbody = h("tbody");
  for (const row of table.rows) {
    const tds = printedRow(table, row).map(({ text, cell }, i) => {
      const td = h("td", { class: table.columns[i].role === "value" ? "value" : "label" }, text);
      if (cell) {
        td.dataset.page = String(cell.page);
        td.dataset.box = cell.box.join(",");
        if (isFlagged(cell.page, cell.box)) td.classList.add("flagged");
        td.addEventListener("click", () => showCell(td, cell.page, cell.box, cell.text));
      }
      return td;
    });
    tbody.append(h("tr", { class: row.isTotal ? "total" : undefined }, tds));
  }
  $("tablehost").replaceChildren(
    h("div", {}, h("strong", {}, `${table.number} ${table.title}`), h("span", { class: "muted" }, `  单位：${table.unit ?? "—"}  页 ${table.pages.join(", ")}`)),
    h("table", { class: "printed", dataset: { tableId: table.id } }, thead, tbody),
    ...(table.note ? [h("p", { class: "muted" }, table.note)] : []),
  );
}

for (const t of model.tables) {
  $("tables-nav").append(h("button", { dataset: { tableId: t.id }, title: t.title, onclick: () => { renderTable(t); renderPage(t.pages[0]); } }, t.number));
}

const squash = (x) => String(x ?? "").replace(/\s+/g, "");

/**
 * The table and cell a flag points at: the cell with the flag's page and box; else (a narrative
 * flag boxes the sentence, not the cell) the named table's cell on the flag's row whose value is the
 * figure the flag quotes from the table (its column when it names one).
 */
function locate(flag) {
  if (flag.box) {
    const on = boxPageOf(flag);
    for (const t of model.tables) for (const r of t.rows) for (const c of r.cells) if (c.page === on && sameBox(c.box, flag.box)) return { table: t, cell: c, exact: true };
    // Flags stored before boxPage existed carried a narrative sentence's page with the quoted cell's
    // box: the box is only meaningful on the cell's own page, so find the cell by its box alone.
    if (flag.boxPage === undefined) for (const t of model.tables) for (const r of t.rows) for (const c of r.cells) if (sameBox(c.box, flag.box)) return { table: t, cell: c, exact: true };
  }
  const candidates = model.tables.filter((x) => x.number === flag.table);
  const t = candidates.find((x) => !flag.page || x.pages.includes(flag.page)) ?? candidates[0];
  if (!t || !flag.row) return { table: t, cell: null, exact: false };
  const rowKey = squash(flag.row.join(""));
  const colKey = flag.column ? squash(flag.column.join("")) : null;
  for (const table of [t, ...candidates.filter((x) => x !== t)]) {
    for (const r of table.rows) {
      const labels = [squash(r.label.join("")), squash((r.rightLabel ?? []).join(""))];
      if (!labels.includes(rowKey)) continue;
      const cols = new Map(table.columns.map((c) => [c.index, c]));
      const hit = r.cells.find((c) => c.value !== null && (colKey ? squash(cols.get(c.column)?.path.join("")) === colKey : [flag.expected, flag.actual].includes(c.value)));
      if (hit) return { table, cell: hit, exact: false };
    }
  }
  return { table: t, cell: null, exact: false };
}

// ---- PDF page ------------------------------------------------------------------------------
let renderTask = null;
async function renderPage(n) {
  if (!n) return;
  state.page = n;
  $("pageno").textContent = String(n);
  const page = await pdf.getPage(n);
  const base = page.getViewport({ scale: 1 });
  const width = Math.max(300, $("right").clientWidth - 24);
  const scale = width / base.width;
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  const canvas = $("pdfcanvas");
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${viewport.width}px`;
  canvas.style.height = `${viewport.height}px`;
  renderTask?.cancel();
  renderTask = page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined });
  await renderTask.promise.catch((e) => {
    if (e?.name !== "RenderingCancelledException") throw e;
  });
  state.scale = scale;
  $("pdfhl").style.display = "none";
  $("pdfstmt").replaceChildren();
  return { page, viewport };
}

/** Display width of a character, in ems: Han and full-width forms 1, everything else ½. */
const charEm = (ch) => (/[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 1 : 0.5);

/**
 * A pdf.js text item's characters laid out along its baseline in viewport units, each taking a
 * share of the item's display width in proportion to its width in em: `a0`..`a1` along the
 * baseline, and `point(along, up)` a position in the viewport (up from the baseline, font height `fh`).
 */
function itemChars(item, viewport) {
  const tx = pdfjs.Util.transform(viewport.transform, item.transform);
  const fh = Math.hypot(tx[2], tx[3]);
  const dirLen = Math.hypot(tx[0], tx[1]) || 1;
  const dir = [tx[0] / dirLen, tx[1] / dirLen];
  const up = [tx[2] / (fh || 1), tx[3] / (fh || 1)];
  const chars = [...item.str];
  const ems = chars.map(charEm);
  const total = ems.reduce((a, b) => a + b, 0) || 1;
  const w = item.width * viewport.scale;
  let along = 0;
  const laid = chars.map((ch, k) => {
    const a0 = along;
    along += (ems[k] / total) * w;
    return { ch, a0, a1: along };
  });
  const point = (a, u) => [tx[4] + dir[0] * a + up[0] * u, tx[5] + dir[1] * a + up[1] * u];
  return { fh, point, chars: laid };
}

/**
 * Text pdf.js finds inside a box of the page (what the analyst should see under the highlight):
 * a character is kept when its centre falls in the box, so a box over part of a narrative line
 * yields that part.
 */
async function textInBox(page, viewport, box) {
  const content = await page.getTextContent();
  const rect = box.map((v) => v * viewport.scale);
  const inside = ([x, y]) => x >= rect[0] - 1 && x <= rect[2] + 1 && y >= rect[1] - 1 && y <= rect[3] + 1;
  const parts = [];
  for (const item of content.items) {
    if (!item.str || !item.str.trim()) continue;
    const { fh, point, chars } = itemChars(item, viewport);
    const text = chars
      .filter(({ a0, a1 }) => inside(point((a0 + a1) / 2, fh / 2)))
      .map(({ ch }) => ch)
      .join("");
    if (text.trim()) parts.push(text.trim());
  }
  return parts.join(" ").trim();
}

/**
 * Every printed character of a page with its rectangle in points (viewport at scale 1), laid out
 * as textInBox does (itemChars), after NFKC (full-width punctuation and digits as ASCII) and
 * without white space.
 */
async function pageChars(page) {
  const viewport = page.getViewport({ scale: 1 });
  const content = await page.getTextContent();
  const out = [];
  for (const item of content.items) {
    if (!item.str || !item.str.trim()) continue;
    const { fh, point, chars } = itemChars(item, viewport);
    for (const { ch, a0, a1 } of chars) {
      // From a little under the baseline (descenders) to the font's height above it.
      const corners = [a0, a1].flatMap((a) => [-0.2 * fh, fh].map((u) => point(a, u)));
      const rect = [Math.min(...corners.map((c) => c[0])), Math.min(...corners.map((c) => c[1])), Math.max(...corners.map((c) => c[0])), Math.max(...corners.map((c) => c[1]))];
      for (const n of [...ch.normalize("NFKC").replace(/\s+/g, "")]) out.push({ ch: n, rect });
    }
  }
  return out;
}

/** How far (characters) a quoted fragment's mark is widened to the sentence around it, each way. */
const SENTENCE_REACH = 160;
const normText = (s) => String(s ?? "").normalize("NFKC").replace(/\s+/g, "");

/**
 * What to look for on the statement's page, best first: the sentence a narrative flag quotes
 * ("原文 / text: …"), then the quoted words of its message (“…”), then the stated figure.
 * Each with shorter prefixes, since a sentence may run past the page or differ in punctuation.
 */
function statementNeedles(flag) {
  const out = [];
  const sentence = /原文 \/ text: ([\s\S]+)$/.exec(flag.message)?.[1];
  const quotes = [...flag.message.matchAll(/“([^”]+)”/g)].map((m) => m[1]);
  const whole = sentence ? [{ text: sentence, part: false }] : [];
  for (const { text, part } of [...whole, ...quotes.map((q) => ({ text: q, part: true }))]) {
    const full = normText(text);
    for (const n of [full.length, 40, 24, 14, 8]) if (n <= full.length && n >= 6) out.push({ needle: full.slice(0, n), full, part });
  }
  if (flag.actual && /\d/.test(flag.actual)) out.push({ needle: normText(flag.actual), full: normText(flag.actual), part: true });
  return out;
}

/** Rectangles (one per printed line, points) of the flagged statement on its page, or null when not found. */
async function findStatement(flag, pageNo) {
  const page = await pdf.getPage(pageNo);
  const chars = await pageChars(page);
  const text = chars.map((c) => c.ch).join("");
  // The figures the message cites (“由77.99万元到91.97万元”): they tell apart sentences that share words.
  const cited = [...new Set(normText(flag.message.split(" / ")[0]).match(/\d+(?:\.\d+)?/g) ?? [])].filter((x) => x.length >= 3);
  for (const { needle, full, part } of statementNeedles(flag)) {
    const spans = [];
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      // A prefix found: the sentence goes on from there (as long as the page's text agrees loosely).
      let at = i;
      let end = Math.min(text.length, at + (needle.length < full.length ? full.length : needle.length));
      if (part) {
        // Words or a figure out of a sentence: mark the whole sentence they are in (within reason).
        const stop = /[。；;！？!?]/;
        let a = at;
        while (a > 0 && at - a < SENTENCE_REACH && !stop.test(text[a - 1])) a--;
        let b = end;
        while (b < text.length && b - end < SENTENCE_REACH && !stop.test(text[b - 1])) b++;
        [at, end] = [a, b];
      }
      const sentenceText = text.slice(at, end);
      spans.push({ at, end, score: cited.filter((x) => sentenceText.includes(x)).length });
    }
    if (spans.length === 0) continue;
    const { at, end } = spans.reduce((best, x) => (x.score > best.score ? x : best));
    const hit = chars.slice(at, end);
    const lines = [];
    for (const c of hit) {
      const last = lines.at(-1);
      const mid = (c.rect[1] + c.rect[3]) / 2;
      if (last && mid > last[1] && mid < last[3] && c.rect[0] >= last[0] - 2) {
        last[0] = Math.min(last[0], c.rect[0]);
        last[1] = Math.min(last[1], c.rect[1]);
        last[2] = Math.max(last[2], c.rect[2]);
        last[3] = Math.max(last[3], c.rect[3]);
      } else lines.push([...c.rect]);
    }
    return { page: pageNo, needle, text: text.slice(at, end), rects: lines };
  }
  return { page: pageNo, needle: null, text: "", rects: [] };
}

function drawRects(host, rects, scale) {
  // CSSOM, not style attributes: the deployed site's CSP allows no inline styles.
  host.replaceChildren(...rects.map((r) => {
    const el = h("div", { class: "stmt-rect" });
    Object.assign(el.style, { left: `${r[0] * scale}px`, top: `${r[1] * scale}px`, width: `${(r[2] - r[0]) * scale}px`, height: `${(r[3] - r[1]) * scale}px` });
    return el;
  }));
}

/** The statement's page in the main view, its sentence marked. */
async function showStatementMain(flag) {
  const found = await findStatement(flag, flag.page);
  const r = await renderPage(flag.page);
  if (!r) return;
  drawRects($("pdfstmt"), found.rects, r.viewport.scale);
  state.statement = { ...found, where: "main", scale: r.viewport.scale };
  state.highlight = { page: flag.page, box: null, source: "statement" };
  $("hlinfo").textContent = found.rects.length > 0 ? `page ${flag.page}: the flagged statement “${found.text}”` : `page ${flag.page} (the statement's words were not found in the page's text)`;
  $("pdfstmt").firstChild?.scrollIntoView({ block: "center", behavior: "instant" });
}

let stmtTask = null;
/** The statement panel: the sentence's page in a strip above the main view, scrolled to the sentence. */
async function showStatementPanel(flag, cellPage) {
  const panel = $("stmt");
  panel.hidden = false;
  $("stmtinfo").textContent = `page ${flag.page}`;
  $("show-stmt").textContent = `show the statement (page ${flag.page})`;
  $("show-stmt").onclick = () => void showStatementMain(flag);
  $("show-cell").hidden = !cellPage;
  if (cellPage) {
    $("show-cell").textContent = `show the table cell (page ${cellPage})`;
    $("show-cell").onclick = () => void showFlagCell(flag);
  }
  const found = await findStatement(flag, flag.page);
  const page = await pdf.getPage(flag.page);
  const base = page.getViewport({ scale: 1 });
  const scale = Math.max(300, $("right").clientWidth - 24) / base.width;
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  const canvas = $("stmtcanvas");
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${viewport.width}px`;
  canvas.style.height = `${viewport.height}px`;
  stmtTask?.cancel();
  stmtTask = page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined });
  await stmtTask.promise.catch((e) => {
    if (e?.name !== "RenderingCancelledException") throw e;
  });
  drawRects($("stmthl"), found.rects, scale);
  const view = $("stmtview");
  const top = found.rects[0] ? found.rects[0][1] * scale : 0;
  view.scrollTop = Math.max(0, top - view.clientHeight / 3);
  $("stmttext").textContent = found.rects.length > 0 ? `“${found.text}”` : "(the statement's words were not found in the page's text)";
  state.statement = { ...found, where: "panel", scale };
}

function hideStatementPanel() {
  $("stmt").hidden = true;
  state.statement = null;
}

async function highlight(n, box, cellText, source) {
  const r = await renderPage(n);
  if (!r || !box) {
    state.highlight = { page: n, box: null, source };
    $("hlinfo").textContent = `page ${n} (no cell box for this finding)`;
    return;
  }
  const s = r.viewport.scale;
  const el = $("pdfhl");
  Object.assign(el.style, { display: "block", left: `${box[0] * s}px`, top: `${box[1] * s}px`, width: `${(box[2] - box[0]) * s}px`, height: `${(box[3] - box[1]) * s}px` });
  const pdfText = await textInBox(r.page, r.viewport, box);
  state.highlight = { page: n, box, scale: s, pdfText, cellText, source };
  $("hlinfo").textContent = `page ${n}, box [${box.map((v) => v.toFixed(1)).join(", ")}] pt — PDF text here: “${pdfText}”${cellText !== undefined ? ` · table cell: “${cellText}”` : ""}`;
  el.scrollIntoView({ block: "center", behavior: "instant" });
}

function markCell(td) {
  for (const x of document.querySelectorAll("td.hl")) x.classList.remove("hl");
  if (td) {
    td.classList.add("hl");
    td.scrollIntoView({ block: "center", behavior: "instant" });
  }
}

async function showCell(td, page, box, text) {
  for (const li of document.querySelectorAll("#flags li.active")) li.classList.remove("active");
  hideStatementPanel();
  markCell(td);
  await highlight(page, box, text, "cell");
}

/** A flag's table cell: marked in the rebuilt table and drawn at its box on boxPage in the main view. */
async function showFlagCell(flag) {
  const { table, cell, exact } = locate(flag);
  if (table && table !== currentTable) renderTable(table);
  const td = cell ? document.querySelector(`table.printed td[data-page="${cell.page}"][data-box="${cell.box.join(",")}"]`) : null;
  markCell(td);
  const onPage = exact ? cell.page : flag.box ? boxPageOf(flag) : (cell?.page ?? flag.page ?? table?.pages[0]);
  await highlight(onPage, flag.box ?? cell?.box ?? null, cell?.text, "flag");
  return { onPage, cell };
}

/**
 * A flag selected: its table cell in the table and on the cell's page; when the flagged statement
 * is on another page (a narrative sentence quoting the table), that page in the statement panel
 * with the sentence marked, and a link to show it in the main view.
 */
async function showFlag(flag, li) {
  for (const x of document.querySelectorAll("#flags li.active")) x.classList.remove("active");
  li?.classList.add("active");
  state.selectedFlag = flags.indexOf(flag);
  const narrative = flag.rule.startsWith("narrative.");
  if (!flag.box && narrative && flag.page) {
    // Nothing in a table to point at: the sentence is the place.
    hideStatementPanel();
    const { table } = locate(flag);
    if (table && table !== currentTable) renderTable(table);
    markCell(null);
    await showStatementMain(flag);
    return;
  }
  const { onPage, cell } = await showFlagCell(flag);
  if (flag.page && flag.page !== onPage) {
    $("hlinfo").append(" · the finding cites ", h("a", { href: "#", onclick: (e) => { e.preventDefault(); void showStatementMain(flag); } }, `page ${flag.page}`));
    await showStatementPanel(flag, cell || flag.box ? onPage : undefined);
  } else hideStatementPanel();
}

// ---- flags -----------------------------------------------------------------------------------
const order = { error: 0, warning: 1, info: 2 };
const sorted = flags.map((f, i) => ({ f, i })).sort((a, b) => order[a.f.severity] - order[b.f.severity] || a.i - b.i);
$("flagcount").textContent = `(${flags.length})`;
for (const { f, i } of sorted) {
  const where = f.page && boxPageOf(f) && boxPageOf(f) !== f.page ? `(p.${f.page}, cell p.${boxPageOf(f)})` : f.page ? `(p.${f.page})` : "";
  const li = h("li", { dataset: { flag: String(i), n: String(i + 1), hasBox: f.box ? "true" : "false" }, class: `sev-${f.severity}` },
    `${f.severity} · ${f.rule} · ${f.table ?? ""} ${(f.row ?? []).join(" ")} ${f.expected !== undefined ? `expected ${f.expected} actual ${f.actual}` : ""} ${where} — ${f.message}`);
  li.addEventListener("click", () => void showFlag(f, li));
  $("flags").append(li);
}
if (flags.length === 0) $("flags").append(h("li", { class: "muted" }, "no flags"));

$("prev").addEventListener("click", () => void renderPage(Math.max(1, state.page - 1)));
$("next").addEventListener("click", () => void renderPage(Math.min(pdf.numPages, state.page + 1)));

// Deep links from other views: ?id=…&flag=n (the flag's 1-based number, as the flags page links),
// or ?id=…&page=…&box=x0,y0,x1,y1
const linkBox = params.get("box")?.split(",").map(Number);
const linkPage = Number(params.get("page")) || undefined;
const linkFlag = flags[Number(params.get("flag")) - 1];
if (linkFlag) {
  const li = document.querySelector(`#flags li[data-n="${params.get("flag")}"]`);
  li?.scrollIntoView({ block: "center", behavior: "instant" });
  await showFlag(linkFlag, li);
} else if (linkPage && linkBox?.length === 4) {
  const hit = locate({ page: linkPage, box: linkBox });
  if (hit.table) renderTable(hit.table);
  markCell(hit.cell ? document.querySelector(`table.printed td[data-page="${linkPage}"][data-box="${hit.cell.box.join(",")}"]`) : null);
  await highlight(linkPage, linkBox, hit.cell?.text, "link");
} else {
  if (model.tables[0]) renderTable(model.tables[0]);
  await renderPage(linkPage ?? model.tables[0]?.pages[0] ?? 1);
}
state.ready = true;
document.body.dataset.ready = "true";
