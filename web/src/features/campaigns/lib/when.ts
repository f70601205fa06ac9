import { formatDateTime } from "@/lib/i18n/format";

/**
 * A campaign's moment (its schedule) in the user's locale and clock; when the campaign's timezone shows
 * another wall-clock time, that one too with the zone's name: "1/12/26, 10:00 (9:00 America/Manaus)".
 */
export function campaignMoment(locale: string, value: string | null | undefined, zone: string | null | undefined): string {
  const mine = formatDateTime(locale, value);
  if (!value || !zone) return mine;
  try {
    const theirs = formatDateTime(locale, value, { dateStyle: "short", timeStyle: "short", timeZone: zone });
    if (theirs === mine) return mine;
    const sameDay = formatDateTime(locale, value, { dateStyle: "short" }) === formatDateTime(locale, value, { dateStyle: "short", timeZone: zone });
    const time = sameDay ? formatDateTime(locale, value, { timeStyle: "short", timeZone: zone }) : theirs;
    return `${mine} (${time} ${zone})`;
  } catch {
    return mine; // a zone this browser does not know
  }
}
