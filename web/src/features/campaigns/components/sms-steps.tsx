/** The wizard's steps on an SMS connection: the message is a local text template, counted in SMS segments. */
import { FileText } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { SmsSegments } from "@/features/sms";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { cn } from "@/lib/utils";
import { useLocalTemplate, useLocalTemplates, type LocalTemplate } from "../api/campaigns";
import type { StepProps } from "./wizard-steps";

/** The chosen local template's text as it is sent (variables filled per contact), with its segments and cost. */
export function SmsMessagePreview({ template, connectionId }: { template: LocalTemplate; connectionId: string }) {
  const { t } = useTranslation("campaigns");
  return (
    <figure aria-label={t("sms.preview")} className="grid gap-2 rounded-md border bg-muted/40 p-3">
      <figcaption className="text-xs font-medium text-muted-foreground">{t("sms.preview")}</figcaption>
      <p className="whitespace-pre-wrap break-words rounded-lg bg-background p-2 text-sm shadow-sm">{template.body}</p>
      <SmsSegments text={template.body} connectionId={connectionId} />
      {template.variables.length ? <p className="text-xs text-muted-foreground">{t("sms.variablesHint")}</p> : null}
    </figure>
  );
}

// 2. The message of an SMS campaign

export function LocalTemplateStep({ form, set, errors }: StepProps) {
  const { t } = useTranslation("campaigns");
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const templates = useLocalTemplates(q);
  const chosen = useLocalTemplate(form.localTemplateId || null).data;
  const found = templates.data?.items ?? [];
  const shown = chosen && !found.some((tpl) => tpl.id === chosen.id) ? [chosen, ...found] : found;
  return (
    <div className="grid gap-4 md:grid-cols-[1fr_20rem]">
      <fieldset className="grid content-start gap-2">
        <legend className="pb-2 text-sm font-medium">{t("sms.template")}</legend>
        <p className="text-xs text-muted-foreground">{t("sms.templateHint")}</p>
        {search || templates.data?.next_cursor ? (
          <Input type="search" aria-label={t("sms.searchTemplates")} placeholder={t("sms.searchTemplates")} value={search} onChange={(e) => setSearch(e.target.value)} />
        ) : null}
        {templates.isPending ? (
          <SkeletonRows rows={3} />
        ) : templates.isError ? (
          <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />
        ) : !shown.length && q ? (
          <p className="text-sm text-muted-foreground">{t("wizard.noTemplateMatch")}</p>
        ) : !shown.length ? (
          <EmptyState
            icon={FileText}
            title={t("sms.noTemplates")}
            action={
              <Button asChild size="sm" variant="outline">
                <Link to="/templates/local">{t("wizard.toTemplates")}</Link>
              </Button>
            }
          />
        ) : (
          shown.map((tpl) => (
            <label
              key={tpl.id}
              className={cn(
                "flex cursor-pointer items-start gap-3 rounded-md border p-3 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring",
                form.localTemplateId === tpl.id && "border-primary bg-accent/40",
              )}
            >
              <input type="radio" className="mt-1 accent-[var(--color-primary)]" name="local-template" value={tpl.id} checked={form.localTemplateId === tpl.id} onChange={() => set({ localTemplateId: tpl.id, templateId: "", parameters: {}, defaults: {} })} />
              <span className="grid min-w-0 flex-1 gap-1">
                <span className="font-medium">{tpl.name}</span>
                <span className="line-clamp-2 break-words text-xs text-muted-foreground">{tpl.body}</span>
              </span>
            </label>
          ))
        )}
        {errors.local_template_id ?? errors.whatsapp_template_id ? (
          <p role="alert" className="text-xs text-destructive">
            {errors.local_template_id ?? errors.whatsapp_template_id}
          </p>
        ) : null}
      </fieldset>
      {chosen ? <SmsMessagePreview template={chosen} connectionId={form.connectionId} /> : null}
    </div>
  );
}
