import { Plus, Repeat } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { Button } from "@/components/ui/button";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import { CADENCE_STATUSES, useCadences, type CadenceStatus } from "../api/cadences";
import { useAllConnections } from "@/components/pickers/lookups";
import { CadenceStatusBadge } from "../components/badges";

const TABS = ["all", ...CADENCE_STATUSES] as const;
type Tab = (typeof TABS)[number];

function CadenceTable({ status }: { status: Tab }) {
  const { t } = useTranslation("cadences");
  const format = useFormat();
  const isAdmin = useIsAdmin();
  const list = useCadences(status);
  const connections = new Map((useAllConnections().data ?? []).map((c) => [c.id, c]));
  if (list.isPending) return <SkeletonRows />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.items.length)
    return (
      <EmptyState
        icon={Repeat}
        title={status === "all" ? t("list.empty") : t("list.emptyStatus", { status: t(`status.${status}`) })}
        description={status === "all" ? (isAdmin ? t("list.emptyHint") : t("list.emptyAgent")) : undefined}
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
      <Table aria-label={t("title")}>
        <THead>
          <TR>
            <TH>{t("list.name")}</TH>
            <TH>{t("list.status")}</TH>
            <TH className="hidden md:table-cell">{t("list.number")}</TH>
            <TH className="text-right">{t("list.enrolled")}</TH>
            <TH className="text-right">{t("list.active")}</TH>
            <TH className="hidden lg:table-cell">{t("list.steps")}</TH>
          </TR>
        </THead>
        <TBody>
          {list.items.map((c) => {
            const counts = c.enrollments;
            const enrolled = (counts.active ?? 0) + (counts.sending ?? 0) + (counts.completed ?? 0) + (counts.exited ?? 0);
            const number = c.connection_id ? connections.get(c.connection_id) : undefined;
            return (
              <TR key={c.id}>
                <TD className="font-medium">
                  <Link className="text-primary underline-offset-4 hover:underline" to={c.id}>
                    {c.name}
                  </Link>
                  {c.description ? <div className="line-clamp-1 text-xs font-normal text-muted-foreground">{c.description}</div> : null}
                </TD>
                <TD>
                  <CadenceStatusBadge status={c.status} />
                </TD>
                <TD className="hidden text-muted-foreground md:table-cell">{c.connection_id ? (number ? `${number.name}${number.display_phone_number ? ` · ${number.display_phone_number}` : ""}` : "…") : t("list.noNumber")}</TD>
                <TD className="text-right tabular-nums">{format.number(enrolled)}</TD>
                <TD className="text-right tabular-nums">{format.number((counts.active ?? 0) + (counts.sending ?? 0))}</TD>
                <TD className="hidden text-muted-foreground lg:table-cell">{t("list.stepCount", { count: c.steps.length, version: c.current_version })}</TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
      <LoadMore hasMore={Boolean(list.hasNextPage)} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
    </>
  );
}

/** The cadences by status, with their number and their enrollments; admins create new ones. */
export function CadenceList() {
  const { t } = useTranslation("cadences");
  const isAdmin = useIsAdmin();
  const [params, setParams] = useSearchParams();
  const wanted = params.get("status") ?? "all";
  const status: Tab = (TABS as readonly string[]).includes(wanted) ? (wanted as Tab) : "all";
  return (
    <div className="p-4 md:p-6">
      <PageHeader
        title={t("title")}
        description={t("list.description")}
        actions={
          isAdmin ? (
            <Button asChild>
              <Link to="new">
                <Plus aria-hidden="true" />
                {t("list.new")}
              </Link>
            </Button>
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
            {tab === status ? <CadenceTable status={tab as CadenceStatus | "all"} /> : null}
          </TabsContent>
        ))}
      </Tabs>
    </div>
  );
}
