// The analysts' API: the query API's one route table (functions/query/routes.ts) over a document
// store — the same routes, validation and server-side paging as the query Lambda. `budgetlens serve`
// answers it under /api, `budgetlens query/export` call it in process or over HTTP (--api), and
// analyst/lambdaHandler.ts serves it (plus PDF redirects) as a Lambda.
import { QueryApi } from "../functions/query/routes.ts";

export type { ApiResponse, Department } from "../functions/query/routes.ts";

export class AnalystApi extends QueryApi {}
