import { describe, expect, it } from "vitest";
import {
  canAdd,
  dayToInstant,
  errorsByRow,
  filterToRows,
  instantToDay,
  newRow,
  rowsToFilter,
  sameFilter,
  typedValue,
  type ConditionRow,
  type SegmentFilter,
} from "./segment-filter-model";

const TAG_A = "00000000-0000-0000-0000-00000000000a";
const TAG_B = "00000000-0000-0000-0000-00000000000b";
const LIST = "00000000-0000-0000-0000-0000000000c1";

function withoutIds(rows: ConditionRow[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => key !== "id")));
}

describe("filterToRows / rowsToFilter", () => {
  it("round-trips every kind of condition", () => {
    const filter: SegmentFilter = {
      tags_any: [TAG_A, TAG_B],
      tags_all: [TAG_A],
      tags_none: [TAG_B],
      lists_any: [LIST],
      lists_none: [LIST],
      custom_fields: [
        { key: "plan", op: "eq", value: "pro" },
        { key: "score", op: "gt", value: 10 },
        { key: "vip", op: "eq", value: true },
        { key: "city", op: "exists" },
      ],
      created_from: dayToInstant("2026-01-01"),
      created_to: dayToInstant("2026-01-31", 1),
      last_inbound_from: dayToInstant("2026-02-01"),
      consent: { channel: "whatsapp", status: "opted_out" },
    };
    const rows = filterToRows(filter);
    expect(rows.map((r) => r.kind)).toEqual([
      "tags_any",
      "tags_all",
      "tags_none",
      "lists_any",
      "lists_none",
      "custom_field",
      "custom_field",
      "custom_field",
      "custom_field",
      "created",
      "last_inbound",
      "consent",
    ]);
    expect(rows.find((r) => r.kind === "created")).toMatchObject({ from: "2026-01-01", to: "2026-01-31" });
    expect(rows.find((r) => r.kind === "last_inbound")).toMatchObject({ from: "2026-02-01", to: "" });
    const types = { score: "number", vip: "boolean", plan: "select", city: "text" } as const;
    expect(sameFilter(rowsToFilter(rows, types), filter)).toBe(true);
  });

  it("gives no rows for an empty filter, and an empty filter for no rows", () => {
    expect(filterToRows({})).toEqual([]);
    expect(filterToRows(null)).toEqual([]);
    expect(rowsToFilter([])).toEqual({});
  });

  it("leaves out the rows the user has not finished", () => {
    const noValue: ConditionRow = { id: "v", kind: "custom_field", key: "plan", op: "eq", value: "  " };
    const rows: ConditionRow[] = [newRow("tags_any"), newRow("custom_field"), noValue, newRow("created"), { ...newRow("lists_none"), ids: [LIST] } as ConditionRow];
    expect(rowsToFilter(rows)).toEqual({ lists_none: [LIST] });
  });

  it("sends no value for exists and missing", () => {
    const row: ConditionRow = { id: "r", kind: "custom_field", key: "plan", op: "missing", value: "left over" };
    expect(rowsToFilter([row])).toEqual({ custom_fields: [{ key: "plan", op: "missing" }] });
  });

  it("types values by the field's definition", () => {
    expect(typedValue(" 42 ", "number")).toBe(42);
    expect(typedValue("4x", "number")).toBe("4x"); // the API says what is wrong with it
    expect(typedValue("true", "boolean")).toBe(true);
    expect(typedValue("false", "boolean")).toBe(false);
    expect(typedValue("2026-03-01", "date")).toBe("2026-03-01");
    expect(typedValue("42", "text")).toBe("42");
    expect(typedValue("42", undefined)).toBe("42");
  });

  it("shows values of any type as text in the builder", () => {
    const rows = filterToRows({ custom_fields: [{ key: "n", op: "lt", value: 3.5 }, { key: "b", op: "eq", value: false }, { key: "x", op: "exists", value: null }] });
    expect(withoutIds(rows)).toEqual([
      { kind: "custom_field", key: "n", op: "lt", value: "3.5" },
      { kind: "custom_field", key: "b", op: "eq", value: "false" },
      { kind: "custom_field", key: "x", op: "exists", value: "" },
    ]);
  });
});

describe("dates", () => {
  it("makes the inclusive 'to' day the exclusive start of the next day, and back", () => {
    const to = dayToInstant("2026-12-31", 1)!;
    expect(new Date(to).getFullYear()).toBe(2027);
    expect(instantToDay(to, 1)).toBe("2026-12-31");
    expect(instantToDay(dayToInstant("2026-03-09"))).toBe("2026-03-09");
  });

  it("ignores blank and malformed days", () => {
    expect(dayToInstant("")).toBeUndefined();
    expect(dayToInstant("31/12/2026")).toBeUndefined();
    expect(instantToDay(null)).toBe("");
    expect(instantToDay("not a date")).toBe("");
  });
});

describe("canAdd", () => {
  it("allows one row of each kind but many custom-field rows, up to 20", () => {
    const rows: ConditionRow[] = [newRow("tags_any"), newRow("consent")];
    expect(canAdd(rows, "tags_any")).toBe(false);
    expect(canAdd(rows, "tags_all")).toBe(true);
    expect(canAdd(rows, "consent")).toBe(false);
    const many = Array.from({ length: 19 }, () => newRow("custom_field"));
    expect(canAdd(many, "custom_field")).toBe(true);
    expect(canAdd([...many, newRow("custom_field")], "custom_field")).toBe(false);
  });
});

describe("errorsByRow", () => {
  it("puts each API error next to the control it is about", () => {
    const unfinished: ConditionRow = { id: "blank", kind: "custom_field", key: "", op: "eq", value: "" };
    const noValue: ConditionRow = { id: "nv", kind: "custom_field", key: "plan", op: "eq", value: " " };
    const first: ConditionRow = { id: "f1", kind: "custom_field", key: "plan", op: "eq", value: "pro" };
    const second: ConditionRow = { id: "f2", kind: "custom_field", key: "Bad Key", op: "gt", value: "x" };
    const tags: ConditionRow = { id: "t", kind: "tags_any", ids: ["nope"] };
    const created: ConditionRow = { id: "c", kind: "created", from: "2026-01-01", to: "" };
    const rows = [tags, unfinished, noValue, first, second, created];
    const errors = errorsByRow(rows, {
      "filter.custom_fields.0.value.str": "Input should be a valid string",
      "filter.custom_fields.1.key": "String should match pattern",
      "filter.tags_any.0": "Input should be a valid UUID",
      "filter.created_from": "Input should be a valid datetime",
      "filter.somewhere_else": "Extra inputs are not permitted",
      name: "not a filter error",
    });
    expect(errors).toEqual({
      "f1.value": "Input should be a valid string",
      "f2.key": "String should match pattern",
      t: "Input should be a valid UUID",
      c: "Input should be a valid datetime",
      "": "Extra inputs are not permitted",
    });
  });
});
