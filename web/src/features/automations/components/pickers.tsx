/** The editor's own pickers: a campaign, a cadence, a team in turn order and numbers as checkboxes (the pickers every
 * form shares are in `@/components/pickers`). Each takes the `id` and aria props a `<Field>` gives. */
import { X } from "lucide-react";
import { useTranslation } from "react-i18next";
import { chosenLabel, numberLabel, type ControlProps, type PickerProps } from "@/components/pickers/pickers";
import { useActiveUsers, useAllConnections } from "@/components/pickers/lookups";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Combobox, type ComboboxResult } from "@/components/ui/combobox";
import { useCadenceOptions } from "@/features/cadences";
import { useCadenceName, useCampaign, useCampaignOptions } from "../api/lookups";

export function CampaignPicker({ value, onChange, clearLabel, ...props }: PickerProps) {
  const { t } = useTranslation("automations");
  const chosen = useCampaign(value || null);
  const shown = chosenLabel(t, value, chosen.data?.name, chosen.isPending, clearLabel);
  return (
    <Combobox
      {...props}
      value={shown}
      placeholder={t("pick.campaign.placeholder")}
      searchLabel={t("pick.campaign.search")}
      emptyText={t("pick.campaign.none")}
      useOptions={useCampaignOptions}
      onSelect={(o) => onChange(o.id)}
      clearLabel={clearLabel}
      onClear={clearLabel ? () => onChange("") : undefined}
    />
  );
}

export function CadencePicker({ value, onChange, ...props }: PickerProps) {
  const { t } = useTranslation("automations");
  const chosen = useCadenceName(value || null);
  const shown = chosenLabel(t, value, chosen.data ?? undefined, chosen.isPending);
  return (
    <Combobox
      {...props}
      value={shown}
      placeholder={t("pick.cadence.placeholder")}
      searchLabel={t("pick.cadence.search")}
      emptyText={t("pick.cadence.none")}
      useOptions={useCadenceOptions}
      onSelect={(o) => onChange(o.id)}
    />
  );
}

/** A team in turn order: picked one by one, each removable. */
export function UsersPicker({ value, onChange, ...props }: ControlProps & { value: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation("automations");
  const users = useActiveUsers();
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const useOptions = (q: string): ComboboxResult => {
    const needle = q.toLocaleLowerCase();
    const options = (users.data ?? []).filter((u) => !needle || u.name.toLocaleLowerCase().includes(needle) || u.email.toLocaleLowerCase().includes(needle));
    return { options: options.map((u) => ({ id: u.id, label: u.name, hint: u.email })), loading: users.isFetching, error: users.isError };
  };
  return (
    <div className="grid gap-2">
      {value.length ? (
        <ol className="flex flex-wrap gap-1.5" aria-label={t("pick.team")}>
          {value.map((id, i) => (
            <li key={id} className="flex items-center gap-1 rounded-full border bg-muted/50 py-0.5 pl-2.5 pr-0.5 text-sm">
              <span className="text-xs text-muted-foreground">{i + 1}.</span>
              {byId.get(id)?.name ?? t("pick.unknownUser")}
              <Button variant="ghost" size="icon" className="size-6" aria-label={t("pick.removeUser", { name: byId.get(id)?.name ?? "" })} onClick={() => onChange(value.filter((v) => v !== id))}>
                <X aria-hidden="true" />
              </Button>
            </li>
          ))}
        </ol>
      ) : null}
      <Combobox {...props} placeholder={t("pick.addUser")} searchLabel={t("pick.searchUsers")} emptyText={t("pick.noUsers")} useOptions={useOptions} chosen={value} onSelect={(o) => onChange([...value, o.id])} />
    </div>
  );
}

/** Numbers as checkboxes (a company has a handful). */
export function ConnectionChecks({ value, onChange, legend, error }: { value: string[]; onChange: (ids: string[]) => void; legend: string; error?: string }) {
  const { t } = useTranslation("automations");
  const connections = useAllConnections();
  const items = connections.data ?? [];
  return (
    <fieldset className="grid gap-1.5" aria-invalid={error ? true : undefined}>
      <legend className="pb-1 text-sm font-medium">{legend}</legend>
      {connections.isPending ? <p className="text-sm text-muted-foreground">{t("pick.loading")}</p> : null}
      {!connections.isPending && !items.length ? <p className="text-sm text-muted-foreground">{t("pick.noConnections")}</p> : null}
      {items.map((c) => (
        <label key={c.id} className="flex items-center gap-2 text-sm">
          <Checkbox checked={value.includes(c.id)} onCheckedChange={(on) => onChange(on === true ? [...value, c.id] : value.filter((v) => v !== c.id))} />
          {numberLabel(c)}
        </label>
      ))}
      {error ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
