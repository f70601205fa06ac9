import { KeyRound } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { CopyField } from "@/components/ui/copy-field";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";

/** The signing secret, shown this once (at creation or rotation): the API never shows it again. */
export function SecretDialog({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  const { t } = useTranslation("webhooks");
  return (
    <Dialog open={secret !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent onInteractOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle className="flex items-center gap-2">
            <KeyRound className="size-5" aria-hidden="true" />
            {t("secret.title")}
          </DialogTitle>
          <DialogDescription>{t("secret.description")}</DialogDescription>
        </DialogHeader>
        <p role="alert" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          {t("secret.once")}
        </p>
        {secret ? <CopyField value={secret} label={t("secret.label")} /> : null}
        <DialogFooter>
          <Button onClick={onClose}>{t("secret.done")}</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
