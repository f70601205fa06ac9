import { describe, expect, it } from "vitest";
import { matches } from "./audience-search";

describe("matches", () => {
  it("ignores case and accents, and wants every word", () => {
    expect(matches("", "anything")).toBe(true);
    expect(matches("sao", "São Paulo")).toBe(true);
    expect(matches("PAULO são", "São Paulo")).toBe(true);
    expect(matches("rio", "São Paulo")).toBe(false);
    expect(matches("news", "Monthly", null, "newsletter")).toBe(true);
  });
});
