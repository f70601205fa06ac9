/** Dates, numbers and currency in the user's locale (Intl, cached per locale). */
import { useTranslation } from "react-i18next";

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function get<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let value = cache.get(key) as T | undefined;
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

export function formatNumber(locale: string, value: number, options?: Intl.NumberFormatOptions): string {
  return get(`n:${locale}:${JSON.stringify(options ?? {})}`, () => new Intl.NumberFormat(locale, options)).format(value);
}

export function formatPercent(locale: string, value: number): string {
  return formatNumber(locale, value, { style: "percent", maximumFractionDigits: 1 });
}

export function formatCurrency(locale: string, value: number, currency = "BRL"): string {
  return formatNumber(locale, value, { style: "currency", currency });
}

export function formatDateTime(locale: string, value: string | Date | null | undefined, options?: Intl.DateTimeFormatOptions): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  return get(`d:${locale}:${JSON.stringify(options ?? {})}`, () => new Intl.DateTimeFormat(locale, options ?? { dateStyle: "short", timeStyle: "short" })).format(date);
}

export function formatDate(locale: string, value: string | Date | null | undefined): string {
  return formatDateTime(locale, value, { dateStyle: "medium" });
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 31536000],
  ["month", 2592000],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

export function formatRelative(locale: string, value: string | Date | null | undefined, now: Date = new Date()): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const format = get(`r:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: "auto" }));
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, "second");
}

/** The formatters bound to the active locale. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  return {
    locale,
    number: (v: number, o?: Intl.NumberFormatOptions) => formatNumber(locale, v, o),
    percent: (v: number) => formatPercent(locale, v),
    currency: (v: number, c?: string) => formatCurrency(locale, v, c),
    dateTime: (v: string | Date | null | undefined, o?: Intl.DateTimeFormatOptions) => formatDateTime(locale, v, o),
    date: (v: string | Date | null | undefined) => formatDate(locale, v),
    relative: (v: string | Date | null | undefined) => formatRelative(locale, v),
  };
}
