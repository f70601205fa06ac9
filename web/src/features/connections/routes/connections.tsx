import { Plus, Smartphone } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useConnections, type Connection } from "../api/connections";
import { ConnectionCard } from "../components/connection-card";
import { AddConnection, EditConnection } from "../components/connection-form";

type Open = { kind: "add" } | { kind: "edit"; connection: Connection } | null;

/** Connections: the company's WhatsApp numbers on Meta's Cloud API. */
export function Component() {
  const { t } = useTranslation("connections");
  const admin = useIsAdmin();
  const connections = useConnections();
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
      {connections.isLoading ? (
        <SkeletonRows rows={3} />
      ) : connections.isError ? (
        <ErrorState error={connections.error} onRetry={() => void connections.refetch()} />
      ) : !connections.data?.length ? (
        <EmptyState icon={Smartphone} title={t("empty.title")} description={admin ? t("empty.admin") : t("empty.agent")} action={add} />
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          {connections.data.map((c) => (
            <ConnectionCard key={c.id} connection={c} onEdit={() => setOpen({ kind: "edit", connection: c })} />
          ))}
        </div>
      )}
      <Dialog open={open !== null} onOpenChange={(o) => (o ? null : setOpen(null))}>
        <DialogContent side="right" className="content-start">
          {open?.kind === "add" ? (
            <>
              <DialogHeader>
                <DialogTitle>{t("add.title")}</DialogTitle>
                <DialogDescription>{t("add.description")}</DialogDescription>
              </DialogHeader>
              <AddConnection onDone={() => setOpen(null)} />
            </>
          ) : open?.kind === "edit" ? (
            <>
              <DialogHeader>
                <DialogTitle>{t("edit.title", { name: open.connection.name })}</DialogTitle>
                <DialogDescription>{t("edit.description")}</DialogDescription>
              </DialogHeader>
              <EditConnection connection={open.connection} onDone={() => setOpen(null)} />
            </>
          ) : null}
        </DialogContent>
      </Dialog>
    </div>
  );
}
