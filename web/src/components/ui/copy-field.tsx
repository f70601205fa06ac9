import { Check, Copy } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "./button";
import { Input } from "./input";

/** A read-only value (a secret, a link) with a button that copies it; the field selects itself on focus. */
export function CopyField({ value, label, id }: { value: string; label: string; id?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = React.useState(false);
  const generated = React.useId();
  const inputId = id ?? generated;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      toast.success(t("copied"));
      setTimeout(() => setCopied(false), 2000);
    } catch {
      document.getElementById(inputId)?.focus();
      toast.error(t("error.generic"));
    }
  };
  return (
    <div className="flex min-w-0 gap-2">
      <Input id={inputId} readOnly value={value} aria-label={label} className="min-w-0 font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
      <Button type="button" variant="outline" onClick={() => void copy()}>
        {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
        <span className="sr-only sm:not-sr-only">{copied ? t("copied") : t("copy")}</span>
        <span className="sr-only">: {label}</span>
      </Button>
    </div>
  );
}
