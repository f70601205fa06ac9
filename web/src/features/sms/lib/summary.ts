/** What the segment line shows, from the API's count: the pieces, and the characters that force UCS-2 made visible. */
import { formatNumber } from "@/lib/i18n/format";
import type { SmsSegments } from "../api/segments";

/** A character as a person can see it: invisible or look-alike ones (a non-breaking space, a tab) by their code point. */
export function visibleCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  if (/\p{White_Space}|\p{Cf}|\p{Cc}/u.test(character)) return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return character;
}

/** A price in the locale's currency format; a fraction of a cent keeps up to four decimals (R$ 0,0645). */
export function money(locale: string, value: string | number, currency: string): string {
  const amount = Number(value);
  const subCent = Math.abs(amount * 100 - Math.round(amount * 100)) > 1e-6;
  return formatNumber(locale, amount, { style: "currency", currency, ...(subCent ? { maximumFractionDigits: 4 } : {}) });
}

export interface Summary {
  encoding: "GSM-7" | "UCS-2";
  segments: number;
  perSegment: number;
  cost: string | null;
  /** the characters that force UCS-2, as shown */
  forcing: string[];
}

export function summarize(count: SmsSegments, locale: string): Summary {
  return {
    encoding: count.encoding === "gsm7" ? "GSM-7" : "UCS-2",
    segments: count.segments,
    perSegment: count.per_segment,
    // a connection with no price set (0) has no cost worth showing
    cost: count.cost && Number(count.cost.per_segment) > 0 ? money(locale, count.cost.total, count.cost.currency) : null,
    forcing: count.non_gsm.map(visibleCharacter),
  };
}
