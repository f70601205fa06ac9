import { Archive, ArrowLeft, Pause, Play, Trash2 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState, PageHeader } from "@/components/ui/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useCadence, useCadenceAction, useDeleteCadence, type Cadence, type CadenceAction } from "../api/cadences";
import { useLiveCadence } from "../api/insights";
import { CadenceStatusBadge } from "../components/badges";
import { Builder } from "../components/builder";
import { Enrollments } from "../components/enrollments";
import { Preview } from "../components/preview";
import { Stats } from "../components/stats";
import { Versions } from "../components/versions";

const TABS = ["steps", "enrollments", "stats", "preview", "versions"] as const;
type Tab = (typeof TABS)[number];

function Actions({ cadence }: { cadence: Cadence }) {
  const { t } = useTranslation("cadences");
  const navigate = useNavigate();
  const action = useCadenceAction();
  const remove = useDeleteCadence();
  const run = (what: CadenceAction) =>
    action.mutate(
      { id: cadence.id, action: what },
      {
        onSuccess: () => toast.success(t(`actions.done.${what}`)),
        onError: (e) => toast.error(e.message),
      },
    );
  const total = Object.values(cadence.enrollments).reduce((a, b) => a + (b ?? 0), 0);
  return (
    <>
      {cadence.status === "draft" || cadence.status === "paused" ? (
        <Button onClick={() => run("activate")} disabled={action.isPending}>
          <Play aria-hidden="true" />
          {t(cadence.status === "draft" ? "actions.activate" : "actions.resume")}
        </Button>
      ) : null}
      {cadence.status === "active" ? (
        <Button variant="outline" onClick={() => run("pause")} disabled={action.isPending}>
          <Pause aria-hidden="true" />
          {t("actions.pause")}
        </Button>
      ) : null}
      {cadence.status !== "archived" && cadence.status !== "draft" ? (
        <Confirm title={t("actions.archiveTitle")} description={t("actions.archiveDescription", { count: (cadence.enrollments.active ?? 0) + (cadence.enrollments.sending ?? 0) })} action={t("actions.archive")} onConfirm={() => run("archive")}>
          <Button variant="outline" disabled={action.isPending}>
            <Archive aria-hidden="true" />
            {t("actions.archive")}
          </Button>
        </Confirm>
      ) : null}
      {cadence.status === "draft" && total === 0 ? (
        <Confirm
          title={t("actions.deleteTitle")}
          description={t("actions.deleteDescription", { name: cadence.name })}
          action={t("actions.delete")}
          onConfirm={() =>
            remove.mutate(cadence.id, {
              onSuccess: () => {
                toast.success(t("actions.deleted"));
                navigate("/cadences", { replace: true });
              },
              onError: (e) => toast.error(e.message),
            })
          }
        >
          <Button variant="ghost" disabled={remove.isPending}>
            <Trash2 aria-hidden="true" />
            {t("actions.delete")}
          </Button>
        </Confirm>
      ) : null}
    </>
  );
}

/** A cadence's page: its builder, enrollments, statistics, preview and versions, followed live. */
export function CadencePage({ id }: { id: string }) {
  const { t } = useTranslation("cadences");
  const isAdmin = useIsAdmin();
  const cadence = useCadence(id);
  const [params, setParams] = useSearchParams();
  const wanted = params.get("tab") ?? "steps";
  const tab: Tab = (TABS as readonly string[]).includes(wanted) ? (wanted as Tab) : "steps";
  useLiveCadence(id);
  if (cadence.isPending) return <SkeletonRows className="p-6" />;
  if (cadence.isError) return <div className="p-4 md:p-6"><ErrorState error={cadence.error} onRetry={() => void cadence.refetch()} /></div>;
  const c = cadence.data;
  const readOnly = !isAdmin || c.status === "archived";
  return (
    <div className="grid grid-cols-1 gap-2 p-4 md:p-6">
      <div>
        <Button asChild variant="ghost" size="sm" className="-ml-2">
          <Link to="/cadences">
            <ArrowLeft aria-hidden="true" />
            {t("title")}
          </Link>
        </Button>
      </div>
      <PageHeader title={c.name} description={c.description ?? undefined} actions={isAdmin ? <Actions cadence={c} /> : undefined} />
      <div className="-mt-2 flex flex-wrap items-center gap-2 pb-2 text-sm text-muted-foreground">
        <span role="status" aria-label={t("detail.statusLabel")}>
          <CadenceStatusBadge status={c.status} />
        </span>
        <span>{t("detail.version", { n: c.current_version })}</span>
      </div>
      <Tabs value={tab} onValueChange={(value) => setParams(value === "steps" ? {} : { tab: value }, { replace: true })}>
        <TabsList aria-label={t("detail.sections")} className="flex h-auto w-full justify-start overflow-x-auto sm:w-auto">
          {TABS.map((name) => (
            <TabsTrigger key={name} value={name}>
              {t(`detail.tabs.${name}`)}
            </TabsTrigger>
          ))}
        </TabsList>
        {/* the builder stays mounted: a change not yet saved survives a look at another tab */}
        <TabsContent value="steps" forceMount className="data-[state=inactive]:hidden">
          <Builder cadence={c} readOnly={readOnly} />
        </TabsContent>
        <TabsContent value="enrollments">{tab === "enrollments" ? <Enrollments cadence={c} /> : null}</TabsContent>
        <TabsContent value="stats">{tab === "stats" ? <Stats cadence={c} /> : null}</TabsContent>
        <TabsContent value="preview">{tab === "preview" ? <Preview cadence={c} /> : null}</TabsContent>
        <TabsContent value="versions">{tab === "versions" ? <Versions cadence={c} canEdit={isAdmin && c.status !== "archived"} /> : null}</TabsContent>
      </Tabs>
    </div>
  );
}
