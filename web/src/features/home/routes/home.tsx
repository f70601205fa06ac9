import { ArrowRight, Bell, Inbox, Megaphone, Upload } from "lucide-react";
import type * as React from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress as Bar } from "@/components/ui/controls";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { useAuth } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import {
  useCampaignProgress,
  useHomeCampaigns,
  useLastImports,
  useLiveCampaigns,
  useLiveInbox,
  useOpenCount,
  useUnread,
  useUnreadNotifications,
  type Campaign,
} from "../api/home";

function HomeCard({ title, icon: Icon, to, linkLabel, children, description }: { title: string; icon: typeof Inbox; to: string; linkLabel: string; description?: string; children: React.ReactNode }) {
  return (
    <Card className="flex flex-col">
      <CardHeader className="flex-row items-start justify-between gap-2 space-y-0">
        <div className="grid gap-1">
          <CardTitle className="flex items-center gap-2">
            <Icon className="size-4 text-muted-foreground" aria-hidden="true" />
            {title}
          </CardTitle>
          {description ? <CardDescription>{description}</CardDescription> : null}
        </div>
        <Button asChild variant="ghost" size="sm" className="shrink-0">
          <Link to={to}>
            {linkLabel}
            <ArrowRight aria-hidden="true" />
          </Link>
        </Button>
      </CardHeader>
      <CardContent className="flex-1">{children}</CardContent>
    </Card>
  );
}

function Figure({ id, label, value, loading }: { id: string; label: string; value: string; loading: boolean }) {
  return (
    <div role="group" aria-labelledby={id} className="rounded-md border p-3">
      <p id={id} className="text-xs font-medium text-muted-foreground">
        {label}
      </p>
      {loading ? <Skeleton className="mt-1 h-7 w-16" /> : <p className="text-2xl font-semibold tabular-nums">{value}</p>}
    </div>
  );
}

function Conversations() {
  const { t } = useTranslation("home");
  const format = useFormat();
  const unread = useUnread();
  const open = useOpenCount();
  useLiveInbox();
  const error = unread.error ?? open.error;
  return (
    <HomeCard title={t("conversations.title")} icon={Inbox} to="/inbox" linkLabel={t("conversations.link")}>
      {error ? (
        <ErrorState error={error} onRetry={() => void Promise.all([unread.refetch(), open.refetch()])} />
      ) : (
        <div className="grid grid-cols-3 gap-2">
          <Figure id="home-open" label={t("conversations.open")} loading={open.isPending} value={open.data ? `${format.number(open.data.count)}${open.data.more ? "+" : ""}` : ""} />
          <Figure id="home-unread" label={t("conversations.unread")} loading={unread.isPending} value={unread.data ? format.number(unread.data.conversations) : ""} />
          <Figure id="home-unread-messages" label={t("conversations.unreadMessages")} loading={unread.isPending} value={unread.data ? format.number(unread.data.messages) : ""} />
        </div>
      )}
    </HomeCard>
  );
}

const VARIANT: Record<string, BadgeProps["variant"]> = { running: "default", paused: "warning", completed: "success", cancelled: "secondary", failed: "destructive", scheduled: "secondary" };

