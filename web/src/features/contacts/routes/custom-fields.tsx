import { Plus, SlidersHorizontal, Trash2 } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Input } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useCustomFields, useDeleteCustomField } from "../api/custom-fields";
import { matches } from "../components/audience-search";
import { CustomFieldDialog } from "../components/custom-field-dialog";

export function Component() {
  const { t } = useTranslation("contacts");
  const isAdmin = useIsAdmin();
  const fields = useCustomFields();
  const remove = useDeleteCustomField();
  const [search, setSearch] = React.useState("");
  const q = useDebounced(search, 200);
  const [open, setOpen] = React.useState(false);
  const shown = (fields.data ?? []).filter((f) => matches(q, f.label, f.key));

  return (
    <div className="p-4 md:p-6">
      <PageHeader
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
      />
      {fields.isPending ? (
        <SkeletonRows />
      ) : fields.isError ? (
        <ErrorState error={fields.error} onRetry={() => void fields.refetch()} />
      ) : fields.data.length === 0 ? (
        <EmptyState icon={SlidersHorizontal} title={t("customFields.empty")} description={isAdmin ? t("customFields.emptyHint") : t("customFields.emptyHintAgent")} />
      ) : (
        <div className="grid gap-3">
          <Input type="search" aria-label={t("customFields.search")} placeholder={t("customFields.search")} value={search} onChange={(e) => setSearch(e.target.value)} className="max-w-xs" />
          {shown.length === 0 ? (
            <EmptyState title={t("customFields.noMatch")} />
          ) : (
            <Table>
              <THead>
                <TR>
                  <TH>{t("customFields.label")}</TH>
                  <TH className="hidden sm:table-cell">{t("customFields.key")}</TH>
                  <TH>{t("customFields.type")}</TH>
                  <TH className="hidden md:table-cell">{t("customFields.options")}</TH>
                  {isAdmin ? (
                    <TH className="w-0 text-right">
                      <span className="sr-only">{t("common:actions")}</span>
                    </TH>
                  ) : null}
                </TR>
              </THead>
              <TBody>
                {shown.map((field) => (
                  <TR key={field.id}>
                    <TD className="max-w-0 sm:max-w-none">
                      <span className="block truncate font-medium">{field.label}</span>
                      <code className="block truncate text-xs text-muted-foreground sm:hidden">{field.key}</code>
                    </TD>
                    <TD className="hidden sm:table-cell">
                      <code className="text-xs">{field.key}</code>
                    </TD>
                    <TD>
                      <Badge variant="secondary">{t(`customFields.types.${field.type}`)}</Badge>
                    </TD>
                    <TD className="hidden text-muted-foreground md:table-cell">{field.options.length > 0 ? field.options.join(", ") : "—"}</TD>
                    {isAdmin ? (
                      <TD className="whitespace-nowrap text-right">
                        <Confirm
                          title={t("customFields.deleteTitle", { label: field.label })}
                          description={t("customFields.deleteDescription")}
                          action={t("common:delete")}
                          onConfirm={() =>
                            remove.mutate(field.id, {
                              onSuccess: () => toast.success(t("customFields.deleted", { label: field.label })),
                              onError: (e) => toast.error(e.message),
                            })
                          }
                        >
                          <Button variant="ghost" size="icon" aria-label={t("customFields.deleteNamed", { label: field.label })}>
                            <Trash2 aria-hidden="true" />
                          </Button>
                        </Confirm>
                      </TD>
                    ) : null}
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </div>
      )}
      {isAdmin ? <CustomFieldDialog open={open} onOpenChange={setOpen} /> : null}
    </div>
  );
}
