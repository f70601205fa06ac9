// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { catalogueOf, LOCALES } from "./index";

type Catalogue = Record<string, unknown>;
const files = import.meta.glob<Catalogue>("/src/**/i18n/*.json", { eager: true, import: "default" });

/** `{ en: { inbox: {...}, common: {...} }, "pt-BR": {...} }`: every catalogue in the source tree. */
function catalogues(): Record<string, Record<string, Catalogue>> {
  const resources: Record<string, Record<string, Catalogue>> = {};
  for (const [path, catalogue] of Object.entries(files)) {
    const [namespace, locale] = path.startsWith("/src/app/") ? ["common", /([^/]+)\.json$/.exec(path)![1]!] : catalogueOf(path)!;
    (resources[locale] ??= {})[namespace] = catalogue;
  }
  return resources;
}

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