function CampaignRow({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation("home");
  const format = useFormat();
  const progress = useCampaignProgress(campaign.id);
  const p = progress.data;
  const status = p?.status ?? campaign.status;
  const settled = p ? p.sent + p.failed + p.skipped : 0;
  const percent = p && p.total > 0 ? Math.round((settled / p.total) * 100) : 0;
  return (
    <li className="grid gap-1.5 py-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Link to={`/campaigns/${campaign.id}`} className="min-w-0 truncate font-medium text-primary underline-offset-4 hover:underline">
          {campaign.name}
        </Link>
        <Badge variant={VARIANT[status] ?? "outline"}>{t(`campaigns.status.${status}`, { defaultValue: status })}</Badge>
      </div>
      {p ? (
        <>
          <Bar value={percent} label={t("campaigns.progressOf", { name: campaign.name })} />
          <p className="text-xs text-muted-foreground">
            {t("campaigns.counts", { sent: format.number(p.sent), total: format.number(p.total), delivered: format.number(p.delivered), read: format.number(p.read), failed: format.number(p.failed) })}
          </p>
        </>
      ) : (
        <Skeleton className="h-2 w-full" />
      )}
    </li>
  );
}

function Campaigns() {
  const { t } = useTranslation("home");
  const campaigns = useHomeCampaigns();
  const running = campaigns.data?.active.filter((c) => c.status === "running").map((c) => c.id) ?? [];
  useLiveCampaigns(running);
  return (
    <HomeCard title={t("campaigns.title")} icon={Megaphone} to="/campaigns" linkLabel={t("campaigns.link")}>
      {campaigns.isPending ? (
        <div className="grid gap-3" role="status" aria-label={t("common:loading")}>
          <Skeleton className="h-10 w-full" />
          <Skeleton className="h-10 w-full" />
        </div>
      ) : campaigns.isError ? (
        <ErrorState error={campaigns.error} onRetry={() => void campaigns.refetch()} />
      ) : !campaigns.data.active.length && !campaigns.data.recent.length ? (
        <EmptyState icon={Megaphone} title={t("campaigns.empty")} description={t("campaigns.emptyHint")} />
      ) : (
        <div className="grid gap-2">
          {campaigns.data.active.length ? (
            <section aria-labelledby="home-active">
              <h3 id="home-active" className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">
                {t("campaigns.active")}
              </h3>
              <ul className="divide-y">
                {campaigns.data.active.map((c) => (
                  <CampaignRow key={c.id} campaign={c} />
                ))}
              </ul>
            </section>
          ) : (
            <p className="text-sm text-muted-foreground">{t("campaigns.noneRunning")}</p>
          )}
          {campaigns.data.recent.length ? (
            <section aria-labelledby="home-recent">
              <h3 id="home-recent" className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">
                {t("campaigns.recent")}
              </h3>
              <ul className="divide-y">
                {campaigns.data.recent.map((c) => (
                  <CampaignRow key={c.id} campaign={c} />
                ))}
              </ul>
            </section>
          ) : null}
        </div>
      )}
    </HomeCard>
  );
}

const IMPORT_VARIANT: Record<string, BadgeProps["variant"]> = { completed: "success", failed: "destructive", processing: "default", queued: "secondary" };

function Imports() {
  const { t } = useTranslation("home");
  const format = useFormat();
  const imports = useLastImports();
  return (
    <HomeCard title={t("imports.title")} icon={Upload} to="/imports" linkLabel={t("imports.link")}>
      {imports.isPending ? (
        <div className="grid gap-2" role="status" aria-label={t("common:loading")}>
          <Skeleton className="h-8 w-full" />
          <Skeleton className="h-8 w-full" />
        </div>
      ) : imports.isError ? (
        <ErrorState error={imports.error} onRetry={() => void imports.refetch()} />
      ) : !imports.data.items.length ? (
        <EmptyState icon={Upload} title={t("imports.empty")} description={t("imports.hint")} />
      ) : (
        <ul className="divide-y">
          {imports.data.items.map((i) => (
            <li key={i.id} className="grid gap-1 py-2">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <Link to={`/imports/${i.id}`} className="min-w-0 truncate font-medium text-primary underline-offset-4 hover:underline">
                  {i.filename}
                </Link>
                <Badge variant={IMPORT_VARIANT[i.status] ?? "outline"}>{t(`imports.status.${i.status}`, { defaultValue: i.status })}</Badge>
              </div>
              {i.total ? <Bar value={Math.round((i.processed / i.total) * 100)} label={t("imports.progressOf", { name: i.filename })} /> : null}
              <p className="text-xs text-muted-foreground">
                {t("imports.counts", { inserted: format.number(i.inserted), updated: format.number(i.updated), rejected: format.number(i.rejected) })} · {format.relative(i.created_at)}
              </p>
            </li>
          ))}
        </ul>
      )}
    </HomeCard>
  );
}

function Notifications() {
  const { t } = useTranslation("home");
  const format = useFormat();
  const notifications = useUnreadNotifications();
  return (
    <HomeCard title={t("notifications.title")} icon={Bell} to="/notifications" linkLabel={t("notifications.link")}>
      {notifications.isPending ? (
        <div className="grid gap-2" role="status" aria-label={t("common:loading")}>
          <Skeleton className="h-8 w-full" />
          <Skeleton className="h-8 w-full" />
        </div>
      ) : notifications.isError ? (
        <ErrorState error={notifications.error} onRetry={() => void notifications.refetch()} />
      ) : !notifications.data.items.length ? (
        <EmptyState icon={Bell} title={t("notifications.empty")} />
      ) : (
        <ul className="divide-y">
          {notifications.data.items.map((n) => (
            <li key={n.id} className="grid gap-0.5 py-2">
              <p className="text-sm font-medium">{n.title}</p>
              {n.body ? <p className="line-clamp-2 text-xs text-muted-foreground">{n.body}</p> : null}
              <p className="text-xs text-muted-foreground">{format.relative(n.created_at)}</p>
            </li>
          ))}
        </ul>
      )}
    </HomeCard>
  );
}

export function Component() {
  const { t } = useTranslation("home");
  const { me } = useAuth();
  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("home.title")} description={me ? t("home.greeting", { name: me.user.name, company: me.company.name }) : undefined} />
      <div className="grid gap-4 lg:grid-cols-2">
        <Conversations />
        <Campaigns />
        <Notifications />
        <Imports />
      </div>
    </div>
  );
}
