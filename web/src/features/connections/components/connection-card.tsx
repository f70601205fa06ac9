import { AlertTriangle, MessageSquareText, Pencil, PlugZap, Smartphone, Trash2 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Confirm } from "@/components/ui/confirm";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import { useDeleteConnection, useTestConnection, type Connection } from "../api/connections";
import { accountNotice } from "../lib/account";
import { messagingTier, throughputPerSecond, tokenState } from "../lib/facts";
import { CopyField } from "./copy-field";

const STATUS: Record<string, BadgeProps["variant"]> = { active: "success", failing: "destructive", pending: "warning" };
const QUALITY: Record<string, BadgeProps["variant"]> = { GREEN: "success", YELLOW: "warning", RED: "destructive" };
const TONE = {
  destructive: "border-destructive/40 bg-red-50 text-red-900",
  warning: "border-amber-300 bg-amber-50 text-amber-950",
};

/** What Meta says of the number's account (restricted, disabled, disconnected, a violation…), with its detail. */
function AccountAlert({ connection: c }: { connection: Connection }) {
  const { t } = useTranslation("connections");
  const format = useFormat();
  const notice = accountNotice(c.account_status, c.account_detail);
  if (!notice) return null;
  return (
    <div role="alert" className={`flex gap-2 rounded-md border p-3 text-sm ${TONE[notice.tone]}`}>
      <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <div className="min-w-0 break-words">
        <p>
          <span className="font-medium">{t(`account.${notice.key}`)}</span>
          {notice.detail ? ` ${t(`account.${notice.key}Detail`, { detail: notice.detail })}` : null}
        </p>
        {notice.restrictions.length ? (
          <ul className="mt-1 list-disc pl-5">
            {notice.restrictions.map((r) => (
              <li key={r.type}>
                {t(`account.restrictions.${r.type}`, { defaultValue: r.type })}
                {r.until ? ` ${t("account.until", { date: format.dateTime(r.until) })}` : null}
              </li>
            ))}
          </ul>
        ) : null}
        {c.account_updated_at ? <p className="mt-1 text-xs opacity-80">{t("account.reported", { when: format.relative(c.account_updated_at) })}</p> : null}
      </div>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="break-words text-sm font-medium">{children}</dd>
    </div>
  );
}

/** An SMS sender's settings: where it sends from, to which country, how fast and at what price. */
function SmsFacts({ connection: c }: { connection: Connection }) {
  const { t, i18n } = useTranslation("connections");
  const format = useFormat();
  const sms = c.sms;
  if (!sms) return null;
  const country = new Intl.DisplayNames([i18n.resolvedLanguage ?? "en"], { type: "region" }).of(sms.country) ?? sms.country;
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3">
      <Fact label={t(sms.origination_kind === "sender_id" ? "sms.senderId" : "sms.number")}>{sms.origination}</Fact>
      <Fact label={t("sms.country")}>{country}</Fact>
      <Fact label={t("facts.throughput")}>{t("sms.rate", { n: format.number(sms.messages_per_second) })}</Fact>
      <Fact label={t("sms.costPerSegment")}>{format.number(Number(sms.cost_per_segment), { style: "currency", currency: sms.currency, maximumFractionDigits: 5 })}</Fact>
      <Fact label={t("sms.messageType")}>{t(`sms.type.${sms.message_type}`)}</Fact>
      <Fact label={t("sms.inbound")}>{sms.inbound_topic_arn ? <span className="break-all font-mono text-xs">{sms.inbound_topic_arn}</span> : t("sms.noInbound")}</Fact>
    </dl>
  );
}

