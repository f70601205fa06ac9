/** An enrollment's step history in words: what each outcome's detail says, as an i18n key and its values. */

export interface Said {
  key: string;
  values?: Record<string, string | number>;
}

const text = (value: unknown) => (typeof value === "string" ? value : typeof value === "number" ? String(value) : "");

/** A reason as a catalogue key: "window closed" → "window_closed". */
export function reasonCode(reason: string): string {
  return reason.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "unknown";
}

/** The sentence for a step's detail (null: nothing more to say than its outcome). `steps` is the version's step
 * count (a jump to it is the end); positions are shown 1-based. */
export function describeDetail(kind: string, outcome: string, detail: Record<string, unknown>, steps: number): Said | null {
  if (outcome === "branched") {
    const next = Number(detail.next_step);
    const held = detail.held ? "Held" : "NotHeld";
    return Number.isFinite(next) && next < steps ? { key: `history.branch${held}To`, values: { n: next + 1 } } : { key: `history.branch${held}End` };
  }
  if (outcome === "skipped") return { key: "history.skipped", values: { reason: reasonCode(text(detail.reason)), raw: text(detail.reason) } };
  if (outcome === "failed") {
    const reason = text(detail.error_reason) || text(detail.code) || text(detail.error_code);
    return reason ? { key: "history.failed", values: { reason } } : null;
  }
  if (kind === "wait" && text(detail.until)) return { key: "history.waitUntil", values: { at: text(detail.until) } };
  if (kind === "tag" && detail.changed === false) return { key: "history.tagUnchanged" };
  if (kind === "move_lead" && detail.moved === false) return { key: "history.leadThere" };
  return null;
}
