// Embedded default: the pipeline on this machine, no AWS account (see startEmbedded.ts, demo.ts).
export { startEmbedded, type Embedded, type EmbeddedOptions, type EmbeddedResources } from "./startEmbedded.ts";
export { runDemo, samplePdfs, type DemoOptions, type DemoResult } from "./demo.ts";
export type { Endpoints } from "./environment.ts";
