import { ArrowDown, ArrowUp, Plus, Trash2, Workflow } from "lucide-react";
import { useEffect, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useDeleteRule, useReorder, useRules, useSetEnabled, type Rule } from "../api/automations";
import { moved } from "../lib/order";
import { triggerSummary } from "../lib/summary";

type Move = { id: string; dir: "up" | "down" };

function RuleRow({ rule, index, count, onMove }: { rule: Rule; index: number; count: number; onMove: (index: number, delta: -1 | 1) => void }) {
  const { t } = useTranslation("automations");
  const setEnabled = useSetEnabled();
  const remove = useDeleteRule();
  const summary = triggerSummary(rule.trigger);
  const go = (delta: -1 | 1) => onMove(index, delta);
  return (
    <TR>
      <TD className="w-0 tabular-nums text-muted-foreground">{index + 1}</TD>
      <TD className="max-w-0 sm:max-w-none">
        <Link className="font-medium text-primary underline-offset-4 hover:underline" to={rule.id}>
          {rule.name}
        </Link>
        {rule.description ? <div className="line-clamp-1 text-xs text-muted-foreground">{rule.description}</div> : null}
        <div className="text-xs text-muted-foreground md:hidden">{t(summary.key, summary.values)}</div>
      </TD>
      <TD className="hidden text-muted-foreground md:table-cell">{t(summary.key, summary.values)}</TD>
      <TD className="hidden text-muted-foreground lg:table-cell">{t("list.actionCount", { count: rule.actions.length })}</TD>
      <TD>
        <div className="flex items-center gap-2">
          <Switch
            checked={rule.enabled}
            disabled={setEnabled.isPending}
            aria-label={t("list.enabledLabel", { name: rule.name })}
            onCheckedChange={(enabled) =>
              setEnabled.mutate(
                { id: rule.id, enabled },
                { onSuccess: () => toast.success(t(enabled ? "list.enabledDone" : "list.disabledDone", { name: rule.name })), onError: (e) => toast.error(e.message) },
              )
            }
          />
          <span className="hidden text-sm sm:inline">{rule.enabled ? t("list.on") : t("list.off")}</span>
        </div>
      </TD>
      <TD className="whitespace-nowrap text-right">
        <Button variant="ghost" size="icon" data-move={`${rule.id}:up`} aria-label={t("list.moveUp", { name: rule.name })} disabled={index === 0} onClick={() => go(-1)}>
          <ArrowUp aria-hidden="true" />
        </Button>
        <Button variant="ghost" size="icon" data-move={`${rule.id}:down`} aria-label={t("list.moveDown", { name: rule.name })} disabled={index === count - 1} onClick={() => go(1)}>
          <ArrowDown aria-hidden="true" />
        </Button>
        <Confirm
          title={t("list.deleteTitle", { name: rule.name })}
          description={t("list.deleteDescription")}
          action={t("list.delete")}
          onConfirm={() => remove.mutate(rule.id, { onSuccess: () => toast.success(t("list.deleted", { name: rule.name })), onError: (e) => toast.error(e.message) })}
        >
          <Button variant="ghost" size="icon" aria-label={t("list.deleteLabel", { name: rule.name })}>
            <Trash2 aria-hidden="true" />
          </Button>
        </Confirm>
      </TD>
    </TR>
  );
}

/** The rules in the order they run for one event: on or off, moved up or down, deleted after a confirmation. */
export function RuleList() {
  const { t } = useTranslation("automations");
  const rules = useRules();
  const reorder = useReorder();
  const items = useMemo(() => rules.data ?? [], [rules.data]);
  const focus = useRef<Move | null>(null);
  // a row moved: its button keeps the focus (the other one at an end, where this one turns off)
  useEffect(() => {
    const wanted = focus.current;
    if (!wanted) return;
    const button = (dir: string) => document.querySelector<HTMLButtonElement>(`[data-move="${wanted.id}:${dir}"]`);
    const found = button(wanted.dir);
    const target = found && !found.disabled ? found : button(wanted.dir === "up" ? "down" : "up");
    if (target && document.activeElement !== target) target.focus();
  }, [items]);
  const move = (index: number, delta: -1 | 1) => {
    const rule = items[index];
    const ids = moved(
      items.map((r) => r.id),
      index,
      delta,
    );
    if (!rule || !ids || reorder.isPending) return;
    focus.current = { id: rule.id, dir: delta < 0 ? "up" : "down" };
    reorder.mutate(ids, {
      onSuccess: () => toast.success(t("list.moved", { name: rule.name, position: index + delta + 1 })),
      onError: (e) => toast.error(e.message),
      onSettled: () => {
        focus.current = null;
      },
    });
  };
  return (
    <div className="p-4 md:p-6">
      <PageHeader
        title={t("title")}
        description={t("list.description")}
        actions={
          <Button asChild>
            <Link to="new">
              <Plus aria-hidden="true" />
              {t("list.new")}
            </Link>
          </Button>
        }
      />
      {rules.isPending ? (
        <SkeletonRows />
      ) : rules.isError ? (
        <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
      ) : !items.length ? (
        <EmptyState
          icon={Workflow}
          title={t("list.empty")}
          description={t("list.emptyHint")}
          action={
            <Button asChild size="sm">
              <Link to="new">{t("list.new")}</Link>
            </Button>
          }
        />
      ) : (
        <div className="grid gap-2">
          <p className="text-sm text-muted-foreground">{t("list.orderHint")}</p>
          <Table aria-label={t("list.tableLabel")}>
            <THead>
              <TR>
                <TH className="w-0">
                  <span aria-hidden="true">#</span>
                  <span className="sr-only">{t("list.position")}</span>
                </TH>
                <TH>{t("list.name")}</TH>
                <TH className="hidden md:table-cell">{t("list.trigger")}</TH>
                <TH className="hidden lg:table-cell">{t("list.actions")}</TH>
                <TH>{t("list.enabled")}</TH>
                <TH className="w-0 text-right">
                  <span className="sr-only">{t("list.rowActions")}</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {items.map((rule, index) => (
                <RuleRow key={rule.id} rule={rule} index={index} count={items.length} onMove={move} />
              ))}
            </TBody>
          </Table>
        </div>
      )}
    </div>
  );
}
