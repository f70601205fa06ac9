import { X } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Label } from "@/components/ui/field";
import { cn } from "@/lib/utils";
import { addKeywords } from "../lib/keywords";

interface Props {
  label: string;
  hint: string;
  value: string[];
  onChange?: (value: string[]) => void;
  error?: string;
  /** Read-only: the words without the input or the remove buttons. */
  readOnly?: boolean;
}

/** Keywords as removable chips and an input: Enter, a comma or leaving the field adds what was typed. */
export function KeywordInput({ label, hint, value, onChange, error, readOnly = false }: Props) {
  const { t } = useTranslation("settings");
  const id = useId();
  const [draft, setDraft] = useState("");
  const commit = () => {
    if (!draft.trim()) return;
    onChange?.(addKeywords(value, draft));
    setDraft("");
  };
  const described = `${id}-${error ? "error" : "hint"}`;
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={readOnly ? undefined : id} id={`${id}-label`}>
        {label}
      </Label>
      <div
        className={cn(
          "flex min-h-9 flex-wrap items-center gap-1.5 rounded-md border border-input bg-background p-1.5 shadow-sm focus-within:ring-2 focus-within:ring-ring",
          error && "border-destructive",
          readOnly && "bg-muted/40",
        )}
      >
        <ul className="contents" aria-labelledby={`${id}-label`}>
          {value.map((word) => (
            <li key={word} className="flex items-center gap-1 rounded-full bg-secondary py-0.5 pl-2.5 pr-1 text-xs font-medium text-secondary-foreground">
              {word}
              {readOnly ? (
                <span className="w-1" />
              ) : (
                <button
                  type="button"
                  className="rounded-full p-0.5 hover:bg-background focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                  aria-label={t("keywords.remove", { word })}
                  onClick={() => onChange?.(value.filter((w) => w !== word))}
                >
                  <X className="size-3" aria-hidden="true" />
                </button>
              )}
            </li>
          ))}
        </ul>
        {readOnly ? null : (
          <input
            id={id}
            className="min-w-24 flex-1 bg-transparent px-1 text-sm outline-none placeholder:text-muted-foreground"
            value={draft}
            placeholder={t("keywords.placeholder")}
            aria-invalid={error ? true : undefined}
            aria-describedby={described}
            maxLength={400}
            onChange={(e) => {
              const next = e.target.value;
              if (/[,;\n]/.test(next)) {
                onChange?.(addKeywords(value, next));
                setDraft("");
              } else setDraft(next);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                commit();
              } else if (e.key === "Backspace" && !draft && value.length) {
                onChange?.(value.slice(0, -1));
              }
            }}
            onBlur={commit}
          />
        )}
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : readOnly ? null : (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
    </div>
  );
}
