/** Kinds whose body the dashboard writes in the user's language from the notification's `data`. */
const APPOINTMENT_KINDS = new Set(["new_appointment", "appointment_reminder"]);

type DateTime = (value: string, options?: Intl.DateTimeFormatOptions) => string;

/** The values of a known kind's body (`bodies.<kind>`): an appointment's title, lead, contact and time in its own
 * timezone; null when the body is the server's (other kinds, or data without a time). */
export function bodyValues(kind: string, data: Record<string, unknown>, dateTime: DateTime): Record<string, string> | null {
  const text = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : "");
  if (!APPOINTMENT_KINDS.has(kind) || !text("starts_at")) return null;
  const timeZone = text("timezone") || undefined;
  let when: string;
  try {
    when = dateTime(text("starts_at"), { dateStyle: "medium", timeStyle: "short", timeZone, timeZoneName: undefined });
  } catch {
    return null; // a timezone this browser does not know: the server's text says it
  }
  return { title: text("title"), lead: text("lead_title"), contact: text("contact_name"), when, timezone: timeZone ?? "" };
}
