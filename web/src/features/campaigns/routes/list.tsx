import { Megaphone, Plus, Skull } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { Button } from "@/components/ui/button";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import { CAMPAIGN_STATUSES, useCampaigns, useLiveProgress, type CampaignStatus } from "../api/campaigns";
import { ProgressLine } from "../components/progress-line";
import { StatusBadge } from "../components/status-badge";

const TABS = ["all", ...CAMPAIGN_STATUSES] as const;
type Tab = (typeof TABS)[number];

function CampaignTable({ status }: { status: Tab }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const isAdmin = useIsAdmin();
  const list = useCampaigns(status as CampaignStatus | "all");
  useLiveProgress(list.items.filter((c) => c.status === "running").map((c) => c.id));
  if (list.isPending) return <SkeletonRows />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.items.length)
    return (
      <EmptyState
        icon={Megaphone}
        title={status === "all" ? t("list.empty") : t("list.emptyStatus", { status: t(`status.${status}`) })}
        description={isAdmin && status === "all" ? t("list.emptyHint") : undefined}
        action={
          isAdmin && status === "all" ? (
            <Button asChild size="sm">
              <Link to="new">{t("list.new")}</Link>
            </Button>
          ) : undefined
        }
      />
    );
  return (
    <>
      <Table>
        <THead>
          <TR>
            <TH>{t("list.name")}</TH>
            <TH className="hidden sm:table-cell">{t("list.state")}</TH>
            <TH className="min-w-32 sm:min-w-40">{t("list.progress")}</TH>
            <TH className="hidden md:table-cell">{t("list.when")}</TH>
          </TR>
        </THead>
        <TBody>
          {list.items.map((c) => (
            <TR key={c.id}>
              <TD className="font-medium">
                <Link className="text-primary underline-offset-4 hover:underline" to={c.status === "draft" && isAdmin ? `new?draft=${c.id}` : c.id}>
                  {c.name}
                </Link>
                <div className="mt-1 sm:hidden">
                  <StatusBadge status={c.status} />
                </div>
              </TD>
              <TD className="hidden sm:table-cell">
                <StatusBadge status={c.status} />
              </TD>
              <TD>
                <ProgressLine campaign={c} />
              </TD>
              <TD className="hidden text-muted-foreground md:table-cell">{format.dateTime(c.finished_at ?? c.started_at ?? c.scheduled_at ?? c.created_at)}</TD>
            </TR>
          ))}
        </TBody>
      </Table>
      <LoadMore hasMore={Boolean(list.hasNextPage)} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
    </>
  );
}

export function CampaignList() {
  const { t } = useTranslation("campaigns");
  const isAdmin = useIsAdmin();
  const [params, setParams] = useSearchParams();
  const wanted = params.get("status") ?? "all";
  const status: Tab = (TABS as readonly string[]).includes(wanted) ? (wanted as Tab) : "all";
  return (
    <div className="p-4 md:p-6">
      <PageHeader
        title={t("campaigns.title")}
        description={t("list.description")}
        actions={
          isAdmin ? (
            <>
              <Button asChild variant="outline">
                <Link to="dead-letters">
                  <Skull aria-hidden="true" />
                  {t("deadLetters.title")}
                </Link>
              </Button>
              <Button asChild>
                <Link to="new">
                  <Plus aria-hidden="true" />
                  {t("list.new")}
                </Link>
              </Button>
            </>
          ) : undefined
        }
      />
      <Tabs value={status} onValueChange={(value) => setParams(value === "all" ? {} : { status: value }, { replace: true })}>
        <TabsList aria-label={t("list.filter")} className="flex h-auto w-full justify-start overflow-x-auto sm:w-auto">
          {TABS.map((tab) => (
            <TabsTrigger key={tab} value={tab}>
              {tab === "all" ? t("common:all") : t(`status.${tab}`)}
            </TabsTrigger>
          ))}
        </TabsList>
        {TABS.map((tab) => (
          <TabsContent key={tab} value={tab}>
            {tab === status ? <CampaignTable status={tab} /> : null}
          </TabsContent>
        ))}
      </Tabs>
    </div>
  );
}
