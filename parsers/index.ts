// Public entry of the parser: PDF bytes → validated DisclosureDocument.
export { parseDocument, type ParseOptions } from "./parseDocument.ts";
export * from "./model.ts";
