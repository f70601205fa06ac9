/**
 * The segment filter (the API's `SegmentFilter`) as the builder shows it: a list of condition rows, and back.
 * Pure: no React, no fetching. Dates are whole local days in the builder; the API takes instants, with
 * `*_to` exclusive, so an inclusive "to" day becomes the start of the next day.
 */
import type { Schema } from "@/lib/api/types";

export type SegmentFilter = Schema<"SegmentFilter">;
export type CustomFieldOp = Schema<"CustomFieldCondition">["op"];
export type CustomFieldType = Schema<"CustomFieldRead">["type"];
export type ConsentChannel = Schema<"ConsentCondition">["channel"];
export type ConsentStatus = Schema<"ConsentCondition">["status"];

export const CUSTOM_FIELD_OPS: readonly CustomFieldOp[] = ["eq", "neq", "gt", "lt", "contains", "exists", "missing"];
/** Ops that take no value. */
export const VALUELESS_OPS: readonly CustomFieldOp[] = ["exists", "missing"];
/** Most custom-field conditions a filter may hold (the API's limit). */
export const MAX_CUSTOM_FIELD_ROWS = 20;

/** Conditions on a set of ids; at most one row of each. */
export type IdSetKind = "tags_any" | "tags_all" | "tags_none" | "lists_any" | "lists_none";
export type RangeKind = "created" | "last_inbound";

export type ConditionRow =
  | { id: string; kind: IdSetKind; ids: string[] }
  | { id: string; kind: "custom_field"; key: string; op: CustomFieldOp; value: string }
  | { id: string; kind: RangeKind; from: string; to: string }
  | { id: string; kind: "consent"; channel: ConsentChannel; status: ConsentStatus };

export type ConditionKind = ConditionRow["kind"];

/** The order the "add a condition" menu offers them in. */
export const CONDITION_KINDS: readonly ConditionKind[] = [
  "tags_any",
  "tags_all",
  "tags_none",
  "lists_any",
  "lists_none",
  "custom_field",
  "created",
  "last_inbound",
  "consent",
];

const ID_SET_KINDS: readonly IdSetKind[] = ["tags_any", "tags_all", "tags_none", "lists_any", "lists_none"];

export function isIdSetKind(kind: ConditionKind): kind is IdSetKind {
  return (ID_SET_KINDS as readonly string[]).includes(kind);
}

let sequence = 0;
/** A row id for React keys; stable for the row's life, meaningless to the API. */
export function rowId(): string {
  sequence += 1;
  return `row-${sequence}`;
}

/** Whether another row of `kind` may be added (one of each, except up to 20 custom-field rows). */
export function canAdd(rows: readonly ConditionRow[], kind: ConditionKind): boolean {
  if (kind === "custom_field") return rows.filter((r) => r.kind === "custom_field").length < MAX_CUSTOM_FIELD_ROWS;
  return !rows.some((r) => r.kind === kind);
}

/** A fresh, empty row of `kind`. */
export function newRow(kind: ConditionKind, firstFieldKey = ""): ConditionRow {
  const id = rowId();
  if (kind === "custom_field") return { id, kind, key: firstFieldKey, op: "eq", value: "" };
  if (kind === "created" || kind === "last_inbound") return { id, kind, from: "", to: "" };
  if (kind === "consent") return { id, kind, channel: "whatsapp", status: "opted_in" };
  return { id, kind, ids: [] };
}

// ---- dates ---------------------------------------------------------------------------------------

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The instant a local day starts (`plusDays` later), as ISO; undefined for a blank or malformed day. */
export function dayToInstant(day: string, plusDays = 0): string | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

/** The local day of an instant (`minusMs` earlier); "" when absent. */
export function instantToDay(instant: string | null | undefined, minusMs = 0): string {
  if (!instant) return "";
  const time = new Date(instant).getTime() - minusMs;
  return Number.isNaN(time) ? "" : localDay(new Date(time));
}

// ---- values --------------------------------------------------------------------------------------

