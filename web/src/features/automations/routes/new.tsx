import { ArrowLeft } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/states";
import { RuleEditor } from "../components/editor";

export function NewRule() {
  const { t } = useTranslation("automations");
  return (
    <div className="grid gap-2 p-4 md:p-6">
      <div>
        <Button asChild variant="ghost" size="sm" className="-ml-2">
          <Link to="/automations">
            <ArrowLeft aria-hidden="true" />
            {t("title")}
          </Link>
        </Button>
      </div>
      <PageHeader title={t("new.title")} description={t("new.description")} />
      <RuleEditor />
    </div>
  );
}
