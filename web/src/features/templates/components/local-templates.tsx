import { Eye, FileText, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { useDeleteLocalTemplate, useLocalTemplates, type LocalTemplate } from "../api/local-templates";
import { LocalTemplateForm } from "./local-template-form";
import { LocalTemplatePreview } from "./local-template-preview";

type Open = { kind: "edit"; template?: LocalTemplate } | { kind: "preview"; template: LocalTemplate } | null;

/** Local templates: the list a page at a time (searched on the server as you type), create/edit in a side panel, preview for a contact. */
export function LocalTemplates() {
  const { t } = useTranslation("templates");
  const format = useFormat();
  const [q, setQ] = useState("");
  const search = useDebounced(q.trim(), 300);
  const templates = useLocalTemplates(search);
  const remove = useDeleteLocalTemplate();
  const [open, setOpen] = useState<Open>(null);
  const shown = templates.items;

  return (
    <section aria-labelledby="local-heading" className="grid gap-3">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h2 id="local-heading" className="sr-only">
          {t("tabs.local")}
        </h2>
        <Input type="search" aria-label={t("local.search")} placeholder={t("local.search")} value={q} onChange={(e) => setQ(e.target.value)} className="w-full sm:w-64" />
        <Button onClick={() => setOpen({ kind: "edit" })}>
          <Plus aria-hidden="true" />
          {t("local.new")}
        </Button>
      </div>
      {templates.isLoading ? (
        <SkeletonRows rows={4} />
      ) : templates.isError ? (
        <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />
      ) : !shown.length && !search ? (
        <EmptyState icon={FileText} title={t("local.empty")} description={t("local.emptyHint")} action={<Button onClick={() => setOpen({ kind: "edit" })}>{t("local.new")}</Button>} />
      ) : !shown.length ? (
        <EmptyState title={t("local.noMatch")} />
      ) : (
        <Table>
          <THead>
            <TR>
              <TH>{t("local.name")}</TH>
              <TH className="hidden md:table-cell">{t("local.variables")}</TH>
              <TH className="hidden md:table-cell">{t("local.updated")}</TH>
              <TH className="text-right">{t("common:actions")}</TH>
            </TR>
          </THead>
          <TBody>
            {shown.map((tpl) => (
              <TR key={tpl.id}>
                <TD className="max-w-0 w-full">
                  <p className="truncate font-medium">{tpl.name}</p>
                  <p className="truncate text-xs text-muted-foreground">{tpl.body}</p>
                </TD>
                <TD className="hidden md:table-cell">
                  <div className="flex flex-wrap gap-1">
                    {tpl.variables.map((v) => (
                      <Badge key={v} variant="secondary">
                        {v}
                      </Badge>
                    ))}
                  </div>
                </TD>
                <TD className="hidden whitespace-nowrap text-muted-foreground md:table-cell">{format.relative(tpl.updated_at)}</TD>
                <TD>
                  <div className="flex justify-end gap-1">
                    <Button variant="ghost" size="icon" aria-label={t("local.previewOf", { name: tpl.name })} onClick={() => setOpen({ kind: "preview", template: tpl })}>
                      <Eye aria-hidden="true" />
                    </Button>
                    <Button variant="ghost" size="icon" aria-label={t("local.editOf", { name: tpl.name })} onClick={() => setOpen({ kind: "edit", template: tpl })}>
                      <Pencil aria-hidden="true" />
                    </Button>
                    <Confirm
                      title={t("local.deleteTitle", { name: tpl.name })}
                      description={t("local.deleteDescription")}
                      action={t("common:delete")}
                      onConfirm={() => remove.mutate(tpl.id, { onSuccess: () => toast.success(t("local.deleted")), onError: (e) => toast.error(e.message) })}
                    >
                      <Button variant="ghost" size="icon" aria-label={t("local.deleteOf", { name: tpl.name })}>
                        <Trash2 aria-hidden="true" />
                      </Button>
                    </Confirm>
                  </div>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      <LoadMore hasMore={!!templates.hasNextPage} loading={templates.isFetchingNextPage} onClick={() => void templates.fetchNextPage()} />
      <Dialog open={open !== null} onOpenChange={(o) => (o ? null : setOpen(null))}>
        <DialogContent side="right" className="content-start">
          {open?.kind === "edit" ? (
            <>
              <DialogHeader>
                <DialogTitle>{open.template ? t("local.editTitle") : t("local.newTitle")}</DialogTitle>
                <DialogDescription>{t("local.formDescription")}</DialogDescription>
              </DialogHeader>
              <LocalTemplateForm template={open.template} onDone={() => setOpen(null)} />
            </>
          ) : open?.kind === "preview" ? (
            <>
              <DialogHeader>
                <DialogTitle>{t("preview.title", { name: open.template.name })}</DialogTitle>
                <DialogDescription>{t("preview.description")}</DialogDescription>
              </DialogHeader>
              <LocalTemplatePreview template={open.template} />
            </>
          ) : null}
        </DialogContent>
      </Dialog>
    </section>
  );
}
