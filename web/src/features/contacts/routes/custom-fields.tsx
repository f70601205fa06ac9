import { Plus, SlidersHorizontal } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { ListScreen } from "@/components/list-screen";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useCustomFieldPages, useDeleteCustomField, type CustomField } from "../api/custom-fields";
import { CustomFieldDialog } from "../components/custom-field-dialog";

export function Component() {
  const { t } = useTranslation("contacts");
  const isAdmin = useIsAdmin();
  const remove = useDeleteCustomField();
  const [open, setOpen] = React.useState(false);

  return (
    <>
      <ListScreen<CustomField>
        title={t("customFields.title")}
        description={t("customFields.description")}
        actions={
          isAdmin ? (
            <Button onClick={() => setOpen(true)}>
              <Plus aria-hidden="true" />
              {t("customFields.new")}
            </Button>
          ) : undefined
        }
        usePage={useCustomFieldPages}
        rowKey={(field) => field.id}
        tableLabel={t("customFields.title")}
        searchLabel={t("customFields.search")}
        empty={{ icon: SlidersHorizontal, title: t("customFields.empty"), hint: isAdmin ? t("customFields.emptyHint") : t("customFields.emptyHintAgent") }}
        noMatch={t("customFields.noMatch")}
        columns={[
          {
            header: t("customFields.label"),
            cell: (field) => (
              <>
                <span className="block truncate font-medium">{field.label}</span>
                <code className="block truncate text-xs text-muted-foreground sm:hidden">{field.key}</code>
              </>
            ),
          },
          { header: t("customFields.key"), className: "hidden sm:table-cell", cell: (field) => <code className="text-xs">{field.key}</code> },
          { header: t("customFields.type"), cell: (field) => <Badge variant="secondary">{t(`customFields.types.${field.type}`)}</Badge> },
          {
            header: t("customFields.options"),
            className: "hidden text-muted-foreground md:table-cell",
            cell: (field) => (field.options.length > 0 ? field.options.join(", ") : "—"),
          },
        ]}
        remove={
          isAdmin
            ? {
                label: (field) => t("customFields.deleteNamed", { label: field.label }),
                title: (field) => t("customFields.deleteTitle", { label: field.label }),
                description: t("customFields.deleteDescription"),
                onConfirm: (field) =>
                  remove.mutate(field.id, {
                    onSuccess: () => toast.success(t("customFields.deleted", { label: field.label })),
                    onError: (e) => toast.error(e.message),
                  }),
              }
            : undefined
        }
      />
      {isAdmin ? <CustomFieldDialog open={open} onOpenChange={setOpen} /> : null}
    </>
  );
}
