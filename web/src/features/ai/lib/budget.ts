/** The monthly budget as typed (US dollars, a comma or a point for cents) and the month's spend against it. */

/** What is wrong with the typed budget (an i18n key of `ai:budget.errors`), or null; empty means no budget. */
export function budgetError(value: string): "number" | "cents" | "tooLarge" | null {
  const text = value.trim().replace(",", ".");
  if (!text) return null;
  if (!/^\d+(\.\d+)?$/.test(text)) return "number";
  if (/\.\d{3,}$/.test(text)) return "cents";
  if (Number(text) >= 1e10) return "tooLarge"; // the column holds 12 digits, 2 of them cents
  return null;
}

/** The spend as a share of the budget, 0–100 (rounded down, so 100 means spent); null without a budget. */
export function spendShare(spent: number, budget: number | null): number | null {
  if (budget === null) return null;
  if (budget <= 0) return 100;
  return Math.min(100, Math.floor((spent / budget) * 100));
}
