import { AlertDialog } from "radix-ui";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { buttonVariants } from "./button";
import { cn } from "@/lib/utils";

interface ConfirmProps {
  title: string;
  description: string;
  /** The label of the confirming button, e.g. "Delete". */
  action: string;
  destructive?: boolean;
  onConfirm: () => void;
  children: React.ReactElement;
}

/** Ask before a destructive action: the trigger opens an alert dialog; Cancel has the focus. */
export function Confirm({ title, description, action, destructive = true, onConfirm, children }: ConfirmProps) {
  const { t } = useTranslation();
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger asChild>{children}</AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-50 bg-black/40" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 grid w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border bg-background p-5 shadow-lg">
          <AlertDialog.Title className="text-lg font-semibold">{title}</AlertDialog.Title>
          <AlertDialog.Description className="text-sm text-muted-foreground">{description}</AlertDialog.Description>
          <div className="flex justify-end gap-2">
            <AlertDialog.Cancel className={buttonVariants({ variant: "outline" })}>{t("cancel")}</AlertDialog.Cancel>
            <AlertDialog.Action className={cn(buttonVariants({ variant: destructive ? "destructive" : "default" }))} onClick={onConfirm}>
              {action}
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
