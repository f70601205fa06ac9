/** What Meta says of a number's WhatsApp Business Account (its account_update webhooks), as a person reads it. */

export type AccountStatus = "ok" | "restricted" | "disabled" | "disconnected";

export interface AccountNotice {
  /** the i18n key of the sentence (connections:account.*) */
  key: "restricted" | "disabled" | "disconnected" | "violation" | "scheduled";
  tone: "destructive" | "warning";
  /** each restriction Meta lists: its type (translated when known) and when it ends (ISO), if it said */
  restrictions: { type: string; until: string | null }[];
  /** a violation type, a ban date or Meta's event: shown as Meta gave it */
  detail: string | null;
}

type Detail = Record<string, unknown> | null | undefined;

const obj = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const text = (value: unknown): string | null => (typeof value === "string" && value ? value : typeof value === "number" ? String(value) : null);

/** Meta's expiration: unix seconds (a number or digits) → ISO; anything else is not a date we can show. */
export function expiry(value: unknown): string | null {
  const seconds = typeof value === "number" ? value : typeof value === "string" && /^\d{9,11}$/.test(value) ? Number(value) : null;
  return seconds === null ? null : new Date(seconds * 1000).toISOString();
}

/** The notice a connection's card shows, or null when Meta reports nothing to act on. */
export function accountNotice(status: AccountStatus, detail: Detail): AccountNotice | null {
  const d = obj(detail);
  const ban = obj(d.ban_info);
  const restrictions = Array.isArray(d.restriction_info)
    ? d.restriction_info.map((r) => ({ type: text(obj(r).restriction_type) ?? "", until: expiry(obj(r).expiration) })).filter((r) => r.type)
    : [];
  if (status === "restricted") return { key: "restricted", tone: "destructive", restrictions, detail: null };
  if (status === "disabled") return { key: "disabled", tone: "destructive", restrictions: [], detail: text(ban.waba_ban_date) };
  if (status === "disconnected") return { key: "disconnected", tone: "destructive", restrictions: [], detail: text(d.event) };
  if (d.event === "ACCOUNT_VIOLATION") return { key: "violation", tone: "warning", restrictions: [], detail: text(obj(d.violation_info).violation_type) };
  if (d.event === "DISABLED_UPDATE" && ban.waba_ban_state === "SCHEDULE_FOR_DISABLE") return { key: "scheduled", tone: "warning", restrictions: [], detail: text(ban.waba_ban_date) };
  return null;
}
