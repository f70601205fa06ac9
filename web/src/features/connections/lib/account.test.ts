import { describe, expect, it } from "vitest";
import { accountNotice, expiry } from "./account";

describe("accountNotice", () => {
  it("lists a restriction's types and their end from Meta's detail", () => {
    const notice = accountNotice("restricted", {
      event: "ACCOUNT_RESTRICTION",
      restriction_info: [
        { restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration: 1767225600 },
        { restriction_type: "RESTRICTED_ADD_PHONE_NUMBER_ACTION", expiration: "<TIMESTAMP>" },
      ],
    });
    expect(notice).toEqual({
      key: "restricted",
      tone: "destructive",
      detail: null,
      restrictions: [
        { type: "RESTRICTED_BIZ_INITIATED_MESSAGING", until: "2026-01-01T00:00:00.000Z" },
        { type: "RESTRICTED_ADD_PHONE_NUMBER_ACTION", until: null },
      ],
    });
  });

  it("tells a ban, a scheduled ban, a violation and a disconnection; nothing for good standing", () => {
    expect(accountNotice("disabled", { event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE", waba_ban_date: "January 31, 2021" } })).toMatchObject({ key: "disabled", detail: "January 31, 2021" });
    expect(accountNotice("ok", { event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "SCHEDULE_FOR_DISABLE", waba_ban_date: "January 31, 2021" } })).toMatchObject({ key: "scheduled", tone: "warning" });
    expect(accountNotice("ok", { event: "ACCOUNT_VIOLATION", violation_info: { violation_type: "SCAM" } })).toMatchObject({ key: "violation", detail: "SCAM" });
    expect(accountNotice("disconnected", { event: "PARTNER_REMOVED" })).toMatchObject({ key: "disconnected", detail: "PARTNER_REMOVED" });
    expect(accountNotice("ok", { event: "VERIFIED_ACCOUNT" })).toBeNull();
    expect(accountNotice("ok", null)).toBeNull();
  });

  it("reads unix seconds only", () => {
    expect(expiry("1767225600")).toBe("2026-01-01T00:00:00.000Z");
    expect(expiry("soon")).toBeNull();
  });
});
