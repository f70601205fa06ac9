import { useTranslation } from "react-i18next";
import { Badge } from "@/components/ui/badge";
import { useFormat } from "@/lib/i18n/format";
import type { Endpoint } from "../api/webhooks";

export type EndpointState = "enabled" | "failing" | "disabled";

export function endpointState(e: Pick<Endpoint, "enabled" | "failing_since">): EndpointState {
  if (!e.enabled) return "disabled";
  return e.failing_since ? "failing" : "enabled";
}

/** Enabled, failing since when, or disabled and why. */
export function EndpointStatus({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useTranslation("webhooks");
  const fmt = useFormat();
  const state = endpointState(endpoint);
  return (
    <div className="grid gap-0.5">
      <Badge variant={state === "enabled" ? "success" : state === "failing" ? "warning" : "secondary"} className="w-fit">
        {t(`state.${state}`)}
      </Badge>
      {state === "failing" ? <span className="text-xs text-muted-foreground">{t("state.failingSince", { when: fmt.relative(endpoint.failing_since) })}</span> : null}
      {state === "disabled" && endpoint.disabled_reason ? <span className="text-xs text-muted-foreground">{endpoint.disabled_reason}</span> : null}
    </div>
  );
}
