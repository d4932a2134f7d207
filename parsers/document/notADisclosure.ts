// A readable PDF that is not a budget/决算 disclosure: no budget tables and no budget wording.
export class NotADisclosureError extends Error {
  readonly code = "not_budget" as const;
  constructor(message: string) {
    super(message);
    this.name = "NotADisclosureError";
  }
}
