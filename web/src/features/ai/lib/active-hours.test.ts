import { describe, expect, it } from "vitest";
import { addRange, copyToOthers, defaultHours, hasErrors, normalizeHours, parseHours, turnOn, validateHours, type ActiveHours } from "./active-hours";

const SP = "America/Sao_Paulo";

describe("validateHours", () => {
  it("accepts business hours on weekdays", () => {
    expect(hasErrors(validateHours(defaultHours(SP)))).toBe(false);
  });

  it("flags a range that ends before it starts, on that range", () => {
    const hours: ActiveHours = { timezone: SP, days: { mon: [["09:00", "12:00"], ["18:00", "14:00"]] } };
    expect(validateHours(hours).ranges).toEqual({ "mon.1": "order" });
  });

  it("flags an empty range (start equal to end) and a malformed time", () => {
    const hours: ActiveHours = { timezone: SP, days: { tue: [["10:00", "10:00"]], wed: [["9:00", "25:00"]] } };
    expect(validateHours(hours).ranges).toEqual({ "tue.0": "order", "wed.0": "format" });
  });

  it("flags the later of two overlapping ranges, whatever order they were typed in", () => {
    const hours: ActiveHours = { timezone: SP, days: { fri: [["13:00", "18:00"], ["08:00", "14:00"]] } };
    expect(validateHours(hours).ranges).toEqual({ "fri.0": "overlap" });
  });

  it("lets a range start where the one before ends", () => {
    const hours: ActiveHours = { timezone: SP, days: { sat: [["08:00", "12:00"], ["12:00", "16:00"]] } };
    expect(hasErrors(validateHours(hours))).toBe(false);
  });

  it("refuses a schedule with no day at all, and an unknown timezone", () => {
    const errors = validateHours({ timezone: "Mars/Olympus_Mons", days: { mon: [] } });
    expect(errors.empty).toBe(true);
    expect(errors.timezone).toBe("unknown");
    expect(validateHours({ timezone: "", days: { mon: [["09:00", "10:00"]] } }).timezone).toBe("required");
  });
});

describe("editing", () => {
  it("normalizes: ranges in order, days without ranges left out", () => {
    const hours: ActiveHours = { timezone: SP, days: { mon: [["14:00", "18:00"], ["08:00", "12:00"]], tue: [] } };
    expect(normalizeHours(hours)).toEqual({ timezone: SP, days: { mon: [["08:00", "12:00"], ["14:00", "18:00"]] } });
  });

  it("a day switched on takes the ranges of the nearest earlier day on", () => {
    const hours: ActiveHours = { timezone: SP, days: { mon: [["07:00", "11:00"]], wed: [["10:00", "15:00"]] } };
    expect(turnOn(hours, "sat").days.sat).toEqual([["10:00", "15:00"]]);
    expect(turnOn({ timezone: SP, days: {} }, "mon").days.mon).toEqual([["09:00", "18:00"]]);
  });

  it("adds a range after the last one that does not overlap it", () => {
    const next = addRange({ timezone: SP, days: { mon: [["09:00", "12:00"]] } }, "mon");
    expect(next.days.mon).toEqual([["09:00", "12:00"], ["13:00", "15:00"]]);
    expect(hasErrors(validateHours(next))).toBe(false);
    expect(addRange({ timezone: SP, days: {} }, "sun").days.sun).toEqual([["09:00", "18:00"]]);
  });

  it("copies a day's ranges to the other days that are on, leaving days off alone", () => {
    const hours: ActiveHours = { timezone: SP, days: { mon: [["08:00", "12:00"], ["13:00", "17:00"]], tue: [["09:00", "18:00"]] } };
    const next = copyToOthers(hours, "mon");
    expect(next.days.tue).toEqual(hours.days.mon);
    expect(next.days.sun).toBeUndefined();
  });

  it("reads the API's JSON, and anything else as always", () => {
    expect(parseHours(null)).toBeNull();
    expect(parseHours({ days: {} })).toBeNull();
    expect(parseHours({ timezone: SP, days: { mon: [["09:00", "18:00"]], xyz: [["1", "2"]], tue: "no" } })).toEqual({ timezone: SP, days: { mon: [["09:00", "18:00"]] } });
  });
});
