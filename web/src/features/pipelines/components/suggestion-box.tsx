import { Check, Sparkles, X } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { useFormat } from "@/lib/i18n/format";
import type { SuggestionView } from "../lib/suggestion";

/** The AI's suggestion on a card: the stage it proposes with its confidence and the customer's words it quotes,
 * to accept or reject. */
export function SuggestionBox({
  view,
  title,
  busy,
  onAccept,
  onReject,
}: {
  view: SuggestionView;
  title: string;
  busy: boolean;
  onAccept: () => void;
  onReject: () => void;
}) {
  const { t } = useTranslation("pipelines");
  const format = useFormat();
  const { suggestion } = view;
  return (
    <section aria-label={t("suggestion.label", { title, stage: view.stageName, percent: view.percent })} className="mt-2 grid gap-1.5 rounded-md border border-violet-200 bg-violet-50 p-2 text-xs text-violet-950" data-suggestion={suggestion.id}>
      <h3 className="flex items-start gap-1 font-medium">
        <Sparkles className="mt-px size-3.5 shrink-0" aria-hidden="true" />
        <span className="[overflow-wrap:anywhere]">{t("suggestion.heading", { stage: view.stageName, percent: view.percent })}</span>
      </h3>
      <blockquote className="border-l-2 border-violet-300 pl-2 italic [overflow-wrap:anywhere]">
        <span className="sr-only">{t("suggestion.quote")} </span>“{suggestion.evidence}”
      </blockquote>
      {suggestion.agreed_time ? <p>{t("suggestion.agreedTime", { time: format.dateTime(suggestion.agreed_time, { dateStyle: "medium", timeStyle: "short" }) })}</p> : null}
      {view.meeting && !suggestion.agreed_time ? <p>{t("suggestion.askTime")}</p> : null}
      <div className="flex flex-wrap gap-2">
        <Button size="sm" className="h-7 px-2" disabled={busy} onClick={onAccept}>
          <Check aria-hidden="true" />
          {t("suggestion.accept")}
        </Button>
        <Button size="sm" variant="outline" className="h-7 bg-background px-2" disabled={busy} onClick={onReject}>
          <X aria-hidden="true" />
          {t("suggestion.reject")}
        </Button>
      </div>
    </section>
  );
}

/** Rejecting a suggestion: why, if the user wants to say (kept with it). */
export function RejectSuggestionDialog({
  title,
  stageName,
  pending,
  onCancel,
  onSubmit,
}: {
  title: string;
  stageName: string;
  pending: boolean;
  onCancel: () => void;
  onSubmit: (reason: string | undefined) => void;
}) {
  const { t } = useTranslation("pipelines");
  const [reason, setReason] = useState("");
  return (
    <Dialog open onOpenChange={(open) => !open && onCancel()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t("suggestion.rejectTitle", { title })}</DialogTitle>
          <DialogDescription>{t("suggestion.rejectDescription", { stage: stageName })}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit(reason.trim() || undefined);
          }}
        >
          <Field label={t("suggestion.reason")}>
            <Textarea value={reason} rows={3} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onCancel}>
              {t("common:cancel")}
            </Button>
            <Button type="submit" disabled={pending}>
              {t("suggestion.reject")}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
