import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { EmptyState } from "@/components/ui/states";

export function Component() {
  const { t } = useTranslation();
  return (
    <div className="p-6">
      <EmptyState title={t("notFound.title")} description={t("notFound.description")} action={<Link className="text-sm text-primary underline" to="/">{t("nav.home")}</Link>} />
    </div>
  );
}
