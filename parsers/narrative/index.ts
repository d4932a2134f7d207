// Narrative fact extraction (pure): paragraphs → stated amounts, shares, changes, headcount,
// 政府采购 parts and 决算 budget-vs-actual wording.
export { extractNarrativeFacts, topicOf } from "./extract.ts";
export * from "./types.ts";
