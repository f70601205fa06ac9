/** Meta's facts about a number, as a person reads them. */

/** `TIER_1K` → 1000, `TIER_250` → 250, `TIER_UNLIMITED` → Infinity; a bare number stays a number; else null. */
export function messagingTier(limit: string | null | undefined): number | null {
  if (!limit) return null;
  const value = limit.toUpperCase().replace(/^TIER_/, "");
  if (value === "UNLIMITED") return Infinity;
  const match = /^(\d+)([KM]?)$/.exec(value);
  if (!match) return null;
  return Number(match[1]) * (match[2] === "K" ? 1_000 : match[2] === "M" ? 1_000_000 : 1);
}

/** Messages per second Meta allows a number: 80 at STANDARD, 1,000 at HIGH. */
export function throughputPerSecond(level: string | null | undefined): number | null {
  if (!level) return null;
  return level.toUpperCase() === "HIGH" ? 1000 : level.toUpperCase() === "STANDARD" ? 80 : null;
}

/** "expired", "soon" (within 7 days), "ok", or "never" (a system user's token has no expiry). */
export function tokenState(expiresAt: string | null | undefined, now: Date = new Date()): "never" | "expired" | "soon" | "ok" {
  if (!expiresAt) return "never";
  const left = new Date(expiresAt).getTime() - now.getTime();
  if (left <= 0) return "expired";
  return left < 7 * 86_400_000 ? "soon" : "ok";
}
