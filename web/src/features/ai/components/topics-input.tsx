import { X } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Label } from "@/components/ui/field";
import { cn } from "@/lib/utils";
import { addTopics } from "../lib/persona-form";

interface Props {
  label: string;
  hint: string;
  value: string[];
  onChange: (value: string[]) => void;
  error?: string;
  readOnly?: boolean;
}

/** Topics as removable chips and an input: Enter, a comma or leaving the field adds what was typed. */
export function TopicsInput({ label, hint, value, onChange, error, readOnly = false }: Props) {
  const { t } = useTranslation("ai");
  const id = useId();
  const [draft, setDraft] = useState("");
  const commit = () => {
    if (!draft.trim()) return;
    onChange(addTopics(value, draft));
    setDraft("");
  };
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
        {value.length ? (
          <ul className="contents" aria-labelledby={`${id}-label`}>
            {value.map((topic) => (
              <li key={topic} className="flex items-center gap-1 rounded-full bg-secondary py-0.5 pl-2.5 pr-1 text-xs font-medium text-secondary-foreground">
                {topic}
                {readOnly ? (
                  <span className="w-1" />
                ) : (
                  <button
                    type="button"
                    className="rounded-full p-0.5 hover:bg-background focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                    aria-label={t("form.removeTopic", { topic })}
                    onClick={() => onChange(value.filter((v) => v !== topic))}
                  >
                    <X className="size-3" aria-hidden="true" />
                  </button>
                )}
              </li>
            ))}
          </ul>
        ) : readOnly ? (
          <span className="px-1 text-sm text-muted-foreground">{t("form.noTopics")}</span>
        ) : null}
        {readOnly ? null : (
          <input
            id={id}
            className="min-w-24 flex-1 bg-transparent px-1 text-sm outline-none placeholder:text-muted-foreground"
            value={draft}
            placeholder={t("form.topicPlaceholder")}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-${error ? "error" : "hint"}`}
            maxLength={400}
            onChange={(e) => {
              const next = e.target.value;
              if (/[,;\n]/.test(next)) {
                onChange(addTopics(value, next));
                setDraft("");
              } else setDraft(next);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                commit();
              } else if (e.key === "Backspace" && !draft && value.length) {
                onChange(value.slice(0, -1));
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
      ) : (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
    </div>
  );
}
