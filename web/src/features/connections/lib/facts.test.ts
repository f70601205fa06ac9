import { describe, expect, it } from "vitest";
import { messagingTier, throughputPerSecond, tokenState } from "./facts";

describe("a number's facts", () => {
  it("reads Meta's messaging limit tiers", () => {
    expect(messagingTier("TIER_1K")).toBe(1000);
    expect(messagingTier("TIER_250")).toBe(250);
    expect(messagingTier("TIER_100K")).toBe(100_000);
    expect(messagingTier("TIER_UNLIMITED")).toBe(Infinity);
    expect(messagingTier("10000")).toBe(10_000);
    expect(messagingTier(null)).toBeNull();
    expect(messagingTier("SOMETHING")).toBeNull();
  });

  it("knows the throughput of each level", () => {
    expect(throughputPerSecond("STANDARD")).toBe(80);
    expect(throughputPerSecond("HIGH")).toBe(1000);
    expect(throughputPerSecond(null)).toBeNull();
  });

  it("says when a token expires", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    expect(tokenState(null, now)).toBe("never");
    expect(tokenState("2026-11-30T12:00:00Z", now)).toBe("expired");
    expect(tokenState("2026-12-03T12:00:00Z", now)).toBe("soon");
    expect(tokenState("2027-02-01T12:00:00Z", now)).toBe("ok");
  });
});
