// The document kind as analysts say it (预算 / 决算) and as the model stores it.
export const DOC_TYPE_LABEL: Record<string, string> = { budget: "预算", final_accounts: "决算", unknown: "?" };

/** Accepts budget | final_accounts | 预算 | 决算 (what a user types) → the stored docType. */
export function parseDocType(s: string): "budget" | "final_accounts" | undefined {
  const t = s.trim();
  if (t === "budget" || t === "预算") return "budget";
  if (t === "final_accounts" || t === "final" || t === "决算") return "final_accounts";
  return undefined;
}
