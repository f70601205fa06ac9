/**
 * A persona's active hours as the API keeps them: `{timezone, days: {mon: [["09:00", "18:00"]], …}}`, or null for
 * "always". A day that is absent (or has no range) is a day off. Ranges are "HH:MM" strings, start before end, in
 * the persona's timezone; here they are edited, checked and put in order before they are sent.
 */

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Day = (typeof DAYS)[number];
export type Range = [start: string, end: string];

// a type, not an interface: it must fit the API's loosely typed JSON object (`{[key: string]: unknown}`)
export type ActiveHours = {
  timezone: string;
  days: Partial<Record<Day, Range[]>>;
};

/** What is wrong with a range (an i18n key of `ai:hours.errors`). */
export type RangeError = "format" | "order" | "overlap";

export interface HoursErrors {
  /** `mon.0` → the first range of Monday. */
  ranges: Record<string, RangeError>;
  timezone?: "required" | "unknown";
  /** No day has a range: the persona would never answer. */
  empty?: boolean;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** The API lets a range end at 24:00 (the end of the day). */
const END_OF_DAY = "24:00";
/** The API's limit of ranges in one day. */
export const MAX_RANGES_PER_DAY = 6;

export const WEEKDAYS: readonly Day[] = ["mon", "tue", "wed", "thu", "fri"];

/** The hours a new schedule starts from: business hours on weekdays. */
export function defaultHours(timezone: string): ActiveHours {
  return { timezone, days: Object.fromEntries(WEEKDAYS.map((d) => [d, [["09:00", "18:00"]]])) };
}

function minutes(value: string): number {
  const [h, m] = value.split(":").map(Number);
  return h! * 60 + m!;
}

/** The IANA timezones the browser knows (with `current` kept when it is not among them). */
export function timezoneList(current: string): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return !current || zones.includes(current) ? zones : [current, ...zones];
}

export function isKnownTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every problem of the schedule, by range (`mon.1`), as the editor shows them next to the inputs. */
export function validateHours(hours: ActiveHours): HoursErrors {
  const errors: HoursErrors = { ranges: {} };
  if (!hours.timezone) errors.timezone = "required";
  else if (!isKnownTimezone(hours.timezone)) errors.timezone = "unknown";
  let any = false;
  for (const day of DAYS) {
    const ranges = hours.days[day] ?? [];
    if (ranges.length) any = true;
    ranges.forEach(([start, end], i) => {
      if (!HHMM.test(start) || !(HHMM.test(end) || end === END_OF_DAY)) errors.ranges[`${day}.${i}`] = "format";
      else if (minutes(start) >= minutes(end)) errors.ranges[`${day}.${i}`] = "order";
    });
    // an overlap is told on the later of the two ranges (in time), once the ranges themselves are well-formed
    const valid = ranges.map((r, i) => ({ r, i })).filter(({ i }) => !errors.ranges[`${day}.${i}`]);
    valid.sort((a, b) => minutes(a.r[0]) - minutes(b.r[0]));
    for (let k = 1; k < valid.length; k++) {
      if (minutes(valid[k]!.r[0]) < minutes(valid[k - 1]!.r[1])) errors.ranges[`${day}.${valid[k]!.i}`] = "overlap";
    }
  }
  if (!any) errors.empty = true;
  return errors;
}

export function hasErrors(errors: HoursErrors): boolean {
  return Boolean(errors.timezone || errors.empty || Object.keys(errors.ranges).length);
}

/** The schedule as sent: each day's ranges in order, days without a range left out. */
export function normalizeHours(hours: ActiveHours): ActiveHours {
  const days: Partial<Record<Day, Range[]>> = {};
  for (const day of DAYS) {
    const ranges = hours.days[day] ?? [];
    if (ranges.length) days[day] = [...ranges].sort((a, b) => minutes(a[0]) - minutes(b[0])).map(([s, e]) => [s, e] as Range);
  }
  return { timezone: hours.timezone, days };
}

/** The API's `active_hours` (loosely typed JSON) as a schedule; anything else reads as "always" (null). */
export function parseHours(value: unknown): ActiveHours | null {
  if (!value || typeof value !== "object") return null;
  const { timezone, days } = value as { timezone?: unknown; days?: unknown };
  if (typeof timezone !== "string" || !days || typeof days !== "object") return null;
  const out: Partial<Record<Day, Range[]>> = {};
  for (const day of DAYS) {
    const ranges = (days as Record<string, unknown>)[day];
    if (!Array.isArray(ranges)) continue;
    const kept = ranges.filter((r): r is Range => Array.isArray(r) && r.length === 2 && typeof r[0] === "string" && typeof r[1] === "string");
    if (kept.length) out[day] = kept.map(([s, e]) => [s, e]);
  }
  return { timezone, days: out };
}

export function setDay(hours: ActiveHours, day: Day, ranges: Range[]): ActiveHours {
  return { ...hours, days: { ...hours.days, [day]: ranges } };
}

/** A day switched on gets the last range of the nearest earlier day that has one (or business hours). */
export function turnOn(hours: ActiveHours, day: Day): ActiveHours {
  const before = DAYS.slice(0, DAYS.indexOf(day)).reverse();
  const source = before.map((d) => hours.days[d]).find((r) => r && r.length);
  return setDay(hours, day, source ? source.map(([s, e]) => [s, e]) : [["09:00", "18:00"]]);
}

/** A new range after the day's last one: an hour later, or the evening when the day is full. */
export function addRange(hours: ActiveHours, day: Day): ActiveHours {
  const ranges = hours.days[day] ?? [];
  if (ranges.length >= MAX_RANGES_PER_DAY) return hours;
  const last = ranges[ranges.length - 1];
  if (!last || !HHMM.test(last[1])) return setDay(hours, day, [...ranges, ["09:00", "18:00"]]);
  const start = Math.min(minutes(last[1]) + 60, 22 * 60);
  const end = Math.min(start + 120, 23 * 60 + 59);
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return setDay(hours, day, [...ranges, [hhmm(start), hhmm(end)]]);
}

/** Every other day that is on gets `day`'s ranges ("copy to all"). */
export function copyToOthers(hours: ActiveHours, day: Day): ActiveHours {
  const ranges = hours.days[day] ?? [];
  const days = { ...hours.days };
  for (const d of DAYS) if (d !== day && (days[d]?.length ?? 0) > 0) days[d] = ranges.map(([s, e]) => [s, e]);
  return { ...hours, days };
}
