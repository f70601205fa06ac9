import { describe, expect, it } from "vitest";
import { formatDateTime } from "@/lib/i18n/format";
import { campaignMoment } from "./when";

describe("campaignMoment", () => {
  const at = "2026-12-01T13:05:00Z";
  it("adds the campaign's own wall-clock time when it differs from the user's", () => {
    const mine = formatDateTime("en", at);
    const shown = campaignMoment("en", at, "America/Manaus");
    expect(shown.startsWith(mine)).toBe(true);
    // 13:05 UTC is 9:05 in Manaus (UTC-4, no daylight saving), unless the user is there too
    const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(shown).toBe(here === "America/Manaus" ? mine : `${mine} (9:05 AM America/Manaus)`);
  });
  it("shows one time when both clocks agree, and nothing for no moment", () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(campaignMoment("pt-BR", at, zone)).toBe(formatDateTime("pt-BR", at));
    expect(campaignMoment("en", null, "UTC")).toBe("—");
    expect(campaignMoment("en", at, "Not/AZone")).toBe(formatDateTime("en", at));
  });
});
