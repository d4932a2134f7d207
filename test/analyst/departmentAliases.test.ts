// Department names across years: the normaliser's safe rules, the reviewed alias table, the
// across-years rule comparing only the same department, and the real 委办 2017/2019 pair (名称
// 中国共产党江苏省委员会办公厅 → 中共江苏省委办公厅) matched in the year-over-year views of a store.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aliasIndex, DEPARTMENT_ALIASES, departmentKey, normalizeDepartment, sameDepartment } from "../../reconcile/departmentAliases.ts";
import { checkDocument } from "../../reconcile/index.ts";
import { parseDocument } from "../../parsers/index.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import { committedRecord, documentBodyItems } from "../../functions/shared/documentItems.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import * as K from "../../functions/shared/keys.ts";
import { QueryApi, type Department } from "../../functions/query/routes.ts";
import type { YearOverYear } from "../../analyst/yearOverYear.ts";
import { seedDoc, setCell } from "../reconcile/builders.ts";
import { startDynaliteBackend, type Backend } from "../pipeline/backends.ts";
import { REAL_DIR, realAvailable } from "../pipeline/district.ts";

describe("department names: normaliser and alias table", () => {
  it("applies the generic safe rules", () => {
    expect(normalizeDepartment("中国共产党江苏省委员会办公厅")).toBe(normalizeDepartment("中共江苏省委办公厅"));
    expect(normalizeDepartment("中国共产党上海市普陀区委员会社会工作部")).toBe("中共上海市普陀区委社会工作部");
    expect(normalizeDepartment(" 江苏省 财政厅（本级） ")).toBe("江苏省财政厅");
    expect(normalizeDepartment("江苏省财政厅本级")).toBe("江苏省财政厅");
    expect(normalizeDepartment("江苏省人民检察院机关")).toBe("江苏省人民检察院");
    expect(normalizeDepartment("ＡＢＣ　局")).toBe("ABC局");
  });

  it("never merges different departments that merely look alike", () => {
    const distinct = [
      "中共江苏省委办公厅",
      "中共浙江省委办公厅",
      "江苏省人民政府办公厅",
      "中共江苏省纪律检查委员会",
      "政协江苏省委员会办公厅",
      "江苏省发展和改革委员会",
      "江苏省卫生健康委员会",
      "中共江苏省委组织部",
      "中共上海市普陀区委社会工作部",
      "上海市普陀区人民政府办公室",
      "江苏省机关事务管理局",
    ];
    const keys = distinct.map(departmentKey);
    expect(new Set(keys).size).toBe(distinct.length);
    expect(normalizeDepartment("中共江苏省纪律检查委员会")).toBe("中共江苏省纪律检查委员会");
    expect(normalizeDepartment("政协江苏省委员会办公厅")).toBe("政协江苏省委员会办公厅");
    expect(sameDepartment("江苏省发展和改革委员会", "江苏省发展和改革委")).toBe(false); // no abbreviation guessing
  });

  it("the reviewed table maps every listed name to its department and refuses a name under two departments", () => {
    for (const e of DEPARTMENT_ALIASES) {
      expect(e.note.length).toBeGreaterThan(20);
      for (const n of e.names) expect(departmentKey(n)).toBe(departmentKey(e.department));
    }
    expect(sameDepartment("江苏省委办公厅", "中国共产党江苏省委员会办公厅")).toBe(true);
    expect(() => aliasIndex([...DEPARTMENT_ALIASES, { department: "中共江苏省委组织部", names: ["省委办公厅"], note: "a mistake: listed twice" }])).toThrow(/two departments/);
  });

  it("the across-years rule compares last year's filing of the same department only, under either name", () => {
    const named = (d: DisclosureDocument, department: string): DisclosureDocument => ({ ...d, meta: { ...d.meta, department } });
    // Last year's 表3 disagrees with this year's stated change (seed test): years.change error.
    const prev = setCell(setCell(setCell(seedDoc(), "表3", "总计", 1, "150.00"), "表3", "208", 1, "150.00"), "表3", "208 01", 1, "136.23");
    const years = (cur: DisclosureDocument, p: DisclosureDocument) => checkDocument(cur, { previous: p }).filter((f) => f.rule.startsWith("years."));
    const now = named(seedDoc(), "中共江苏省委办公厅");
    const same = years(now, named(prev, "中共江苏省委办公厅"));
    expect(same.some((f) => f.rule === "years.change" && f.severity === "error")).toBe(true);
    expect(years(now, named(prev, "中国共产党江苏省委员会办公厅"))).toEqual(same);
    expect(years(now, named(prev, "江苏省人民政府办公厅"))).toEqual([]);
  });

  it("a renamed department keeps its series (the ingest finds last year's filing under the old name)", () => {
    expect(K.seriesPk("中国共产党江苏省委员会办公厅", 2018, "budget")).toBe(K.seriesPk("中共江苏省委办公厅", 2018, "budget"));
    expect(K.seriesPk("中共江苏省委办公厅", 2018, "budget")).not.toBe(K.seriesPk("中共江苏省委组织部", 2018, "budget"));
  });
});

