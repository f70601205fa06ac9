import { useTranslation } from "react-i18next";
import { NavLink, Route, Routes } from "react-router";
import { PageHeader } from "@/components/ui/states";
import { cn } from "@/lib/utils";
import { LocalTemplates } from "../components/local-templates";
import { WhatsAppTemplates } from "../components/whatsapp-templates";

const tab = ({ isActive }: { isActive: boolean }) =>
  cn("rounded-md px-3 py-1.5 text-sm font-medium text-muted-foreground hover:text-foreground", isActive && "bg-background text-foreground shadow");

/** Templates: WhatsApp templates per number (Meta's) and local templates (free text with variables). */
export function Component() {
  const { t } = useTranslation("templates");
  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("templates.title")} description={t("templates.description")} />
      <nav aria-label={t("tabs.label")} className="mb-4 inline-flex flex-wrap gap-1 rounded-lg bg-muted p-1">
        <NavLink to="/templates" end className={tab}>
          {t("tabs.whatsapp")}
        </NavLink>
        <NavLink to="/templates/local" className={tab}>
          {t("tabs.local")}
        </NavLink>
      </nav>
      <Routes>
        <Route index element={<WhatsAppTemplates />} />
        <Route path="local" element={<LocalTemplates />} />
      </Routes>
    </div>
  );
}
