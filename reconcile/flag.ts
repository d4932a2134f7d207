// A reconciliation finding: what does not add up, where, and by how much.
import { z } from "zod";

export const Severity = z.enum(["error", "warning", "info"]);
export type Severity = z.infer<typeof Severity>;

export const Flag = z.object({
  severity: Severity,
  /** Rule id from the catalogue, e.g. "sum.children", "cross.total", "narrative.amount". */
  rule: z.string(),
  /** Table printed number and title ("表3", "部门支出总体情况表"); absent for document-level flags. */
  table: z.string().optional(),
  title: z.string().optional(),
  kind: z.string().optional(),
  /**
   * Where the flagged statement is: the table cell's page for a table rule, the page of the
   * sentence for a narrative rule (which may differ from the page of the table cell it quotes).
   */
  page: z.number().int().positive().optional(),
  row: z.array(z.string()).optional(),
  column: z.array(z.string()).optional(),
  /** Exact decimal strings in the unit named by `unit`. */
  expected: z.string().optional(),
  actual: z.string().optional(),
  difference: z.string().optional(),
  unit: z.enum(["元", "万元", "人", "%"]).optional(),
  /**
   * Where in the PDF: the table cell's box (points, top-left origin, page upright) on `boxPage`.
   * Set together with `boxPage` by every rule; flags stored before `boxPage` existed have the box
   * on `page`.
   */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  /**
   * The page `box` lies on. Equals `page` for table rules; for a narrative rule it is the page of
   * the quoted table cell, while `page` stays the sentence's page.
   */
  boxPage: z.number().int().positive().optional(),
  message: z.string(),
});
export type Flag = z.infer<typeof Flag>;
