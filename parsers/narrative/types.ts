// Facts stated in the narrative (第三部分 说明 / 部门预算编制说明), as extracted: exact decimal
// strings, the subject they were stated for, and where (page, sentence).

export type SectionTopic =
  | "overall" | "income" | "expenditure" | "fiscal" | "general" | "basic" | "project" | "fund"
  | "state_capital" | "three_public" | "carryover" | "running" | "procurement" | "assets"
  | "performance" | "staff" | "glossary" | "overview" | "other";

export type Section = { heading: string; topic: SectionTopic; sub?: string; subTopic?: SectionTopic };

export type StatedChange = {
  direction: "increase" | "decrease" | "flat";
  /** Amount of the change, decimal string in `unit`, when stated. */
  amount?: string;
  /** Percentage of the change (unsigned), when stated. */
  percent?: string;
  /** The comparison base as worded: 上年预算, 2024年预算执行数, 2023年度 … */
  base: string;
};

/** (类)(款)(项) path of a functional classification item named in the text, with codes when printed. */
export type ItemRef = { names: string[]; code?: string };

export type AmountFact = {
  page: number;
  /** The sentence the amount was read from (whitespace removed). */
  sentence: string;
  /** What the amount is for, as worded before it in its clause (whitespace removed). */
  subject: string;
  amount: string;
  unit: "元" | "万元";
  section: Section;
  item?: ItemRef;
  share?: { percent: string; base: string };
  change?: StatedChange;
  /** The clause announces a breakdown (其中 / 包括 / 主要用于以下方面): later shares refer to it. */
  anchor: boolean;
  /** Base amount this fact's share refers to (the most recent anchor in its section). */
  shareBase?: { amount: string; unit: "元" | "万元"; subject: string };
  /** Role in a 决算 budget-vs-actual sentence or a Shanghai 预算执行数 sentence. */
  role?: "budget_full_year" | "budget_initial" | "actual" | "previous_execution" | "current";
  /** Offset of the amount in the document stream (ordering). */
  offset: number;
};

export type FinalComparison = {
  page: number;
  sentence: string;
  item?: ItemRef;
  section: Section;
  /** 全年预算 / 年初预算 amounts and the 决算数, when stated. */
  fullYear?: string;
  initial?: string;
  actual?: string;
  unit: "元" | "万元";
  /** 完成全年预算数的 x% / 完成年初预算的 x% */
  completion?: { percent: string; base: "full_year" | "initial" | "budget" };
  /** The words comparing 决算数 with 预算数. */
  word?: "less" | "greater" | "equal";
  wordText?: string;
};

/** "项目支出决算数 160.16 万元，大于基本支出决算数 323.03 万元": two stated amounts compared in words. */
export type WordRelation = {
  page: number;
  sentence: string;
  left: { subject: string; amount: string };
  right: { subject: string; amount: string };
  unit: "元" | "万元";
  word: "less" | "greater" | "equal";
  wordText: string;
};

export type HeadcountPart = { count: number; change?: number };
export type Headcount = {
  page: number;
  sentence: string;
  establishment?: number;
  actual?: number;
  inService?: HeadcountPart;
  retired?: HeadcountPart;
  retiredCadre?: HeadcountPart;
};

export type Procurement = {
  page: number;
  sentence: string;
  total: string;
  goods?: string;
  works?: string;
  services?: string;
  unit: "元" | "万元";
};

export type NarrativeFacts = {
  amounts: AmountFact[];
  comparisons: FinalComparison[];
  relations: WordRelation[];
  headcount: Headcount[];
  procurement: Procurement[];
  sections: Section[];
};