/** One number: its channel, status and the provider's facts, the webhook URL to set at the provider, test (WhatsApp) / edit / delete. */
export function ConnectionCard({ connection, onEdit }: { connection: Connection; onEdit: () => void }) {
  const { t } = useTranslation("connections");
  const format = useFormat();
  const admin = useIsAdmin();
  const test = useTestConnection();
  const remove = useDeleteConnection();
  const c = connection;
  const quality = c.quality_rating?.toUpperCase();
  const tier = messagingTier(c.messaging_limit);
  const perSecond = throughputPerSecond(c.throughput_level);
  const token = tokenState(c.token_expires_at);
  const sms = c.provider === "sms_aws";

  function runTest() {
    test.mutate(c.id, {
      onSuccess: (fresh) => (fresh.status === "failing" ? toast.error(t("test.failed", { reason: fresh.last_error ?? "" })) : toast.success(t("test.ok", { name: fresh.name }))),
      onError: (e) => toast.error(e.message),
    });
  }

  return (
    <Card aria-labelledby={`connection-${c.id}`} role="region">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <CardTitle id={`connection-${c.id}`} className="truncate">
            {c.name}
          </CardTitle>
          <p className="truncate text-sm text-muted-foreground">{[c.display_phone_number, c.verified_name].filter(Boolean).join(" · ") || c.phone_number_id}</p>
        </div>
        <div className="flex flex-wrap gap-1">
          <Badge variant="outline">
            {sms ? <MessageSquareText className="size-3" aria-hidden="true" /> : <Smartphone className="size-3" aria-hidden="true" />}
            {t(`channel.${c.channel}`)}
          </Badge>
          {c.account_status !== "ok" ? <Badge variant="destructive">{t(`accountStatus.${c.account_status}`)}</Badge> : null}
          <Badge variant={STATUS[c.status] ?? "outline"}>{t(`status.${c.status}`, { defaultValue: c.status })}</Badge>
        </div>
      </CardHeader>
      <CardContent className="grid gap-4">
        <AccountAlert connection={c} />
        {c.status === "failing" && c.last_error ? (
          <div role="alert" className="flex gap-2 rounded-md border border-destructive/40 bg-red-50 p-3 text-sm text-red-900">
            <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
            <p className="min-w-0 break-words">
              <span className="font-medium">{t("failingBecause")}</span> {c.last_error}
            </p>
          </div>
        ) : null}
        {sms ? (
          <SmsFacts connection={c} />
        ) : (
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3">
            <Fact label={t("facts.quality")}>
              {quality && quality in QUALITY ? <Badge variant={QUALITY[quality]}>{t(`quality.${quality}`)}</Badge> : t("facts.unknown")}
            </Fact>
            <Fact label={t("facts.throughput")}>
              {c.throughput_level ? (perSecond ? t("facts.perSecond", { level: t(`throughput.${c.throughput_level.toUpperCase()}`, { defaultValue: c.throughput_level }), n: format.number(perSecond) }) : c.throughput_level) : t("facts.unknown")}
            </Fact>
            <Fact label={t("facts.messagingLimit")}>
              {tier === null ? (c.messaging_limit ?? t("facts.unknown")) : tier === Infinity ? t("facts.unlimited") : t("facts.perDay", { n: format.number(tier) })}
            </Fact>
            <Fact label={t("facts.tokenExpiry")}>
              {token === "never" ? (
                t("facts.tokenNever")
              ) : (
                <span className={token === "ok" ? undefined : "text-destructive"}>
                  {token === "expired" ? t("facts.tokenExpired", { date: format.dateTime(c.token_expires_at) }) : format.dateTime(c.token_expires_at)}
                </span>
              )}
            </Fact>
            <Fact label={t("facts.lastChecked")}>{c.last_checked_at ? format.relative(c.last_checked_at) : t("facts.never")}</Fact>
            <Fact label={t("facts.phoneNumberId")}>
              <span className="font-mono text-xs">{c.phone_number_id}</span>
            </Fact>
            <Fact label={t("facts.wabaId")}>
              <span className="font-mono text-xs">{c.waba_id}</span>
            </Fact>
          </dl>
        )}
        <CopyField label={t("fields.webhookUrl")} value={c.webhook_url} />
        <div className="flex flex-wrap gap-2">
          {sms ? null : (
            <Button variant="outline" onClick={runTest} disabled={test.isPending} aria-label={t("test.labelOf", { name: c.name })}>
              <PlugZap aria-hidden="true" />
              {test.isPending ? t("test.running") : t("test.label")}
            </Button>
          )}
          {admin ? (
            <>
              <Button variant="outline" onClick={onEdit} aria-label={t("edit.labelOf", { name: c.name })}>
                <Pencil aria-hidden="true" />
                {t("edit.label")}
              </Button>
              <Confirm
                title={t("delete.title", { name: c.name })}
                description={t("delete.description")}
                action={t("common:delete")}
                onConfirm={() => remove.mutate(c.id, { onSuccess: () => toast.success(t("delete.done")), onError: (e) => toast.error(e.message) })}
              >
                <Button variant="ghost" className="text-destructive" aria-label={t("delete.labelOf", { name: c.name })}>
                  <Trash2 aria-hidden="true" />
                  {t("common:delete")}
                </Button>
              </Confirm>
            </>
          ) : null}
        </div>
      </CardContent>
    </Card>
  );
}
