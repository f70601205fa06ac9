/**
 * Why a recipient failed: Meta's error code (or our own reason) → the key of a short human reason in the
 * catalogues (`reasons.<code>`). Codes without their own words fall back to `reasons.other`.
 */
export const KNOWN_REASONS = [
  "1", "2", "4", "190", "368", "80007", "130429", "130472", "131000", "131005", "131008", "131009", "131016",
  "131021", "131026", "131031", "131042", "131045", "131047", "131048", "131049", "131050", "131051", "131052",
  "131053", "131056", "131057", "132000", "132001", "132005", "132007", "132012", "132015", "132016", "133010",
  "failed_unknown", "worker_error", "unknown", "campaign_cancelled", "campaign_failed",
] as const;

const known = new Set<string>(KNOWN_REASONS);

/** The catalogue key of the reason for `code` (`131026`, `failed_unknown`, …). */
export function reasonKey(code: string | number | null | undefined): string {
  const value = code === null || code === undefined || code === "" ? "unknown" : String(code).trim().replace(/\s+/g, "_");
  return `reasons.${known.has(value) ? value : "other"}`;
}

/** Meta's codes are numbers; our own reasons (failed_unknown, worker_error) are words. */
export function isMetaCode(code: string): boolean {
  return /^\d+$/.test(code);
}

/** `failed_by_reason` as rows, the most frequent first. */
export function reasonRows(failedByReason: Record<string, number>): { code: string; count: number }[] {
  return Object.entries(failedByReason)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** Why a campaign is paused, cancelled or failed, as the API words it → a catalogue key and its values. */
export function statusReason(reason: string): { key: string; values?: Record<string, string> } | null {
  if (reason === "paused by a user") return { key: "statusReason.pausedByUser" };
  if (reason === "cancelled by a user") return { key: "statusReason.cancelledByUser" };
  const meta = /^WhatsApp error (\d+)/.exec(reason);
  if (meta) return { key: "statusReason.whatsapp", values: { code: meta[1]!, reasonKey: reasonKey(meta[1]) } };
  // "template promo (pt_BR) paused by Meta: FIRST_PAUSE; …": the template Meta paused or disabled, and why
  const template = /^template (\S+) \(([^)]+)\) (paused|disabled) by Meta(?:: ([\s\S]*))?$/.exec(reason);
  if (template) {
    const key = template[3] === "paused" ? "statusReason.templatePaused" : "statusReason.templateDisabled";
    return { key: template[4] ? `${key}Because` : key, values: { name: template[1]!, language: template[2]!, detail: template[4] ?? "" } };
  }
  return null;
}
