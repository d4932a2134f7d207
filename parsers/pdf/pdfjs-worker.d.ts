// pdfjs-dist ships no typings for its worker module; we only hand its handler to pdfjs.
declare module "pdfjs-dist/legacy/build/pdf.worker.mjs" {
  export const WorkerMessageHandler: unknown;
}
