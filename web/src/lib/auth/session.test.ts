import { describe, expect, it } from "vitest";
import { subjectOf } from "./session";

function token(payload: object): string {
  const part = btoa(JSON.stringify(payload)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `eyJhbGciOiJIUzI1NiJ9.${part}.signature`;
}

describe("subjectOf", () => {
  it("reads the user a token was issued to", () => {
    expect(subjectOf(token({ sub: "3fa85f64-5717-4562-b3fc-2c963f66afa6", cid: "x" }))).toBe("3fa85f64-5717-4562-b3fc-2c963f66afa6");
  });
  it("is null for something that is not a token", () => {
    expect(subjectOf("not-a-token")).toBeNull();
    expect(subjectOf(token({ role: "agent" }))).toBeNull();
  });
});