/** The typed value for the API: numbers as numbers, booleans as booleans, the rest as text. */
export function typedValue(value: string, type: CustomFieldType | undefined): string | number | boolean {
  const text = value.trim();
  if (type === "number" && text !== "" && Number.isFinite(Number(text))) return Number(text);
  if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

function valueText(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

// ---- conversion ----------------------------------------------------------------------------------

type FieldRow = Extract<ConditionRow, { kind: "custom_field" }>;

/** A custom-field row says something once a field is chosen and, for ops that compare, a value is given. */
function fieldRowComplete(row: FieldRow): boolean {
  return row.key !== "" && (VALUELESS_OPS.includes(row.op) || row.value.trim() !== "");
}

/** The builder's rows for a saved filter (one row per condition present). */
export function filterToRows(filter: SegmentFilter | null | undefined): ConditionRow[] {
  const rows: ConditionRow[] = [];
  if (!filter) return rows;
  for (const kind of ID_SET_KINDS) {
    const ids = filter[kind];
    if (ids && ids.length > 0) rows.push({ id: rowId(), kind, ids: [...ids] });
  }
  for (const c of filter.custom_fields ?? []) {
    rows.push({ id: rowId(), kind: "custom_field", key: c.key, op: c.op, value: valueText(c.value) });
  }
  const ranges: [RangeKind, string | null | undefined, string | null | undefined][] = [
    ["created", filter.created_from, filter.created_to],
    ["last_inbound", filter.last_inbound_from, filter.last_inbound_to],
  ];
  for (const [kind, from, to] of ranges) {
    if (from || to) rows.push({ id: rowId(), kind, from: instantToDay(from), to: instantToDay(to, 1) });
  }
  if (filter.consent) rows.push({ id: rowId(), kind: "consent", channel: filter.consent.channel, status: filter.consent.status });
  return rows;
}

/**
 * The API's filter for the rows. Incomplete rows (no tag picked, no field chosen, no day) are left out,
 * so the live count follows what the user has actually said. `fieldTypes` types the values.
 */
export function rowsToFilter(rows: readonly ConditionRow[], fieldTypes: Readonly<Record<string, CustomFieldType>> = {}): SegmentFilter {
  const filter: SegmentFilter = {};
  for (const row of rows) {
    switch (row.kind) {
      case "custom_field": {
        if (!fieldRowComplete(row)) break;
        const condition: Schema<"CustomFieldCondition"> = { key: row.key, op: row.op };
        if (!VALUELESS_OPS.includes(row.op)) condition.value = typedValue(row.value, fieldTypes[row.key]);
        (filter.custom_fields ??= []).push(condition);
        break;
      }
      case "created":
      case "last_inbound": {
        const from = dayToInstant(row.from);
        const to = dayToInstant(row.to, 1);
        if (from) filter[`${row.kind}_from`] = from;
        if (to) filter[`${row.kind}_to`] = to;
        break;
      }
      case "consent":
        filter.consent = { channel: row.channel, status: row.status };
        break;
      default:
        if (row.ids.length > 0) filter[row.kind] = [...row.ids];
    }
  }
  return filter;
}

/**
 * The API's field errors (`filter.custom_fields.0.value`, `filter.tags_any.1`, `filter.created_from`…)
 * keyed by the row they belong to, so each shows next to its control. Errors no row claims come back
 * under `""`. For custom-field rows the key is `<rowId>.key` / `<rowId>.op` / `<rowId>.value`.
 */
export function errorsByRow(rows: readonly ConditionRow[], errors: Readonly<Record<string, string>>, prefix = "filter."): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, message: string) => {
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  };
  // only the custom-field rows that reached the filter have an index there
  const fieldRows = rows.filter((r): r is FieldRow => r.kind === "custom_field" && fieldRowComplete(r));
  for (const [path, message] of Object.entries(errors)) {
    if (!path.startsWith(prefix)) continue;
    const parts = path.slice(prefix.length).split(".");
    const head = parts[0] ?? "";
    let claimed = false;
    if (head === "custom_fields") {
      const row = fieldRows[Number(parts[1])];
      const part = parts[2];
      if (row && (part === "key" || part === "op" || part === "value")) {
        add(`${row.id}.${part}`, message);
        claimed = true;
      } else if (row) {
        add(`${row.id}.value`, message);
        claimed = true;
      }
    } else {
      const kind = head.replace(/_(from|to)$/, "");
      const row = rows.find((r) => r.kind === kind || r.kind === head);
      if (row) {
        add(row.id, message);
        claimed = true;
      }
    }
    if (!claimed) add("", message);
  }
  return out;
}

/** Whether two filters say the same (for "unsaved changes" and de-duplicating previews). */
export function sameFilter(a: SegmentFilter, b: SegmentFilter): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

function normalise(filter: SegmentFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(filter).sort() as (keyof SegmentFilter)[]) {
    const value = filter[key];
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out;
}
