// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { invitationToken } from "./accept-invite";

describe("invitationToken", () => {
  it("reads the token from the fragment", () => {
    expect(invitationToken("#token=abc.def")).toBe("abc.def");
  });
  it("is empty when the link has no token", () => {
    expect(invitationToken("")).toBe("");
  });
});
