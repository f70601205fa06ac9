import { describe, expect, it } from "vitest";
import { catalogues, LOCALES } from "./index";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("i18n catalogues", () => {
  const resources = catalogues();

  it("has every feature's catalogue in both languages", () => {
    const namespaces = LOCALES.map((locale) => Object.keys(resources[locale] ?? {}).sort());
    expect(namespaces[0]!.length).toBeGreaterThan(5);
    expect(namespaces[1]).toEqual(namespaces[0]);
  });

  it.each(Object.keys(resources.en ?? {}))("has the same keys in English and Portuguese: %s", (namespace) => {
    const en = keys(resources.en?.[namespace]).sort();
    const pt = keys(resources["pt-BR"]?.[namespace]).sort();
    expect({ namespace, missingInPortuguese: en.filter((k) => !pt.includes(k)) }).toEqual({ namespace, missingInPortuguese: [] });
    expect({ namespace, missingInEnglish: pt.filter((k) => !en.includes(k)) }).toEqual({ namespace, missingInEnglish: [] });
  });

  it("has no empty string", () => {
    for (const locale of LOCALES)
      for (const [namespace, catalogue] of Object.entries(resources[locale] ?? {}))
        for (const key of keys(catalogue)) {
          const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue);
          expect({ locale, namespace, key, empty: value === "" }).toEqual({ locale, namespace, key, empty: false });
        }
  });
});
