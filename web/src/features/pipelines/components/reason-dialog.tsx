import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";

/** Why a lead is won or lost: asked before it closes (a move into a won or lost stage, or "close"). */
export function ReasonDialog({
  outcome,
  title,
  pending,
  error,
  onCancel,
  onSubmit,
}: {
  outcome: "won" | "lost";
  title: string;
  pending: boolean;
  error?: string;
  onCancel: () => void;
  onSubmit: (reason: string) => void;
}) {
  const { t } = useTranslation("pipelines");
  const [reason, setReason] = useState("");
  return (
    <Dialog open onOpenChange={(open) => !open && onCancel()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t(`close.${outcome}Title`, { title })}</DialogTitle>
          <DialogDescription>{t("close.description")}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) onSubmit(reason.trim());
          }}
        >
          <Field label={t("close.reason")} error={error}>
            <Textarea value={reason} rows={3} required maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onCancel}>
              {t("common:cancel")}
            </Button>
            <Button type="submit" variant={outcome === "lost" ? "destructive" : "default"} disabled={!reason.trim() || pending}>
              {t(`close.${outcome}`)}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
