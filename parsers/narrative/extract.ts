// extractNarrativeFacts: pure pattern reading of the narrative. It records what the text states and
// for what subject; it does not decide whether a statement is right (reconcile/ does that).
import { buildStream, type Stream } from "./normalize.ts";
import type {
  AmountFact, FinalComparison, WordRelation, Headcount, HeadcountPart, ItemRef, NarrativeFacts, Procurement, Section, SectionTopic, StatedChange,
} from "./types.ts";

const NUM = String.raw`-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?`;
/** An amount with its unit; a bare 万 counts as 万元 only before punctuation (`一年 4.97 万。`). */
const AMOUNT_RE = new RegExp(String.raw`(${NUM})(亿元|万元|元|万(?=[。，；、（）:：]|$))`, "g");
const MAJOR_HEADING = /^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}、)/;
const MINOR_HEADING = /^（[一二三四五六七八九十]{1,3}）、?/;
const ITEM_LINE = /^\d{1,2}[、.．](?!\d)/;

export function topicOf(heading: string): SectionTopic | undefined {
  const h = heading;
  if (/名词解释/.test(h)) return "glossary";
  if (/机构设置|人员情况|人员构成/.test(h)) return "staff";
  if (/三公/.test(h)) return "three_public";
  if (/运行经费/.test(h)) return "running";
  if (/政府采购/.test(h)) return "procurement";
  if (/国有资产/.test(h)) return "assets";
  if (/绩效/.test(h)) return "performance";
  if (/结转结余|结转和结余/.test(h)) return "carryover";
  if (/政府性基金/.test(h)) return "fund";
  if (/国有资本经营/.test(h)) return "state_capital";
  if (/基本支出/.test(h)) return "basic";
  if (/项目支出/.test(h)) return "project";
  if (/一般公共预算/.test(h)) return "general";
  if (/财政拨款收支|财政拨款收入支出/.test(h)) return "fiscal";
  if (/收支(总)?预算|收入支出决算总体|收支总体|收入支出总体|收支决算总体/.test(h)) return "overall";
  if (/收入(预算|决算)/.test(h)) return "income";
  if (/支出(预算|决算)/.test(h)) return "expenditure";
  if (/编制说明/.test(h)) return "overview";
  return undefined;
}

function headingAt(stream: Stream, offset: number): { major: boolean; text: string } | undefined {
  const rest = stream.text.slice(offset, offset + 80);
  const major = MAJOR_HEADING.exec(rest);
  const minor = major ? null : MINOR_HEADING.exec(rest);
  if (!major && !minor) return undefined;
  // A heading runs to the end of its printed line, cut at the first sentence end or amount.
  let end = offset + 80;
  for (const s of stream.lineStarts) if (s > offset && s < end) end = s;
  let text = stream.text.slice(offset, end);
  const cut = text.search(/[。；]|\d+(?:\.\d+)?(?:万元|元)/);
  if (cut > 0) text = text.slice(0, cut);
  // Headings that wrap ("…2025 年" / "收入预算情况说明"): extend to 说明 within the next line.
  if (!/说明|情况|解释|部分/.test(text)) {
    const more = stream.text.slice(offset, offset + 90);
    const m = /^.*?说明/.exec(more) ?? /^.*?情况/.exec(more);
    if (m && !/[。；]/.test(m[0])) text = m[0];
  }
  return { major: Boolean(major), text };
}

function parseItem(text: string): ItemRef | undefined {
  const re = /([^，。；：、（）\d]+)（(\d*)类）(?:([^，。；：、（）]+)（(\d*)款）)?(?:([^，。；：、（）]+)（(\d*)项）)?/;
  const m = re.exec(text);
  if (!m) return undefined;
  const names = [m[1], m[3], m[5]].filter((x): x is string => Boolean(x)).map((n) => n.replace(/^(其中|包括|用于|主要用于)/, ""));
  const codes = [m[2], m[4], m[6]];
  const ref: ItemRef = { names };
  if (codes[0] && codes[0].length === 3) {
    let code = codes[0];
    if (m[3] && codes[1]) code += codes[1].padStart(2, "0");
    if (m[3] && m[5] && codes[1] && codes[2]) code += codes[2].padStart(2, "0");
    if (/^\d{3}(\d{2}){0,2}$/.test(code)) ref.code = code;
  }
  return ref;
}

