// How a command reaches the analyst API: in this process over the store (embedded data folder or
// a deployed table), or over HTTP (`--api URL`: a running `budgetlens serve`, or the API deployed
// with the stack).
import { AnalystApi, type ApiResponse } from "./api.ts";
import { openBackend, type Backend, type BackendOptions } from "./backend.ts";

export interface ApiClient {
  get(path: string, params?: Record<string, string | number | boolean | undefined>): Promise<ApiResponse>;
  /** The PDF of a stored document (bytes), for exports that need it; undefined when unknown. */
  close(): Promise<void>;
  api?: AnalystApi;
  backend?: Backend;
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const b = body as { error?: string; details?: unknown };
    super(`${status}: ${b?.error ?? "request failed"}${b?.details ? ` ${JSON.stringify(b.details)}` : ""}`);
  }
}

const toQuery = (params: Record<string, string | number | boolean | undefined> = {}): Record<string, string> => {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q[k] = String(v);
  return q;
};

export async function openClient(opts: BackendOptions & { apiUrl?: string } = {}): Promise<ApiClient> {
  if (opts.apiUrl) {
    const base = opts.apiUrl.replace(/\/+$/, "");
    return {
      async get(path, params) {
        const qs = new URLSearchParams(toQuery(params)).toString();
        const res = await fetch(`${base}${path}${qs ? `?${qs}` : ""}`);
        return { status: res.status, body: await res.json().catch(() => ({ error: res.statusText })) };
      },
      async close() {},
    };
  }
  const backend = await openBackend({ ...opts, readOnly: true });
  const api = new AnalystApi(backend.store);
  return {
    api,
    backend,
    get: (path, params) => api.handle("GET", path, toQuery(params)),
    close: () => backend.close(),
  };
}

/** GET that throws on a non-200 answer. */
export async function getOk<T>(client: ApiClient, path: string, params?: Record<string, string | number | boolean | undefined>): Promise<T> {
  const r = await client.get(path, params);
  if (r.status !== 200) throw new ApiRequestError(r.status, r.body);
  return r.body as T;
}

/** Follows nextCursor until the end (for exports and --all). */
export async function getAll<T>(client: ApiClient, path: string, params: Record<string, string | number | boolean | undefined> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await getOk<{ items: T[]; nextCursor?: string }>(client, path, { ...params, limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
