import { Users } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { RECIPIENT_STATUSES, useRecipients } from "../api/campaigns";
import { reasonKey } from "../lib/reasons";
import { RecipientBadge } from "./status-badge";

export interface RecipientFilter {
  status: string;
  errorCode: string;
}

/** The ledger, filtered by status and error code, page by page. */
export function RecipientsTable({ campaignId, filter, onFilter }: { campaignId: string; filter: RecipientFilter; onFilter: (f: RecipientFilter) => void }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const errorCode = useDebounced(filter.errorCode, 400);
  const list = useRecipients(campaignId, filter.status, errorCode);
  return (
    <div className="grid gap-3">
      <div className="grid items-start gap-3 sm:grid-cols-2 md:max-w-xl">
        <Field label={t("recipients.status")} className="content-start">
          <NativeSelect value={filter.status} onChange={(e) => onFilter({ ...filter, status: e.target.value })}>
            <option value="">{t("common:all")}</option>
            {RECIPIENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`recipientStatus.${s}`)}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field label={t("recipients.errorCode")} hint={t("recipients.errorCodeHint")} className="content-start">
          <Input
            inputMode="numeric"
            value={filter.errorCode}
            onChange={(e) => onFilter({ ...filter, errorCode: e.target.value.replace(/\D/g, "") })}
          />
        </Field>
      </div>
      {list.isPending ? (
        <SkeletonRows rows={4} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : !list.items.length ? (
        <EmptyState icon={Users} title={t("recipients.empty")} />
      ) : (
        <>
          <Table aria-label={t("recipients.title")}>
            <THead>
              <TR>
                <TH>{t("recipients.phone")}</TH>
                <TH>{t("recipients.status")}</TH>
                <TH className="hidden sm:table-cell">{t("recipients.sentAt")}</TH>
                <TH className="hidden md:table-cell">{t("recipients.attempts")}</TH>
                <TH>{t("recipients.error")}</TH>
              </TR>
            </THead>
            <TBody>
              {list.items.map((r) => (
                <TR key={r.id}>
                  <TD className="whitespace-nowrap font-mono text-xs">{r.phone}</TD>
                  <TD>
                    <RecipientBadge status={r.status} />
                    {r.replied_at ? <span className="ml-1 text-xs text-muted-foreground">{t("recipients.replied")}</span> : null}
                  </TD>
                  <TD className="hidden whitespace-nowrap text-muted-foreground sm:table-cell">{format.dateTime(r.sent_at)}</TD>
                  <TD className="hidden md:table-cell">{format.number(r.attempts)}</TD>
                  <TD className="text-xs">
                    {r.error_code !== null || r.error_reason ? (
                      <span title={r.error_reason ?? undefined}>
                        {t(reasonKey(r.error_code ?? r.error_reason))}
                        {r.error_code !== null ? <span className="ml-1 font-mono text-muted-foreground">({r.error_code})</span> : null}
                      </span>
                    ) : (
                      <span className="text-muted-foreground">—</span>
                    )}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <LoadMore hasMore={Boolean(list.hasNextPage)} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
        </>
      )}
    </div>
  );
}