function toWan(num: string, unit: string): { amount: string; unit: "元" | "万元" } {
  const n = num.replace(/,/g, "");
  if (unit === "亿元") {
    const [i = "0", f = ""] = n.replace("-", "").split(".");
    const digits = (i + f.padEnd(4, "0")).replace(/^0+(?=\d)/, "");
    const intPart = digits.slice(0, digits.length - f.length) || "0";
    const frac = digits.slice(digits.length - f.length);
    const s = f.length > 0 ? `${intPart}.${frac}` : intPart;
    return { amount: n.startsWith("-") ? `-${s}` : s, unit: "万元" };
  }
  return { amount: n, unit: unit === "元" ? "元" : "万元" };
}

function cleanSubject(s: string): string {
  return s
    .replace(/^.*?\d{4}年(度)?(?=[^\d])/, (m) => (/(执行数|预算数|决算数)/.test(s.slice(m.length)) ? m : ""))
    .replace(/^(其中|包括|分别是|主要包括|主要用于)[:：]?/, "")
    .replace(/^\d{1,2}[、.．]/, "")
    .replace(/^（[一二三四五六七八九十]+）/, "")
    .replace(/(为|是|共|合计为|总额为|达)$/, "");
}

/** Subject reduced to its core for matching restatements: 2025年财政拨款三公经费预算数 → 三公经费. */
export function subjectKey(s: string): string {
  return s.replace(/\d{4}年(度)?/g, "").replace(/财政拨款|预算数|预算|决算数|决算|数$|为$|支出数/g, "").replace(/^(的|其中|本部门|本单位)/, "");
}

function roleOf(subject: string): AmountFact["role"] {
  if (/执行数/.test(subject)) return "previous_execution";
  if (/年初预算(数)?$/.test(subject)) return "budget_initial";
  if (/全年预算(数)?$|调整预算(数)?$/.test(subject)) return "budget_full_year";
  if (/决算(数)?$/.test(subject) && !/预算/.test(subject.replace(/决算(数)?$/, ""))) return "actual";
  if (/预算安排$|预算数$/.test(subject)) return "current";
  return undefined;
}

function headcountPart(text: string, word: string): HeadcountPart | undefined {
  const m = new RegExp(`${word}(?:人员|人数)?(\\d+)人?[，、]?(?:(减少|增加)(\\d+)人)?`).exec(text);
  if (!m) return undefined;
  const part: HeadcountPart = { count: Number(m[1]) };
  if (m[2] && m[3]) part.change = (m[2] === "减少" ? -1 : 1) * Number(m[3]) + 0; // + 0: no -0
  return part;
}

