// Public entry of reconciliation: DisclosureDocument (+ optional previous year's) → flags.
export { checkDocument, type CheckOptions } from "./checkDocument.ts";
export * from "./flag.ts";
