import { useTranslation } from "react-i18next";
import { EmptyState, PageHeader } from "@/components/ui/states";

export function Component() {
  const { t } = useTranslation("contacts");
  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("lists.title")} />
      <EmptyState title={t("common:comingSoon")} />
    </div>
  );
}
