/** The contacts table's filters: kept in the URL (shareable, and the export takes the same ones). */

export interface ContactFilters {
  q: string;
  tag: string;
  list: string;
  segment: string;
  field: string;
  value: string;
  /** `YYYY-MM-DD` from the date inputs, in the user's time zone. */
  from: string;
  to: string;
}

export const FILTER_KEYS = ["q", "tag", "list", "segment", "field", "value", "from", "to"] as const satisfies readonly (keyof ContactFilters)[];

export function readFilters(params: URLSearchParams): ContactFilters {
  const out = {} as ContactFilters;
  for (const key of FILTER_KEYS) out[key] = params.get(key) ?? "";
  return out;
}

/** The same params with one filter changed (empty removes it); a field change drops its stale value. */
export function withFilter(params: URLSearchParams, key: keyof ContactFilters, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(key, value);
  else next.delete(key);
  if (key === "field") next.delete("value");
  return next;
}

export function activeFilterCount(filters: ContactFilters): number {
  return FILTER_KEYS.filter((k) => k !== "q" && k !== "value" && filters[k]).length;
}

/** Start of a local day, or the end of it (`to` includes the whole day), as an ISO instant. */
export function dayBound(day: string, end: boolean): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = end ? new Date(y, m - 1, d + 1, 0, 0, 0, -1) : new Date(y, m - 1, d, 0, 0, 0, 0);
  return date.toISOString();
}

export interface ContactQuery {
  q?: string;
  tag_id?: string[];
  list_id?: string;
  segment_id?: string;
  custom_field?: string;
  custom_value?: string;
  created_from?: string;
  created_to?: string;
}

/** The API's query parameters for `GET /v1/contacts` and `GET /v1/contacts/export.csv`. */
export function toQuery(filters: ContactFilters, q: string = filters.q): ContactQuery {
  const query: ContactQuery = {};
  if (q.trim()) query.q = q.trim();
  if (filters.tag) query.tag_id = [filters.tag];
  if (filters.list) query.list_id = filters.list;
  if (filters.segment) query.segment_id = filters.segment;
  if (filters.field) {
    query.custom_field = filters.field;
    if (filters.value) query.custom_value = filters.value;
  }
  const from = dayBound(filters.from, false);
  const to = dayBound(filters.to, true);
  if (from) query.created_from = from;
  if (to) query.created_to = to;
  return query;
}

/** A query string for the export link (arrays repeat the key, as FastAPI reads them). */
export function toSearch(query: ContactQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else if (value) params.set(key, value);
  }
  return params.toString();
}

export interface SegmentFilterShape {
  tags_any?: string[];
  lists_any?: string[];
  created_from?: string | null;
  created_to?: string | null;
  custom_fields?: { key: string; op: "eq" | "neq" | "gt" | "lt" | "contains" | "exists" | "missing"; value?: string | number | boolean | null }[];
  [other: string]: unknown;
}

/**
 * The table's filters as a segment filter, for a bulk action on everything they match (admins): null when they
 * cannot be said as one (a text search, or a segment together with other filters).
 */
export function toSegmentFilter(filters: ContactFilters, fieldType: string | undefined, segmentFilter: SegmentFilterShape | undefined): SegmentFilterShape | null {
  if (filters.q.trim()) return null;
  const others = FILTER_KEYS.some((k) => k !== "q" && k !== "segment" && filters[k]);
  if (filters.segment) return others || !segmentFilter ? null : segmentFilter;
  const out: SegmentFilterShape = {};
  if (filters.tag) out.tags_any = [filters.tag];
  if (filters.list) out.lists_any = [filters.list];
  const from = dayBound(filters.from, false);
  const to = dayBound(filters.to, true);
  if (from) out.created_from = from;
  if (to) out.created_to = to;
  if (filters.field) {
    if (!filters.value) out.custom_fields = [{ key: filters.field, op: "exists" }];
    else {
      const value = fieldType === "number" ? Number(filters.value) : fieldType === "boolean" ? filters.value === "true" : filters.value;
      out.custom_fields = [{ key: filters.field, op: "eq", value }];
    }
  }
  return out;
}
