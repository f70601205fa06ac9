import { ScrollText } from "lucide-react";
import { useTranslation } from "react-i18next";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFormat } from "@/lib/i18n/format";
import { type AuditEntry, useAuditLog, useDirectory } from "../api/users";
import { AdminOnly } from "../components/forbidden";

export function Component() {
  return (
    <AdminOnly>
      <AuditLog />
    </AdminOnly>
  );
}

function Details({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation("users");
  const pairs = Object.entries(entry.details).filter(([, v]) => v !== null && v !== "" && !(Array.isArray(v) && v.length === 0));
  if (!pairs.length && !entry.target_type) return <>—</>;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-primary">{t("audit.details")}</summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5">
        {entry.target_type ? (
          <>
            <dt className="text-muted-foreground">{t("audit.target")}</dt>
            <dd className="break-all">
              {t(`audit.targets.${entry.target_type}`, { defaultValue: entry.target_type })} {entry.target_id}
            </dd>
          </>
        ) : null}
        {pairs.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted-foreground">{k}</dt>
            <dd className="break-all font-mono">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function AuditLog() {
  const { t } = useTranslation("users");
  const fmt = useFormat();
  const log = useAuditLog();
  const directory = useDirectory();
  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("auditLog.title")} description={t("audit.description")} />
      {log.isPending ? (
        <SkeletonRows />
      ) : log.isError ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} />
      ) : log.items.length === 0 ? (
        <EmptyState icon={ScrollText} title={t("audit.empty")} description={t("audit.emptyHint")} />
      ) : (
        <div className="rounded-lg border">
          <Table>
            <THead>
              <TR>
                <TH scope="col">{t("audit.when")}</TH>
                <TH scope="col">{t("audit.who")}</TH>
                <TH scope="col">{t("audit.what")}</TH>
                <TH scope="col" className="text-right">
                  {t("audit.count")}
                </TH>
                <TH scope="col">{t("audit.details")}</TH>
              </TR>
            </THead>
            <TBody>
              {log.items.map((e) => {
                const who = e.actor_user_id ? directory.data?.get(e.actor_user_id) : undefined;
                return (
                  <TR key={e.id}>
                    <TD className="whitespace-nowrap">
                      <time dateTime={e.created_at}>{fmt.dateTime(e.created_at)}</time>
                    </TD>
                    <TD>
                      {who ? (
                        <>
                          <span className="block">{who.name}</span>
                          <span className="block text-xs text-muted-foreground">{who.email}</span>
                        </>
                      ) : e.actor_user_id ? (
                        <span className="text-muted-foreground">{t("audit.formerUser")}</span>
                      ) : (
                        <span className="text-muted-foreground">{t("audit.system")}</span>
                      )}
                    </TD>
                    <TD>
                      <span className="block">{t(`audit.actions.${e.action.replace(/\./g, "_")}`, { defaultValue: e.action })}</span>
                      <span className="block font-mono text-xs text-muted-foreground">{e.action}</span>
                    </TD>
                    <TD className="text-right tabular-nums">{fmt.number(e.count)}</TD>
                    <TD className="max-w-72">
                      <Details entry={e} />
                    </TD>
                  </TR>
                );
              })}
            </TBody>
          </Table>
          <LoadMore hasMore={log.hasNextPage} loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()} />
        </div>
      )}
    </div>
  );
}
