import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/api/problem";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { inboxKeys, previewTemplate, useTemplates } from "../api/inbox";

/** Pick one of the number's approved WhatsApp templates (searched on the server), see it filled in for the contact, then send it. */
export function TemplatePicker({
  connectionId,
  contactId,
  sending,
  error,
  onSend,
}: {
  connectionId: string;
  contactId: string;
  sending: boolean;
  error: string | undefined;
  onSend: (templateId: string) => void;
}) {
  const { t } = useTranslation("inbox");
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const templates = useTemplates(connectionId, q, true);
  const approved = templates.data?.items ?? [];
  const [chosen, setChosen] = useState("");
  // the chosen one stays offered while another search is shown
  const [chosenTemplate, setChosenTemplate] = useState<(typeof approved)[number] | null>(null);
  const options = chosenTemplate && !approved.some((tpl) => tpl.id === chosenTemplate.id) ? [chosenTemplate, ...approved] : approved;
  const preview = useQuery({
    queryKey: [...inboxKeys.templates(connectionId), "preview", chosen, contactId],
    queryFn: () => previewTemplate(chosen, contactId),
    enabled: !!chosen,
    retry: false,
  });
  if (templates.isPending) return <Skeleton className="h-9 w-full" />;
  if (!approved.length && !q) return <p className="text-sm text-muted-foreground">{t("composer.noTemplates")}</p>;
  const problem = preview.error instanceof ApiError ? preview.error : null;
  return (
    <div className="grid gap-2">
      <Input type="search" aria-label={t("composer.searchTemplates")} placeholder={t("composer.searchTemplates")} value={search} onChange={(e) => setSearch(e.target.value)} />
      <Field label={t("composer.template")} error={error} hint={q && !approved.length ? t("composer.noTemplateMatch") : undefined}>
        <NativeSelect
          value={chosen}
          onChange={(e) => {
            setChosen(e.target.value);
            setChosenTemplate(options.find((tpl) => tpl.id === e.target.value) ?? null);
          }}
        >
          <option value="">{t("composer.chooseTemplate")}</option>
          {options.map((tpl) => (
            <option key={tpl.id} value={tpl.id}>
              {tpl.name} ({tpl.language})
            </option>
          ))}
        </NativeSelect>
      </Field>
      {chosen ? (
        <section aria-label={t("composer.preview")} className="rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm">
          {preview.isPending ? <Skeleton className="h-12 w-full" /> : null}
          {problem ? (
            <p role="alert" className="text-destructive">
              {problem.message}
              {problem.problem.errors?.length ? `: ${problem.problem.errors.map((e) => e.field).join(", ")}` : null}
            </p>
          ) : null}
          {preview.data ? (
            <div className="grid gap-1">
              {preview.data.header ? <p className="font-semibold">{preview.data.header}</p> : null}
              {preview.data.header_media ? <p className="text-xs text-muted-foreground">{t("composer.headerMedia")}</p> : null}
              <p className="whitespace-pre-wrap">{preview.data.body}</p>
              {preview.data.footer ? <p className="text-xs text-muted-foreground">{preview.data.footer}</p> : null}
              {preview.data.buttons?.length ? (
                <ul className="mt-1 flex flex-wrap gap-1">
                  {preview.data.buttons.map((button, i) => (
                    <li key={i} className="rounded border bg-background px-2 py-0.5 text-xs text-sky-700">
                      {button.text ?? Object.values(button)[0]}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
        </section>
      ) : null}
      <div className="flex justify-end">
        <Button disabled={!chosen || !preview.data || sending} onClick={() => onSend(chosen)}>
          {sending ? t("composer.sending") : t("composer.sendTemplate")}
        </Button>
      </div>
    </div>
  );
}
