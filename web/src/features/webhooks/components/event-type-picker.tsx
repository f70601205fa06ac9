import { useTranslation } from "react-i18next";
import { Checkbox } from "@/components/ui/controls";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { useEventTypes } from "../api/webhooks";
import { groupEventTypes, toggleGroup } from "../lib/event-groups";

interface Props {
  value: string[];
  onChange: (value: string[]) => void;
  error?: string;
}

/** The event catalogue as checkboxes grouped by subject, each type with its description and the schema of its `data`. */
export function EventTypePicker({ value, onChange, error }: Props) {
  const { t } = useTranslation("webhooks");
  const catalogue = useEventTypes();
  if (catalogue.isPending) return <SkeletonRows rows={4} />;
  if (catalogue.isError) return <ErrorState error={catalogue.error} onRetry={() => void catalogue.refetch()} />;
  const groups = groupEventTypes(catalogue.data);
  return (
    <fieldset className="grid gap-3" aria-describedby={error ? "event-types-error" : undefined}>
      <legend className="pb-1 text-sm font-medium">{t("form.eventTypes")}</legend>
      <p className="text-xs text-muted-foreground">{t("form.eventTypesHint", { count: value.length })}</p>
      {groups.map(({ group, types }) => {
        const names = types.map((e) => e.type);
        const checked = names.every((n) => value.includes(n)) ? true : names.some((n) => value.includes(n)) ? "indeterminate" : false;
        const groupId = `event-group-${group}`;
        return (
          <div key={group} className="rounded-md border p-3">
            <div className="flex items-center gap-2">
              <Checkbox id={groupId} checked={checked} onCheckedChange={() => onChange(toggleGroup(value, names))} />
              <label htmlFor={groupId} className="text-sm font-semibold">
                {t(`groups.${group}`, { defaultValue: group })}
              </label>
            </div>
            <ul className="mt-2 grid gap-2 pl-6">
              {types.map((item) => {
                const id = `event-${item.type}`;
                return (
                  <li key={item.type} className="min-w-0">
                    <div className="flex items-start gap-2">
                      <Checkbox
                        id={id}
                        className="mt-0.5"
                        checked={value.includes(item.type)}
                        aria-describedby={`${id}-description`}
                        onCheckedChange={(on) => onChange(on === true ? [...value, item.type] : value.filter((v) => v !== item.type))}
                      />
                      <div className="min-w-0">
                        <label htmlFor={id} className="font-mono text-sm">
                          {item.type}
                        </label>
                        <p id={`${id}-description`} className="text-xs text-muted-foreground">
                          {t(`types.${item.type.replace(/\./g, "_")}`, { defaultValue: item.description })}
                        </p>
                        <details className="text-xs">
                          <summary className="cursor-pointer text-primary underline-offset-4 hover:underline">{t("form.schema")}</summary>
                          <pre tabIndex={0} aria-label={t("form.schemaOf", { type: item.type })} className="mt-1 max-h-48 overflow-auto rounded bg-muted p-2 text-[11px] leading-tight focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">{JSON.stringify(item.schema, null, 2)}</pre>
                        </details>
                      </div>
                    </div>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
      {error ? (
        <p id="event-types-error" role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
