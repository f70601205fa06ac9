import { Languages } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuRadioGroup, DropdownMenuRadioItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { currentLocale, LOCALES } from "@/lib/i18n";

const NAMES: Record<(typeof LOCALES)[number], string> = { en: "English", "pt-BR": "Português (Brasil)" };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={t("language")}>
          <Languages aria-hidden="true" />
          <span>{NAMES[currentLocale()]}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <DropdownMenuRadioGroup value={currentLocale()} onValueChange={(lng) => void i18n.changeLanguage(lng)}>
          {LOCALES.map((lng) => (
            <DropdownMenuRadioItem key={lng} value={lng} lang={lng}>
              {NAMES[lng]}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
