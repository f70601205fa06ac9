import { Plus, Smartphone } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { SkeletonRows } from "@/components/ui/skeleton";
import { Label } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useConnections, type Connection, type ConnectionFilters } from "../api/connections";
import { ConnectionCard } from "../components/connection-card";
import { AddConnection, EditConnection } from "../components/connection-form";

type Open = { kind: "add" } | { kind: "edit"; connection: Connection } | null;

/** Connections: the company's WhatsApp numbers on Meta's Cloud API and its SMS senders. */
export function Component() {
  const { t } = useTranslation("connections");
  const admin = useIsAdmin();
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<ConnectionFilters["status"]>("");
  const [channel, setChannel] = useState<ConnectionFilters["channel"]>("");
  const search = useDebounced(q.trim(), 300);
  const filtered = !!(search || status || channel);
  const connections = useConnections({ q: search, status, channel });
  // no number at all (not a search that found none): the empty state alone, no search bar
  const none = !filtered && !q && connections.isSuccess && !connections.items.length;
  const [open, setOpen] = useState<Open>(null);
  const add = admin ? (
    <Button onClick={() => setOpen({ kind: "add" })}>
      <Plus aria-hidden="true" />
      {t("add.label")}
    </Button>
  ) : null;

  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("connections.title")} description={t("connections.description")} actions={add} />
      {!none ? (
        <div className="mb-4 flex flex-wrap items-end gap-2">
          <div className="grid w-full gap-1.5 sm:w-64">
            <Label htmlFor="connections-search">{t("list.search")}</Label>
            <Input id="connections-search" type="search" value={q} placeholder={t("list.searchHint")} onChange={(e) => setQ(e.target.value)} />
          </div>
          <div className="grid w-full gap-1.5 sm:w-40">
            <Label htmlFor="connections-status">{t("list.status")}</Label>
            <NativeSelect id="connections-status" value={status} onChange={(e) => setStatus(e.target.value as ConnectionFilters["status"])}>
              <option value="">{t("common:all")}</option>
              <option value="active">{t("status.active")}</option>
              <option value="failing">{t("status.failing")}</option>
            </NativeSelect>
          </div>
          <div className="grid w-full gap-1.5 sm:w-40">
            <Label htmlFor="connections-channel">{t("list.channel")}</Label>
            <NativeSelect id="connections-channel" value={channel} onChange={(e) => setChannel(e.target.value as ConnectionFilters["channel"])}>
              <option value="">{t("common:all")}</option>
              <option value="whatsapp">{t("channel.whatsapp")}</option>
              <option value="sms">{t("channel.sms")}</option>
            </NativeSelect>
          </div>
        </div>
      ) : null}
      {connections.isLoading ? (
        <SkeletonRows rows={3} />
      ) : connections.isError ? (
        <ErrorState error={connections.error} onRetry={() => void connections.refetch()} />
      ) : !connections.items.length && filtered ? (
        <EmptyState title={t("list.noMatch")} />
      ) : !connections.items.length ? (
        <EmptyState icon={Smartphone} title={t("empty.title")} description={admin ? t("empty.admin") : t("empty.agent")} action={add} />
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          {connections.items.map((c) => (
            <ConnectionCard key={c.id} connection={c} onEdit={() => setOpen({ kind: "edit", connection: c })} />
          ))}
        </div>
      )}
      <LoadMore hasMore={!!connections.hasNextPage} loading={connections.isFetchingNextPage} onClick={() => void connections.fetchNextPage()} />
      <Dialog open={open !== null} onOpenChange={(o) => (o ? null : setOpen(null))}>
        <DialogContent side="right" className="content-start">
          {open?.kind === "add" ? (
            <AddConnection onDone={() => setOpen(null)} />
          ) : open?.kind === "edit" ? (
            <>
              <DialogHeader>
                <DialogTitle>{t("edit.title", { name: open.connection.name })}</DialogTitle>
                <DialogDescription>{open.connection.provider === "sms_aws" ? t("edit.descriptionSms") : t("edit.description")}</DialogDescription>
              </DialogHeader>
              <EditConnection connection={open.connection} onDone={() => setOpen(null)} />
            </>
          ) : null}
        </DialogContent>
      </Dialog>
    </div>
  );
}
