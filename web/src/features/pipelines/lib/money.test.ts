import { describe, expect, it } from "vitest";
import { toApiValue } from "./money";

describe("toApiValue", () => {
  it("reads a Brazilian amount: a comma for decimals, points for thousands", () => {
    expect(toApiValue("1.500,50", true)).toBe("1500.50");
    expect(toApiValue("250", true)).toBe("250");
    expect(toApiValue(" 9 900,5 ", true)).toBe("9900.5");
  });
  it("reads an English amount: a point for decimals, commas for thousands", () => {
    expect(toApiValue("1,500.50", false)).toBe("1500.50");
    expect(toApiValue("0.99", false)).toBe("0.99");
  });
  it("gives null for nothing typed and the text as typed when it is no number (the API names the error)", () => {
    expect(toApiValue("  ", true)).toBeNull();
    expect(toApiValue("abc", false)).toBe("abc");
    expect(toApiValue("1,2,3", true)).toBe("1,2,3");
  });
});
