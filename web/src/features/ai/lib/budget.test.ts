import { describe, expect, it } from "vitest";
import { budgetError, spendShare } from "./budget";

describe("budgetError", () => {
  it("takes dollars with a point or a comma, and empty for no budget", () => {
    expect(budgetError("")).toBeNull();
    expect(budgetError("25")).toBeNull();
    expect(budgetError("25,50")).toBeNull();
    expect(budgetError("0.5")).toBeNull();
  });

  it("refuses what is not an amount of dollars and cents", () => {
    expect(budgetError("-3")).toBe("number");
    expect(budgetError("ten")).toBe("number");
    expect(budgetError("1.234")).toBe("cents");
    expect(budgetError("99999999999")).toBe("tooLarge");
  });
});

describe("spendShare", () => {
  it("is the share spent, rounded down, at most 100", () => {
    expect(spendShare(2.5, 10)).toBe(25);
    expect(spendShare(9.999, 10)).toBe(99);
    expect(spendShare(12, 10)).toBe(100);
    expect(spendShare(0, 0)).toBe(100);
    expect(spendShare(3, null)).toBeNull();
  });
});
