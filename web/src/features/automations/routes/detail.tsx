import { ArrowLeft, Trash2 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState, PageHeader } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useDeleteRule, useLiveRuns, useRule, useSetEnabled, type Rule } from "../api/automations";
import { RuleEditor } from "../components/editor";
import { RunLog } from "../components/run-log";

const TABS = ["rule", "runs"] as const;
type Tab = (typeof TABS)[number];

function Actions({ rule }: { rule: Rule }) {
  const { t } = useTranslation("automations");
  const navigate = useNavigate();
  const setEnabled = useSetEnabled();
  const remove = useDeleteRule();
  return (
    <>
      <label className="flex items-center gap-2 text-sm">
        <Switch
          checked={rule.enabled}
          disabled={setEnabled.isPending}
          onCheckedChange={(enabled) =>
            setEnabled.mutate({ id: rule.id, enabled }, { onSuccess: () => toast.success(t(enabled ? "list.enabledDone" : "list.disabledDone", { name: rule.name })), onError: (e) => toast.error(e.message) })
          }
        />
        {t("detail.enabled")}
      </label>
      <Confirm
        title={t("list.deleteTitle", { name: rule.name })}
        description={t("list.deleteDescription")}
        action={t("list.delete")}
        onConfirm={() =>
          remove.mutate(rule.id, {
            onSuccess: () => {
              toast.success(t("list.deleted", { name: rule.name }));
              navigate("/automations", { replace: true });
            },
            onError: (e) => toast.error(e.message),
          })
        }
      >
        <Button variant="ghost" disabled={remove.isPending}>
          <Trash2 aria-hidden="true" />
          {t("list.delete")}
        </Button>
      </Confirm>
    </>
  );
}

/** A rule's page: its editor and its run log (followed live). */
export function RulePage({ id }: { id: string }) {
  const { t } = useTranslation("automations");
  const rule = useRule(id);
  const [params, setParams] = useSearchParams();
  const wanted = params.get("tab") ?? "rule";
  const tab: Tab = (TABS as readonly string[]).includes(wanted) ? (wanted as Tab) : "rule";
  useLiveRuns(id);
  if (rule.isPending) return <SkeletonRows className="p-6" />;
  if (rule.isError)
    return (
      <div className="p-4 md:p-6">
        <ErrorState error={rule.error} onRetry={() => void rule.refetch()} />
      </div>
    );
  const r = rule.data;
  return (
    <div className="grid gap-2 p-4 md:p-6">
      <div>
        <Button asChild variant="ghost" size="sm" className="-ml-2">
          <Link to="/automations">
            <ArrowLeft aria-hidden="true" />
            {t("title")}
          </Link>
        </Button>
      </div>
      <PageHeader title={r.name} description={r.description ?? undefined} actions={<Actions rule={r} />} />
      <div className="-mt-2 flex flex-wrap items-center gap-2 pb-2 text-sm text-muted-foreground">
        <span>{t("detail.position", { n: r.position + 1 })}</span>
      </div>
      <Tabs value={tab} onValueChange={(value) => setParams(value === "rule" ? {} : { tab: value }, { replace: true })}>
        <TabsList aria-label={t("detail.sections")}>
          {TABS.map((name) => (
            <TabsTrigger key={name} value={name}>
              {t(`detail.tabs.${name}`)}
            </TabsTrigger>
          ))}
        </TabsList>
        {/* the editor stays mounted: a change not yet saved survives a look at the run log */}
        <TabsContent value="rule" forceMount className="data-[state=inactive]:hidden">
          <RuleEditor rule={r} />
        </TabsContent>
        <TabsContent value="runs">{tab === "runs" ? <RunLog ruleId={r.id} /> : null}</TabsContent>
      </Tabs>
    </div>
  );
}
