import { Eye, MessageSquareText, Plus, RefreshCw, SlidersHorizontal, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Combobox } from "@/components/ui/combobox";
import { Confirm } from "@/components/ui/confirm";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, NativeSelect } from "@/components/ui/input";
import { Label } from "@/components/ui/field";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useConnection, useConnectionSearch, type Connection } from "../api/lookups";
import { useDeleteWhatsAppTemplate, useSyncTemplates, useWhatsAppTemplates, type WhatsAppTemplate } from "../api/whatsapp-templates";
import { messageOf } from "../lib/components";
import { CATEGORIES } from "../lib/meta-limits";
import { ParameterMapping } from "./parameter-mapping";
import { TemplateQuality, TemplateStatus, TemplateStatusReason } from "./status-badge";
import { WhatsAppPreview } from "./whatsapp-preview";
import { LANGUAGES, WhatsAppTemplateForm } from "./whatsapp-template-form";

type Open = { kind: "create" } | { kind: "map"; template: WhatsAppTemplate } | { kind: "preview"; template: WhatsAppTemplate } | null;
const STATUSES = ["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "FLAGGED", "IN_APPEAL", "PENDING_DELETION"] as const;

const numberLabel = (c: Connection) => (c.display_phone_number ? `${c.name} · ${c.display_phone_number}` : c.name);

/** The numbers to pick from: the server is searched as the user types (a company may have many). */
function useNumberOptions(q: string) {
  const found = useConnectionSearch(q);
  return { options: (found.data?.items ?? []).map((c) => ({ id: c.id, label: numberLabel(c) })), loading: found.isFetching, error: found.isError };
}

/** WhatsApp templates of one number: sync from Meta, status and quality, create, map, preview, delete. */
export function WhatsAppTemplates() {
  const { t } = useTranslation("templates");
  const admin = useIsAdmin();
  const first = useConnectionSearch("");
  const [params, setParams] = useSearchParams();
  const connectionId = params.get("connection") ?? first.data?.items[0]?.id;
  const chosen = useConnection(connectionId);
  const [q, setQ] = useState("");
  const [status, setStatus] = useState("");
  const [category, setCategory] = useState("");
  const [language, setLanguage] = useState("");
  const search = useDebounced(q.trim(), 300);
  const filtered = !!(search || status || category || language);
  const templates = useWhatsAppTemplates(connectionId, { q: search, status, category, language });
  const sync = useSyncTemplates();
  const remove = useDeleteWhatsAppTemplate();
  const [open, setOpen] = useState<Open>(null);

  if (first.isLoading) return <SkeletonRows rows={4} />;
  if (first.isError) return <ErrorState error={first.error} onRetry={() => void first.refetch()} />;
  if (!first.data?.items.length)
    return (
      <EmptyState
        icon={MessageSquareText}
        title={t("wa.noConnection")}
        description={t("wa.noConnectionHint")}
        action={
          <Button asChild>
            <Link to="/connections">{t("wa.goToConnections")}</Link>
          </Button>
        }
      />
    );

  const shown = templates.items;

  function runSync() {
    if (!connectionId) return;
    sync.mutate(connectionId, {
      onSuccess: (r) => toast.success(t("wa.synced", { added: r.added, updated: r.updated, removed: r.removed, total: r.total })),
      onError: (e) => toast.error(e.message),
    });
  }

  return (
    <section aria-labelledby="wa-heading" className="grid gap-3">
      <h2 id="wa-heading" className="sr-only">
        {t("tabs.whatsapp")}
      </h2>
      <div className="flex flex-wrap items-end gap-2">
        <div className="grid w-full gap-1.5 sm:w-56">
          <Label htmlFor="wa-connection">{t("wa.connection")}</Label>
          <Combobox
            id="wa-connection"
            value={chosen.data ? numberLabel(chosen.data) : ""}
            placeholder={t("wa.chooseConnection")}
            searchLabel={t("wa.searchConnection")}
            emptyText={t("wa.noConnectionMatch")}
            useOptions={useNumberOptions}
            onSelect={(option) => setParams({ connection: option.id }, { replace: true })}
          />
        </div>
        <div className="grid w-full gap-1.5 sm:w-48">
          <Label htmlFor="wa-search">{t("wa.search")}</Label>
          <Input id="wa-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <div className="grid w-[calc(50%-0.25rem)] gap-1.5 sm:w-40">
          <Label htmlFor="wa-status">{t("wa.statusFilter")}</Label>
          <NativeSelect id="wa-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t("common:all")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid w-[calc(50%-0.25rem)] gap-1.5 sm:w-40">
          <Label htmlFor="wa-category">{t("wa.categoryFilter")}</Label>
          <NativeSelect id="wa-category" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">{t("common:all")}</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`categories.${c}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid w-full gap-1.5 sm:w-44">
          <Label htmlFor="wa-language">{t("wa.languageFilter")}</Label>
          <NativeSelect id="wa-language" value={language} onChange={(e) => setLanguage(e.target.value)}>
            <option value="">{t("common:all")}</option>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`languages.${l}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
        {admin ? (
          <div className="flex flex-wrap gap-2 sm:ml-auto">
            <Button variant="outline" onClick={runSync} disabled={sync.isPending}>
              <RefreshCw aria-hidden="true" className={sync.isPending ? "animate-spin" : undefined} />
              {sync.isPending ? t("wa.syncing") : t("wa.sync")}
            </Button>
            <Button onClick={() => setOpen({ kind: "create" })}>
              <Plus aria-hidden="true" />
              {t("wa.new")}
            </Button>
          </div>
        ) : null}
      </div>
      {templates.isLoading ? (
        <SkeletonRows rows={4} />
      ) : templates.isError ? (
        <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />
      ) : !shown.length && !filtered ? (
        <EmptyState icon={MessageSquareText} title={t("wa.empty")} description={admin ? t("wa.emptyHint") : t("wa.emptyHintAgent")} />
      ) : !shown.length ? (
        <EmptyState title={t("wa.noMatch")} />
      ) : (
        <Table aria-label={t("tabs.whatsapp")}>
          <THead>
            <TR>
              <TH>{t("wa.name")}</TH>
              <TH className="hidden md:table-cell">{t("wa.category")}</TH>
              <TH>{t("wa.status")}</TH>
              <TH className="hidden sm:table-cell">{t("wa.quality")}</TH>
              <TH className="text-right">{t("common:actions")}</TH>
            </TR>
          </THead>
          <TBody>
            {shown.map((tpl) => (
              <TR key={tpl.id}>
                <TD className="max-w-0 w-full">
                  <p className="truncate font-medium">{tpl.name}</p>
                  <p className="truncate text-xs text-muted-foreground">
                    {tpl.language} · {messageOf(tpl.components).body}
                  </p>
                </TD>
                <TD className="hidden md:table-cell">
                  {t(`categories.${tpl.category.toUpperCase()}`, { defaultValue: tpl.category })}
                  {tpl.previous_category ? (
                    <p className="text-xs text-muted-foreground">
                      {t("wa.categoryWas", { category: t(`categories.${tpl.previous_category.toUpperCase()}`, { defaultValue: tpl.previous_category }) })}
                    </p>
                  ) : null}
                </TD>
                <TD className="md:min-w-52">
                  <TemplateStatus status={tpl.status} />
                  <TemplateStatusReason template={tpl} />
                </TD>
                <TD className="hidden sm:table-cell">
                  <TemplateQuality quality={tpl.quality} />
                </TD>
                <TD>
                  <div className="flex justify-end gap-1">
                    <Button variant="ghost" size="icon" aria-label={t("wa.mapOf", { name: tpl.name })} onClick={() => setOpen({ kind: "map", template: tpl })}>
                      <SlidersHorizontal aria-hidden="true" />
                    </Button>
                    <Button variant="ghost" size="icon" aria-label={t("wa.previewOf", { name: tpl.name })} onClick={() => setOpen({ kind: "preview", template: tpl })}>
                      <Eye aria-hidden="true" />
                    </Button>
                    {admin ? (
                      <Confirm
                        title={t("wa.deleteTitle", { name: tpl.name })}
                        description={t("wa.deleteDescription", { language: tpl.language })}
                        action={t("common:delete")}
                        onConfirm={() => remove.mutate(tpl, { onSuccess: () => toast.success(t("wa.deleted")), onError: (e) => toast.error(e.message) })}
                      >
                        <Button variant="ghost" size="icon" aria-label={t("wa.deleteOf", { name: tpl.name })}>
                          <Trash2 aria-hidden="true" />
                        </Button>
                      </Confirm>
                    ) : null}
                  </div>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      <LoadMore hasMore={!!templates.hasNextPage} loading={templates.isFetchingNextPage} onClick={() => void templates.fetchNextPage()} />
      <Dialog open={open !== null} onOpenChange={(o) => (o ? null : setOpen(null))}>
        <DialogContent side="right" className={open?.kind === "create" ? "content-start md:max-w-4xl" : "content-start"}>
          {open?.kind === "create" && connectionId ? (
            <>
              <DialogHeader>
                <DialogTitle>{t("wa.newTitle")}</DialogTitle>
                <DialogDescription>{t("wa.newDescription")}</DialogDescription>
              </DialogHeader>
              <WhatsAppTemplateForm connectionId={connectionId} onDone={() => setOpen(null)} />
            </>
          ) : open?.kind === "map" ? (
            <>
              <DialogHeader>
                <DialogTitle>{t("mapping.title", { name: open.template.name })}</DialogTitle>
                <DialogDescription>{t("mapping.description")}</DialogDescription>
              </DialogHeader>
              <ParameterMapping template={open.template} onDone={() => setOpen(null)} />
            </>
          ) : open?.kind === "preview" ? (
            <>
              <DialogHeader>
                <DialogTitle>{t("preview.title", { name: open.template.name })}</DialogTitle>
                <DialogDescription>{t("preview.waDescription")}</DialogDescription>
              </DialogHeader>
              <WhatsAppPreview template={open.template} onMap={() => setOpen({ kind: "map", template: open.template })} />
            </>
          ) : null}
        </DialogContent>
      </Dialog>
    </section>
  );
}
