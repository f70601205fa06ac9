import { describe, expect, it } from "vitest";
import { activeFilterCount, dayBound, readFilters, toQuery, toSearch, toSegmentFilter, withFilter } from "./contact-filters";

describe("contact filters", () => {
  it("reads the URL and builds the API query", () => {
    const filters = readFilters(new URLSearchParams("q=%20ana%20&tag=t1&field=plan&value=gold&list=l1"));
    expect(toQuery(filters)).toEqual({ q: "ana", tag_id: ["t1"], list_id: "l1", custom_field: "plan", custom_value: "gold" });
    expect(activeFilterCount(filters)).toBe(3);
  });

  it("drops a custom value when its field changes", () => {
    const next = withFilter(new URLSearchParams("field=plan&value=gold"), "field", "city");
    expect(next.toString()).toBe("field=city");
    expect(withFilter(next, "field", "").toString()).toBe("");
  });

  it("makes whole local days of the date range", () => {
    const from = new Date(dayBound("2026-03-01", false)!);
    const to = new Date(dayBound("2026-03-01", true)!);
    expect([from.getDate(), from.getHours(), from.getMinutes()]).toEqual([1, 0, 0]);
    expect([to.getDate(), to.getHours(), to.getMinutes(), to.getMilliseconds()]).toEqual([1, 23, 59, 999]);
    expect(dayBound("nope", false)).toBeUndefined();
  });

  it("repeats array keys in the export's query string", () => {
    expect(toSearch({ q: "a b", tag_id: ["x", "y"] })).toBe("q=a+b&tag_id=x&tag_id=y");
  });
});

describe("bulk by filter", () => {
  const none = readFilters(new URLSearchParams());
  it("says the table's filters as a segment filter", () => {
    const filters = readFilters(new URLSearchParams("tag=t1&list=l1&field=seats&value=3"));
    expect(toSegmentFilter(filters, "number", undefined)).toEqual({ tags_any: ["t1"], lists_any: ["l1"], custom_fields: [{ key: "seats", op: "eq", value: 3 }] });
    expect(toSegmentFilter(readFilters(new URLSearchParams("field=plan")), "text", undefined)).toEqual({ custom_fields: [{ key: "plan", op: "exists" }] });
    expect(toSegmentFilter(none, undefined, undefined)).toEqual({});
  });

  it("uses a segment's own filter, and gives up on what a filter cannot say", () => {
    const saved = { tags_none: ["x"] };
    expect(toSegmentFilter(readFilters(new URLSearchParams("segment=s1")), undefined, saved)).toBe(saved);
    expect(toSegmentFilter(readFilters(new URLSearchParams("segment=s1&tag=t1")), undefined, saved)).toBeNull();
    expect(toSegmentFilter(readFilters(new URLSearchParams("q=ana")), undefined, undefined)).toBeNull();
  });
});
