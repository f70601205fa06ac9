// @vitest-environment jsdom
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import * as React from "react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import i18n from "@/lib/i18n";
import type { CustomField } from "../api/custom-fields";
import type { ContactList } from "../api/lists";
import type { Tag } from "../api/tags";
import { SegmentBuilder } from "./segment-builder";
import { errorsByRow, rowsToFilter, type ConditionRow } from "./segment-filter-model";

const NOW = "2026-01-01T00:00:00Z";

// the pickers search the server: here, the same search over fixed tags and lists
const { TAGS, LISTS, search } = vi.hoisted(() => {
  const at = "2026-01-01T00:00:00Z";
  const tags: Tag[] = [
    { id: "t-vip", name: "vip", color: "#16a34a", created_at: at },
    { id: "t-lead", name: "lead", color: "#2563eb", created_at: at },
  ];
  const lists: ContactList[] = [{ id: "l-news", name: "Newsletter", description: null, member_count: 3, created_at: at }];
  const search = <T extends { id: string; name: string; color?: string }>(items: T[]) => ({
    found: (q: string) => ({ options: items.filter((i) => i.name.includes(q)).map((i) => ({ id: i.id, label: i.name, color: i.color })), loading: false }),
    byIds: (ids: readonly string[]) => ({ data: items.filter((i) => ids.includes(i.id)) }),
  });
  return { TAGS: tags, LISTS: lists, search };
});
vi.mock("../api/tags", () => ({ useTagSearch: search(TAGS).found, useTagsByIds: search(TAGS).byIds }));
vi.mock("../api/lists", () => ({ useListSearch: search(LISTS).found, useListsByIds: search(LISTS).byIds }));

const FIELDS: CustomField[] = [
  { id: "f-score", key: "score", label: "Score", type: "number", options: [], created_at: NOW },
  { id: "f-plan", key: "plan", label: "Plan", type: "select", options: ["basic", "pro"], created_at: NOW },
];

function Harness({ initial, apiErrors = {}, onFilter }: { initial: ConditionRow[]; apiErrors?: Record<string, string>; onFilter?: (f: unknown) => void }) {
  const [rows, setRows] = React.useState(initial);
  React.useEffect(() => {
    onFilter?.(rowsToFilter(rows, { score: "number", plan: "select" }));
  }, [rows, onFilter]);
  return <SegmentBuilder rows={rows} onChange={setRows} fields={FIELDS} errors={errorsByRow(rows, apiErrors)} />;
}

beforeAll(async () => {
  await i18n.changeLanguage("en");
});
afterEach(cleanup);

describe("SegmentBuilder", () => {
  it("shows the API's error next to the control it names", async () => {
    const rows: ConditionRow[] = [
      { id: "a", kind: "tags_any", ids: ["t-vip"] },
      { id: "b", kind: "custom_field", key: "score", op: "gt", value: "ten" },
    ];
    render(<Harness initial={rows} apiErrors={{ "filter.custom_fields.0.value": "Input should be a valid number" }} />);
    const field = await screen.findByRole("group", { name: /Custom field/ });
    const value = within(field).getByLabelText("Value");
    expect(value).toHaveAttribute("aria-invalid", "true");
    expect(value).toHaveAccessibleDescription("Input should be a valid number");
    expect(within(screen.getByRole("group", { name: /any of these tags/ })).getByLabelText("Add a tag")).not.toHaveAttribute("aria-invalid");
  });

  it("picks and unpicks tags, and removes a condition", async () => {
    const user = userEvent.setup();
    const filters: unknown[] = [];
    render(<Harness initial={[{ id: "a", kind: "tags_any", ids: [] }, { id: "b", kind: "lists_none", ids: [] }]} onFilter={(f) => filters.push(f)} />);
    const tags = await screen.findByRole("group", { name: /any of these tags/ });
    await user.click(within(tags).getByLabelText("Add a tag"));
    await user.click(await screen.findByRole("option", { name: "lead" }));
    // the keyboard: type to search, Enter picks the first match; what is chosen is not offered again
    within(tags).getByLabelText("Add a tag").focus();
    await user.keyboard("{ArrowDown}");
    expect(await screen.findByRole("combobox", { name: "Search tags" })).toHaveFocus();
    expect(screen.queryByRole("option", { name: "lead" })).toBeNull();
    await user.type(screen.getByRole("combobox", { name: "Search tags" }), "vi");
    await user.keyboard("{Enter}");
    expect(filters.at(-1)).toEqual({ tags_any: ["t-lead", "t-vip"] });
    expect(within(tags).getByRole("list", { name: /Chosen/ })).toHaveTextContent("leadvip");
    await user.click(within(tags).getByRole("button", { name: "Remove lead" }));
    expect(filters.at(-1)).toEqual({ tags_any: ["t-vip"] });
    await user.click(screen.getByRole("button", { name: "Remove the condition “Has any of these tags”" }));
    expect(screen.queryByRole("group", { name: /any of these tags/ })).toBeNull();
    expect(filters.at(-1)).toEqual({});
  });

  it("offers the ops and values that fit the field's type", async () => {
    const user = userEvent.setup();
    const filters: unknown[] = [];
    render(<Harness initial={[{ id: "c", kind: "custom_field", key: "score", op: "eq", value: "" }]} onFilter={(f) => filters.push(f)} />);
    const group = await screen.findByRole("group", { name: /Custom field/ });
    const ops = () => within(within(group).getByLabelText("Condition")).getAllByRole("option").map((o) => o.getAttribute("value"));
    expect(ops()).toEqual(["eq", "neq", "gt", "lt", "exists", "missing"]);
    await user.selectOptions(within(group).getByLabelText("Condition"), "gt");
    await user.type(within(group).getByLabelText("Value"), "7");
    expect(filters.at(-1)).toEqual({ custom_fields: [{ key: "score", op: "gt", value: 7 }] });
    // a select field: its options as values, "greater than" no longer offered (the op falls back to "is")
    await user.selectOptions(within(group).getByLabelText("Field"), "plan");
    expect(ops()).toEqual(["eq", "neq", "contains", "exists", "missing"]);
    await user.selectOptions(within(group).getByLabelText("Value"), "pro");
    expect(filters.at(-1)).toEqual({ custom_fields: [{ key: "plan", op: "eq", value: "pro" }] });
    await user.selectOptions(within(group).getByLabelText("Condition"), "missing");
    expect(within(group).queryByLabelText("Value")).toBeNull();
    expect(filters.at(-1)).toEqual({ custom_fields: [{ key: "plan", op: "missing" }] });
  });
});
