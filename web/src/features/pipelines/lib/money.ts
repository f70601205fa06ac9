/** A money amount as the user types it (their own decimal separator, maybe thousands separators) to the API's
 * decimal string with a point: with `comma` (pt-BR) `1.500,50` → `1500.50`, otherwise `1,500.50` → `1500.50`;
 * empty → null. Anything else is passed on as typed, for the API to name the field's error. */
export function toApiValue(typed: string, comma: boolean): string | null {
  const text = typed.trim().replace(/\s/g, "");
  if (!text) return null;
  const plain = comma ? text.replace(/\./g, "").replace(",", ".") : text.replace(/,/g, "");
  return /^-?\d+(\.\d+)?$/.test(plain) ? plain : text;
}
