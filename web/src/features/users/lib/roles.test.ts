import { describe, expect, it } from "vitest";
import { assignableRoles, canManage, invitationLink, userStatus } from "./roles";

describe("assignableRoles", () => {
  it("never offers a role above your own", () => {
    expect(assignableRoles("admin")).toEqual(["agent", "admin"]);
    expect(assignableRoles("owner")).toEqual(["agent", "admin", "owner"]);
    expect(assignableRoles("agent")).toEqual(["agent"]);
    expect(assignableRoles(undefined)).toEqual([]);
  });
});

describe("canManage", () => {
  it("lets an admin manage agents and admins but not themselves or an owner", () => {
    const admin = { id: "a", role: "admin" as const };
    expect(canManage(admin, { id: "b", role: "agent" })).toBe(true);
    expect(canManage(admin, { id: "c", role: "admin" })).toBe(true);
    expect(canManage(admin, { id: "d", role: "owner" })).toBe(false);
    expect(canManage(admin, admin)).toBe(false);
    expect(canManage({ id: "x", role: "agent" }, { id: "b", role: "agent" })).toBe(false);
  });
});

describe("invitationLink", () => {
  it("carries the token in the fragment, as the accept screen reads it", () => {
    const link = invitationLink("https://app.example.com", "inv_1.abc+/=");
    expect(link.startsWith("https://app.example.com/accept-invite#token=")).toBe(true);
    // read back as the accept-invite screen does
    expect(new URLSearchParams(new URL(link).hash.slice(1)).get("token")).toBe("inv_1.abc+/=");
  });
});

describe("userStatus", () => {
  it("tells deactivated, pending and active apart", () => {
    expect(userStatus({ is_active: false, invitation_pending: true })).toBe("deactivated");
    expect(userStatus({ is_active: true, invitation_pending: true })).toBe("pending");
    expect(userStatus({ is_active: true, invitation_pending: false })).toBe("active");
  });
});
