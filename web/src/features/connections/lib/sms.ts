/** An SMS sender as a person types it, before the server checks its country's rules. */

/** Countries offered first when adding an SMS sender (any ISO 3166-1 code is accepted by the API). */
export const SMS_COUNTRIES = ["BR", "AR", "CL", "CO", "MX", "PE", "PT", "ES", "US", "CA", "GB", "DE", "FR", "IT"] as const;

export const SMS_CURRENCIES = ["BRL", "USD", "EUR"] as const;

/** Whether an origination is a sender ID (it has a letter) or a phone number, as the server tells them apart. */
export function originationKind(origination: string): "number" | "sender_id" {
  return /\p{L}/u.test(origination) ? "sender_id" : "number";
}

/** A number typed with the decimal comma (pt-BR) or point, as the API takes it ("0,045" → "0.045"); "" stays "". */
export function decimalText(value: string): string {
  return value.trim().replace(",", ".");
}