export function extractNarrativeFacts(paragraphs: readonly { page: number; text: string }[]): NarrativeFacts {
  const stream = buildStream(paragraphs);
  const text = stream.text;
  const amounts: AmountFact[] = [];
  const comparisons: FinalComparison[] = [];
  const headcount: Headcount[] = [];
  const procurement: Procurement[] = [];
  const relations: WordRelation[] = [];
  const sections: Section[] = [];

  // Boundaries: sentence ends, headings and enumerated item lines.
  const headings = new Map<number, { major: boolean; text: string }>();
  const cuts = new Set<number>([0, text.length]);
  for (const o of stream.lineStarts) {
    const h = headingAt(stream, o);
    if (h) {
      headings.set(o, h);
      cuts.add(o);
      cuts.add(o + h.text.length);
    } else if (ITEM_LINE.test(text.slice(o, o + 4))) cuts.add(o);
  }
  for (let i = 0; i < text.length; i++) if ("。；！？".includes(text[i]!)) cuts.add(i + 1);
  const bounds = [...cuts].sort((a, b) => a - b);

  let section: Section = { heading: "", topic: "other" };
  let item: ItemRef | undefined;
  let anchor: AmountFact | undefined;
  let comparison: FinalComparison | undefined;

  const closeComparison = () => {
    if (comparison && (comparison.actual !== undefined || comparison.word !== undefined || comparison.completion)) comparisons.push(comparison);
    comparison = undefined;
  };

  for (let bi = 0; bi < bounds.length - 1; bi++) {
    const start = bounds[bi]!;
    const end = bounds[bi + 1]!;
    const sentence = text.slice(start, end);
    if (sentence === "") continue;
    const page = stream.pages[start] ?? 1;
    const h = headings.get(start);
    if (h) {
      closeComparison();
      item = undefined;
      const t = topicOf(h.text);
      if (h.major) {
        section = { heading: h.text, topic: t ?? (/^第/.test(h.text) ? "other" : section.topic === "glossary" ? "other" : "other") };
        anchor = undefined;
      } else {
        section = { heading: section.heading, topic: section.topic, sub: h.text, ...(t ? { subTopic: t } : {}) };
      }
      sections.push(section);
      continue;
    }
    if (section.topic === "glossary") continue;
    if (stream.lineStarts.has(start) && ITEM_LINE.test(sentence)) {
      closeComparison();
      item = undefined;
    }
    const it = parseItem(sentence);
    if (it) {
      closeComparison();
      item = it;
    }

    // Headcount (机构设置及人员情况).
    if (/实有人数|编制数/.test(sentence)) {
      // The counts run on past 「；」 to the end of the full sentence.
      const stop = text.indexOf("。", start);
      const window = text.slice(start, stop < 0 ? Math.min(text.length, start + 200) : stop + 1);
      const hc: Headcount = { page, sentence: window };
      const est = /编制(?:数|人数)?(?:为)?(\d+)/.exec(window);
      if (est) hc.establishment = Number(est[1]);
      const act = /实有(?:人数)?(?:为)?(\d+)/.exec(window);
      if (act) hc.actual = Number(act[1]);
      const a = headcountPart(window, "在职");
      const r = headcountPart(window, "(?<!离)退休");
      const l = headcountPart(window, "离休");
      if (a) hc.inService = a;
      if (r) hc.retired = r;
      if (l) hc.retiredCadre = l;
      if (hc.establishment !== undefined || hc.actual !== undefined) headcount.push(hc);
    }

    // Clause by clause.
    const clauses = sentence.split(/(?<=[，：:])/);
    let offset = start;
    let last: AmountFact | undefined;
    const sentenceFacts: AmountFact[] = [];
    for (let ci = 0; ci < clauses.length; ci++) {
      const clause = clauses[ci]!;
      const clauseStart = offset;
      offset += clause.length;
      const body = clause.replace(/[，：:]$/, "");

      const completion = /完成(全年|年初)?预算(?:数)?的(\d+(?:\.\d+)?)%/.exec(body);
      if (completion) {
        comparison ??= { page, sentence, section, unit: "万元", ...(item ? { item } : {}) };
        comparison.completion = { percent: completion[2]!, base: completion[1] === "年初" ? "initial" : completion[1] === "全年" ? "full_year" : "budget" };
        continue;
      }
      const word = /决算数?(小于|低于|少于|大于|高于|超过|多于|等于|与|同|和)(?:全年|年初|调整)?预算数?(持平|相等|一致)?/.exec(body);
      if (word) {
        comparison ??= { page, sentence, section, unit: "万元", ...(item ? { item } : {}) };
        const w = word[1]!;
        comparison.word = /小于|低于|少于/.test(w) ? "less" : /大于|高于|超过|多于/.test(w) ? "greater" : "equal";
        comparison.wordText = word[0];
        continue;
      }
      const share = /占(.{0,25}?)(\d+(?:\.\d+)?)%/.exec(body);
      if (share && last && !AMOUNT_RE.test(body.slice(0, share.index))) {
        last.share = { percent: share[2]!, base: share[1]!.replace(/的$/, "") };
        AMOUNT_RE.lastIndex = 0;
        continue;
      }
      AMOUNT_RE.lastIndex = 0;
      const changeAmt = new RegExp(String.raw`(?:比|较|与|同)(.{0,30}?)(?:相比)?(?:预算)?(增加|减少|增长|下降|上升|降低|多|少)(${NUM})(亿元|万元|元|万)`).exec(body);
      const changePct = /(增加|减少|增长|下降|上升|降低)(\d+(?:\.\d+)?)%/.exec(body);
      const flat = /(?:比|与|同|较)(.{0,30}?)持平/.exec(body);
      // A change belongs to an amount of the same sentence; "三公经费预算比上年减少0.55万元" (no level
      // in the sentence) attaches to the latest same-subject amount of the section instead.
      let changeTarget = last ?? sentenceFacts[sentenceFacts.length - 1];
      if (!changeTarget && (changeAmt || changePct || flat)) {
        const subj = /^(.*?)(?:比|较|与|同)/.exec(body)?.[1];
        if (subj) {
          const key = subjectKey(cleanSubject(subj));
          changeTarget = [...amounts].reverse().find((f) => f.section.heading === section.heading && subjectKey(f.subject) === key && !f.change);
          if (changeTarget) last = changeTarget;
        }
      }
      let consumedUntil = 0;
      if (changeAmt && changeTarget) {
        const v = toWan(changeAmt[3]!, changeAmt[4]!);
        const dir = /增加|增长|上升|多/.test(changeAmt[2]!) ? "increase" : "decrease";
        const c: StatedChange = changeTarget.change ?? { direction: dir, base: changeAmt[1]! };
        c.direction = dir;
        c.amount = v.amount;
        changeTarget.change = c;
        consumedUntil = changeAmt.index + changeAmt[0].length;
      }
      if (changePct && changeTarget && !/完成/.test(body)) {
        const dir = /增加|增长|上升/.test(changePct[1]!) ? "increase" : "decrease";
        const baseM = /(?:比|较|与|同)(.{0,30}?)(?:相比)?(?:增加|减少|增长|下降|上升|降低)/.exec(body);
        const c: StatedChange = changeTarget.change ?? { direction: dir, base: baseM?.[1] ?? "" };
        if (!changeTarget.change) c.direction = dir;
        c.percent = changePct[2]!;
        changeTarget.change = c;
        consumedUntil = Math.max(consumedUntil, changePct.index + changePct[0].length);
      }
      if (flat && changeTarget && !changeAmt && !changePct && !/决算数/.test(body)) {
        changeTarget.change = { direction: "flat", base: flat[1]! };
        consumedUntil = flat.index + flat[0].length;
      }
      // Amounts stated in this clause (not the change amount already consumed).
      AMOUNT_RE.lastIndex = 0;
      let m: RegExpExecArray | null;
      let prevEnd = 0;
      while ((m = AMOUNT_RE.exec(body)) !== null) {
        if (m.index < consumedUntil) { prevEnd = m.index + m[0].length; continue; }
        // A number glued to a preceding year or code ("2025年" is not an amount; "【2023】90号" neither).
        const before = body.slice(prevEnd, m.index);
        let subject = cleanSubject(before);
        // "预算安排规模：1.50万元" — the subject is the clause before the colon.
        if (subject === "" && prevEnd === 0 && ci > 0 && /[：:]$/.test(clauses[ci - 1]!)) subject = cleanSubject(clauses[ci - 1]!.replace(/[：:]$/, ""));
        if (subject.length > 40) subject = subject.slice(-40);
        // "因公出国（境）费增加0.00万元": a change stated without its level (the 比上年 is earlier in the sentence).
        const changeOnly = /^(.*?)(增加|减少|增长|下降|上升|降低)$/.exec(subject);
        const v = toWan(m[1]!, m[2]!);
        const after = body.slice(m.index + m[0].length);
        const nextClause = clauses[ci + 1] ?? "";
        const afterBody = after.replace(/[，：:]$/, "");
        const isAnchor = (afterBody === "" && /[：:]$/.test(clause)) || /^(其中|包括|主要用于以下方面|具体)/.test(afterBody) || /^(其中|包括|主要用于以下方面)/.test(nextClause);
        if (changeOnly && changeOnly[1]) {
          const subj = changeOnly[1];
          const dir: StatedChange["direction"] = /增加|增长|上升/.test(changeOnly[2]!) ? "increase" : "decrease";
          const key = subjectKey(subj);
          const target = [...amounts].reverse().find((f) => f.section.heading === section.heading && subjectKey(f.subject) === key && !f.change);
          const c: StatedChange = { direction: dir, amount: v.amount, base: "" };
          if (target) {
            target.change = c;
            last = target;
          } else last = undefined;
          prevEnd = m.index + m[0].length;
          continue;
        }
        const fact: AmountFact = {
          page: stream.pages[clauseStart + m.index] ?? page,
          sentence,
          subject,
          amount: v.amount,
          unit: v.unit,
          section,
          anchor: isAnchor,
          offset: clauseStart + m.index,
          ...(item ? { item } : {}),
        };
        const rel = /^(大于|小于|高于|低于|多于|少于|超过|等于)(.*)$/.exec(subject);
        const prevFact = sentenceFacts[sentenceFacts.length - 1];
        if (rel && prevFact && prevFact.unit === v.unit) {
          const w = rel[1]!;
          relations.push({
            page, sentence, unit: v.unit, wordText: w,
            word: /小于|低于|少于/.test(w) ? "less" : /大于|高于|多于|超过/.test(w) ? "greater" : "equal",
            left: { subject: prevFact.subject, amount: prevFact.amount }, right: { subject: rel[2]!, amount: v.amount },
          });
        }
        const role = roleOf(subject);
        if (role) fact.role = role;
        if (anchor && anchor.section.heading === section.heading) fact.shareBase = { amount: anchor.amount, unit: anchor.unit, subject: anchor.subject };
        amounts.push(fact);
        sentenceFacts.push(fact);
        last = fact;
        if (isAnchor) anchor = fact;
        if (role === "budget_full_year" || role === "budget_initial" || role === "actual") {
          comparison ??= { page, sentence, section, unit: v.unit, ...(item ? { item } : {}) };
          if (role === "budget_full_year") comparison.fullYear = v.amount;
          if (role === "budget_initial") comparison.initial = v.amount;
          if (role === "actual") comparison.actual = v.amount;
          comparison.unit = v.unit;
        }
        prevEnd = m.index + m[0].length;
      }
    }

    // 政府采购: total and its 货物 / 工程 / 服务 parts, stated in one sentence.
    if (/政府采购/.test(sentence) && sentenceFacts.length >= 2) {
      // Judge by the subject's tail: a department name may itself contain 服务 (…管理服务中心).
      const isPart = (subj: string) => /(货物|工程|服务)(类)?(采购)?(预算|金额|支出)?$/.test(subj);
      const total = sentenceFacts.find((f) => /采购(预算|金额|支出)?(（.*?）)?$/.test(f.subject) && !isPart(f.subject) && !/中小|小微|预留|中标|成交/.test(f.subject));
      if (total) {
        const part = (w: RegExp) => sentenceFacts.find((f) => f !== total && isPart(f.subject) && w.test(f.subject.slice(-8)) && !/中小|小微|预留/.test(f.subject))?.amount;
        const p: Procurement = { page, sentence, total: total.amount, unit: total.unit };
        const g = part(/货物/); const w = part(/工程/); const s = part(/服务/);
        if (g !== undefined) p.goods = g;
        if (w !== undefined) p.works = w;
        if (s !== undefined) p.services = s;
        if (g !== undefined || w !== undefined || s !== undefined) procurement.push(p);
      }
    }
  }
  closeComparison();
  return { amounts, comparisons, relations, headcount, procurement, sections };
}
