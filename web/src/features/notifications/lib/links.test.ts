import { describe, expect, it } from "vitest";
import { badgeText, notificationLink } from "./links";

describe("notificationLink", () => {
  it("leads to the endpoint, campaign or numbers the notification is about", () => {
    expect(notificationLink({ endpoint_id: "e1" })).toBe("/webhook-endpoints/e1");
    expect(notificationLink({ campaign_id: "c1" })).toBe("/campaigns/c1");
    expect(notificationLink({ connection_id: "n1", event: "x" })).toBe("/connections");
    expect(notificationLink({ template_id: "t1", connection_id: "n1" })).toBe("/templates?connection=n1");
    expect(notificationLink({ other: 1 })).toBeNull();
  });
});

describe("badgeText", () => {
  it("caps at 99+", () => {
    expect(badgeText(3, false)).toBe("3");
    expect(badgeText(100, false)).toBe("99+");
    expect(badgeText(40, true)).toBe("99+");
  });
});
