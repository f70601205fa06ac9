import { describe, expect, it } from "vitest";
import { isSms, rateCap } from "./channel";

const sms = (mps: number) => ({ channel: "sms" as const, throughput_level: null, sms: { messages_per_second: mps } });

describe("a campaign's channel", () => {
  it("follows the connection", () => {
    expect(isSms({ channel: "sms" })).toBe(true);
    expect(isSms({ channel: "whatsapp" })).toBe(false);
    expect(isSms(undefined)).toBe(false);
  });

  it("caps the rate at the SMS number's MPS, or WhatsApp's throughput", () => {
    expect(rateCap(sms(50))).toBe(50);
    expect(rateCap(sms(0.5))).toBe(1); // at least one a second
    expect(rateCap({ channel: "whatsapp", throughput_level: "HIGH", sms: null })).toBe(1000);
    expect(rateCap({ channel: "whatsapp", throughput_level: null, sms: null })).toBe(80);
  });
});