const PAIR = ["江苏省委办公厅2017年预算公开表格.pdf", "江苏省委办公厅2019年度部门预算公开表格.pdf"];

describe.runIf(realAvailable())("the real 委办 2017/2019 filings", () => {
  let be: Backend;
  let api: QueryApi;
  const docs: DisclosureDocument[] = [];

  beforeAll(async () => {
    for (const f of PAIR) docs.push(await parseDocument(new Uint8Array(readFileSync(join(REAL_DIR, f))), { fileName: f }));
    be = await startDynaliteBackend();
    await be.createTable("weiban");
    const store = new DocumentStore({ tableName: "weiban", client: be.doc });
    for (const [i, doc] of docs.entries()) {
      const flags = checkDocument(doc);
      const body = documentBodyItems(doc, flags);
      await store.putItems(body);
      const at = `2026-01-0${i + 1}T00:00:00.000Z`;
      const record = committedRecord(doc, flags, { bucket: "b", key: `incoming/${PAIR[i]}`, eventTime: at }, at, body);
      await store.commit(record);
      await store.applySeries(record);
    }
    api = new QueryApi(store);
  }, 300_000);
  afterAll(async () => be?.stop());

  it("prints two names for one department", () => {
    expect(docs.map((d) => [d.meta.department, d.meta.year])).toEqual([
      ["中国共产党江苏省委员会办公厅", 2017],
      ["中共江苏省委办公厅", 2019],
    ]);
    expect(sameDepartment(docs[0]!.meta.department!, docs[1]!.meta.department!)).toBe(true);
  });

  it("lists them as one department and puts both years side by side, asked by either name", async () => {
    const deps = (await api.handle("GET", "/departments", {})).body as { items: Department[] };
    expect(deps.items).toHaveLength(1);
    expect(deps.items[0]!.department).toBe("中共江苏省委办公厅");
    expect(deps.items[0]!.names.sort()).toEqual(["中共江苏省委办公厅", "中国共产党江苏省委员会办公厅"].sort());
    for (const name of ["中共江苏省委办公厅", "中国共产党江苏省委员会办公厅", "江苏省委办公厅"]) {
      const res = await api.handle("GET", `/departments/${encodeURIComponent(name)}/years`, {});
      expect(res.status, name).toBe(200);
      const yoy = res.body as YearOverYear & { names: string[] };
      expect(yoy.years).toEqual([2017, 2019]);
      expect(yoy.names.sort()).toEqual(["中共江苏省委办公厅", "中国共产党江苏省委员会办公厅"].sort());
      // Rows matched across the rename: some table row carries both years.
      expect(yoy.tables.some((t) => t.rows.some((r) => Object.values(r.values).some((byYear) => byYear["2017"] && byYear["2019"])))).toBe(true);
      const head = await api.handle("GET", `/departments/${encodeURIComponent(name)}/headcount`, {});
      expect((head.body as { items: { year: number }[] }).items.map((h) => h.year)).toEqual([2017, 2019]);
    }
    expect((await api.handle("GET", `/departments/${encodeURIComponent("中共江苏省委组织部")}/years`, {})).status).toBe(404);
  });
});
