/**
 * i18n: one catalogue per feature and locale (`src/features/<feature>/i18n/{en,pt-BR}.json`, and
 * `src/app/i18n` for the shell as the `common` namespace). The locale comes from the browser, then the
 * user's choice in the user menu (kept in localStorage).
 */
import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";

export const LOCALES = ["en", "pt-BR"] as const;
export type Locale = (typeof LOCALES)[number];

type Catalogue = Record<string, unknown>;
const files = import.meta.glob<Catalogue>("/src/**/i18n/*.json", { eager: true, import: "default" });

/** `{ "pt-BR": { inbox: {...}, common: {...} }, en: {...} }` from the files above. */
export function catalogues(): Record<string, Record<string, Catalogue>> {
  const resources: Record<string, Record<string, Catalogue>> = {};
  for (const [path, catalogue] of Object.entries(files)) {
    const match = /\/src\/(?:features\/([^/]+)|app)\/i18n\/([^/]+)\.json$/.exec(path);
    if (!match) continue;
    const namespace = match[1] ?? "common";
    const locale = match[2]!;
    (resources[locale] ??= {})[namespace] = catalogue;
  }
  return resources;
}

const resources = catalogues();

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources,
    supportedLngs: [...LOCALES],
    fallbackLng: "en",
    load: "currentOnly",
    ns: Object.keys(resources.en ?? {}),
    defaultNS: "common",
    interpolation: { escapeValue: false },
    detection: {
      order: ["localStorage", "navigator"],
      lookupLocalStorage: "masteria.locale",
      caches: ["localStorage"],
      // Any Portuguese (pt, pt-PT) reads pt-BR; any other language reads English.
      convertDetectedLanguage: (lng: string) => (lng.toLowerCase().startsWith("pt") ? "pt-BR" : "en"),
    },
    returnNull: false,
  });

i18n.on("languageChanged", (lng) => {
  document.documentElement.lang = lng;
});
document.documentElement.lang = i18n.resolvedLanguage ?? "en";

/** The active locale, normalised to one we have ("pt" → "pt-BR"). */
export function currentLocale(): Locale {
  const lng = i18n.resolvedLanguage ?? i18n.language ?? "en";
  return lng.toLowerCase().startsWith("pt") ? "pt-BR" : "en";
}

export default i18n;
