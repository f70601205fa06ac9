import { Check, Copy } from "lucide-react";
import { useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/field";

/** A read-only value with a copy button (webhook URL, verify token); selects the text if the clipboard is refused. */
export function CopyField({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const { t } = useTranslation("connections");
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      toast.success(t("copied", { what: label }));
      setTimeout(() => setCopied(false), 2000);
    } catch {
      input.current?.select();
      toast.info(t("copyManually"));
    }
  }

  return (
    <div className="grid min-w-0 gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <div className="flex min-w-0 gap-2">
        <Input ref={input} id={id} readOnly value={value} className={secret ? "font-mono" : "font-mono text-xs"} onFocus={(e) => e.currentTarget.select()} />
        <Button variant="outline" size="icon" onClick={() => void copy()} aria-label={t("copy", { what: label })}>
          {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
        </Button>
      </div>
    </div>
  );
}
