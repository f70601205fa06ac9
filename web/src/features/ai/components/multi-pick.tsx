import { X } from "lucide-react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Combobox, type ComboboxOption, type ComboboxResult } from "@/components/ui/combobox";

export interface PickOption {
  id: string;
  label: string;
  hint?: string;
}

interface Props {
  legend: string;
  /** The picker button's name ("Add a knowledge base"). */
  addLabel: string;
  searchLabel: string;
  emptyText: string;
  /** What a chosen id no longer found is called (deleted meanwhile). */
  missingLabel: string;
  /** Every option (a company has a handful): searched here as the user types. */
  options: PickOption[];
  loading: boolean;
  error?: boolean;
  value: string[];
  onChange: (ids: string[]) => void;
  /** The API's error for this field. */
  fieldError?: string;
  hint?: string;
  readOnly?: boolean;
}

/** Several of a small collection: chosen ones as removable chips, more added from a searchable picker. */
export function MultiPick({ legend, addLabel, searchLabel, emptyText, missingLabel, options, loading, error, value, onChange, fieldError, hint, readOnly = false }: Props) {
  const { t } = useTranslation("ai");
  const id = useId();
  const byId = new Map(options.map((o) => [o.id, o]));
  const useOptions = (q: string): ComboboxResult => {
    const needle = q.toLocaleLowerCase();
    const found = options.filter((o) => !needle || o.label.toLocaleLowerCase().includes(needle) || (o.hint ?? "").toLocaleLowerCase().includes(needle));
    return { options: found.map((o): ComboboxOption => ({ id: o.id, label: o.label, hint: o.hint })), loading, error };
  };
  return (
    <fieldset className="grid min-w-0 content-start gap-2 rounded-md border p-3" aria-describedby={fieldError ? `${id}-error` : hint ? `${id}-hint` : undefined}>
      <legend className="px-1 text-sm font-medium">{legend}</legend>
      {value.length ? (
        <ul className="flex flex-wrap gap-1" aria-label={t("pick.chosen", { what: legend })}>
          {value.map((chosen) => {
            const option = byId.get(chosen);
            const name = option?.label ?? (loading ? "…" : missingLabel);
            return (
              <li key={chosen} className="flex items-center gap-1 rounded-full border bg-muted px-2 py-0.5 text-xs">
                {name}
                {option?.hint ? <span className="text-muted-foreground">{option.hint}</span> : null}
                {readOnly ? null : (
                  <button
                    type="button"
                    className="rounded-full p-0.5 hover:bg-background focus-visible:ring-2 focus-visible:ring-ring"
                    aria-label={t("pick.remove", { name })}
                    onClick={() => onChange(value.filter((x) => x !== chosen))}
                  >
                    <X className="size-3" aria-hidden="true" />
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="text-sm text-muted-foreground">{t("pick.none")}</p>
      )}
      {readOnly ? null : (
        <Combobox
          aria-label={addLabel}
          aria-invalid={fieldError ? true : undefined}
          placeholder={addLabel}
          searchLabel={searchLabel}
          emptyText={emptyText}
          useOptions={useOptions}
          chosen={value}
          onSelect={(option) => onChange([...value, option.id])}
        />
      )}
      {fieldError ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-destructive">
          {fieldError}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
    </fieldset>
  );
}
