/**
 * i18n: one catalogue per feature and locale (`src/features/<feature>/i18n/{en,pt-BR}.json`, and
 * `src/app/i18n` for the shell as the `common` namespace). The shell's and the sign-in screens' strings
 * ship with the app; a feature's load with its screen (a chunk per catalogue), so the first visit downloads
 * only what it shows. The locale comes from the browser, then the user's choice in the user menu (kept in
 * localStorage).
 */
import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import resourcesToBackend from "i18next-resources-to-backend";
import { initReactI18next } from "react-i18next";
import commonEn from "@/app/i18n/en.json";
import commonPt from "@/app/i18n/pt-BR.json";
import authEn from "@/features/auth/i18n/en.json";
import authPt from "@/features/auth/i18n/pt-BR.json";

export const LOCALES = ["en", "pt-BR"] as const;
export type Locale = (typeof LOCALES)[number];

type Catalogue = Record<string, unknown>;
const lazyCatalogues = import.meta.glob<Catalogue>(["/src/features/*/i18n/*.json", "!/src/features/auth/**"], { import: "default" });

/** `/src/features/inbox/i18n/pt-BR.json` → `["inbox", "pt-BR"]`. */
export function catalogueOf(path: string): [namespace: string, locale: string] | null {
  const match = /\/src\/features\/([^/]+)\/i18n\/([^/]+)\.json$/.exec(path);
  return match ? [match[1]!, match[2]!] : null;
}

const loaders = new Map<string, () => Promise<Catalogue>>();
for (const [path, load] of Object.entries(lazyCatalogues)) {
  const found = catalogueOf(path);
  if (found) loaders.set(`${found[1]}/${found[0]}`, load);
}

void i18n
  .use(LanguageDetector)
  .use(
    resourcesToBackend((language: string, namespace: string) => {
      const load = loaders.get(`${language}/${namespace}`);
      return load ? load() : Promise.resolve({});
    }),
  )
  .use(initReactI18next)
  .init({
    resources: { en: { common: commonEn, auth: authEn }, "pt-BR": { common: commonPt, auth: authPt } },
    partialBundledLanguages: true,
    supportedLngs: [...LOCALES],
    fallbackLng: "en",
    load: "currentOnly",
    ns: ["common", "auth"],
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
