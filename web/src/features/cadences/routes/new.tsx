import { ArrowLeft } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/states";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { Builder } from "../components/builder";

/** A new cadence: the builder, saved as a draft (admins). */
export function NewCadence() {
  const { t } = useTranslation("cadences");
  const isAdmin = useIsAdmin();
  return (
    <div className="grid grid-cols-1 gap-2 p-4 md:p-6">
      <div>
        <Button asChild variant="ghost" size="sm" className="-ml-2">
          <Link to="..">
            <ArrowLeft aria-hidden="true" />
            {t("title")}
          </Link>
        </Button>
      </div>
      <PageHeader title={t("builder.newTitle")} description={t("builder.newDescription")} />
      {isAdmin ? <Builder readOnly={false} /> : <EmptyState title={t("builder.adminsOnly")} />}
    </div>
  );
}
