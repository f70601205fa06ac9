/** Automation rules: the list in run order, one rule, its run log (followed live), and the changes (create, save,
 * enable, disable, reorder, delete). */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import { useRealtimeEvent, useTopic } from "@/lib/realtime/hooks";
import { frameRule, RUN_EVENTS } from "../lib/runs";

export type Rule = Schema<"AutomationRead">;
export type RuleCreate = Schema<"AutomationCreate">;
export type RuleUpdate = Schema<"AutomationUpdate">;
export type Run = Schema<"RunRead">;

export const ruleKeys = {
  all: ["automations"] as const,
  list: ["automations", "list"] as const,
  one: (id: string) => ["automations", "one", id] as const,
  runs: (id: string) => ["automations", "runs", id] as const,
};

const path = (id: string) => ({ params: { path: { automation_id: id } } });

export const rulesQuery = queryOptions({ queryKey: ruleKeys.list, queryFn: () => unwrap(api.GET("/v1/automations")) });

export function useRules() {
  return useQuery(rulesQuery);
}

export function useRule(id: string) {
  return useQuery({ queryKey: ruleKeys.one(id), queryFn: () => unwrap(api.GET("/v1/automations/{automation_id}", path(id))) });
}

/** A rule saved: the cache holds it, the list reads again. */
function useRuleMutation<V>(fn: (vars: V) => Promise<Rule>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (rule) => {
      client.setQueryData(ruleKeys.one(rule.id), rule);
      client.setQueryData<Rule[]>(ruleKeys.list, (rules) => rules?.map((r) => (r.id === rule.id ? rule : r)));
      void client.invalidateQueries({ queryKey: ruleKeys.list });
    },
  });
}

export function useCreateRule() {
  return useRuleMutation((body: RuleCreate) => unwrap(api.POST("/v1/automations", { body })));
}

export function useUpdateRule() {
  return useRuleMutation(({ id, body }: { id: string; body: RuleUpdate }) => unwrap(api.PATCH("/v1/automations/{automation_id}", { ...path(id), body })));
}

export function useSetEnabled() {
  return useRuleMutation(({ id, enabled }: { id: string; enabled: boolean }) =>
    enabled ? unwrap(api.POST("/v1/automations/{automation_id}/enable", path(id))) : unwrap(api.POST("/v1/automations/{automation_id}/disable", path(id))),
  );
}

export function useDeleteRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/automations/{automation_id}", path(id))),
    onSuccess: (_, id) => {
      client.setQueryData<Rule[]>(ruleKeys.list, (rules) => rules?.filter((r) => r.id !== id));
      client.removeQueries({ queryKey: ruleKeys.one(id) });
      void client.invalidateQueries({ queryKey: ruleKeys.list });
    },
  });
}

/** Every rule's id in the new order; shown at once, put back when the API refuses (another admin's change). */
export function useReorder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[]) => unwrap(api.PUT("/v1/automations/order", { body: { ids } })),
    onMutate: async (ids) => {
      await client.cancelQueries({ queryKey: ruleKeys.list });
      const before = client.getQueryData<Rule[]>(ruleKeys.list);
      if (before) {
        const byId = new Map(before.map((r) => [r.id, r]));
        client.setQueryData<Rule[]>(
          ruleKeys.list,
          ids.flatMap((id, position) => {
            const rule = byId.get(id);
            return rule ? [{ ...rule, position }] : [];
          }),
        );
      }
      return { before };
    },
    onError: (_error, _ids, context) => {
      if (context?.before) client.setQueryData(ruleKeys.list, context.before);
      void client.invalidateQueries({ queryKey: ruleKeys.list });
    },
    onSuccess: (rules) => {
      client.setQueryData(ruleKeys.list, rules);
      for (const rule of rules) client.setQueryData(ruleKeys.one(rule.id), rule);
    },
  });
}

/** The rule's run log, newest first. */
export function useRuns(id: string) {
  return useCursorList(ruleKeys.runs(id), (cursor) => unwrap(api.GET("/v1/automations/{automation_id}/runs", { params: { path: { automation_id: id }, query: { cursor, limit: 20 } } })));
}

/** Follow a rule while its page is open: each `automation.ran` reads the run log again (a short pause gathers a
 * burst into one read). */
export function useLiveRuns(id: string) {
  const client = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useTopic(`automation:${id}`);
  useRealtimeEvent([...RUN_EVENTS], (frame) => {
    if (frameRule(frame) !== id) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void client.invalidateQueries({ queryKey: ruleKeys.runs(id) }), 250);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
}
