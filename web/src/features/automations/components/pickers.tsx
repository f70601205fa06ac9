/** The editor's pickers: a tag or segment (searched), users (one, or a team in turn order), a pipeline, a stage, a
 * number, a template of a number, a campaign, a cadence and a custom field. Each takes the `id` and aria props a
 * `<Field>` gives. */
import { X } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Combobox, type ComboboxResult } from "@/components/ui/combobox";
import { NativeSelect } from "@/components/ui/input";
import { useCadenceOptions } from "@/features/cadences";
import { useCadenceName, useCampaign, useCampaignOptions, useConnections, useCustomFields, useNamed, useNamedOptions, usePipelines, useTemplate, useTemplateOptions, useUsers, type NamedKind } from "../api/lookups";

interface ControlProps {
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
  "aria-label"?: string;
  disabled?: boolean;
  className?: string;
}

interface PickerProps extends ControlProps {
  value: string;
  onChange: (id: string) => void;
  /** a choice of none ("Any tag"): picking it clears */
  clearLabel?: string;
}

export function NamedPicker({ kind, value, onChange, clearLabel, ...props }: PickerProps & { kind: NamedKind }) {
  const { t } = useTranslation("automations");
  const chosen = useNamed(kind, value || null);
  const useOptions = (q: string) => useNamedOptions(kind, q);
  const shown = value ? (chosen.data?.name ?? (chosen.isPending ? "…" : t("pick.deleted"))) : clearLabel;
  return (
    <Combobox
      {...props}
      value={shown}
      placeholder={t(`pick.${kind}.placeholder`)}
      searchLabel={t(`pick.${kind}.search`)}
      emptyText={t(`pick.${kind}.none`)}
      useOptions={useOptions}
      onSelect={(o) => onChange(o.id)}
      clearLabel={clearLabel}
      onClear={clearLabel ? () => onChange("") : undefined}
    />
  );
}

export function CampaignPicker({ value, onChange, clearLabel, ...props }: PickerProps) {
  const { t } = useTranslation("automations");
  const chosen = useCampaign(value || null);
  const shown = value ? (chosen.data?.name ?? (chosen.isPending ? "…" : t("pick.deleted"))) : clearLabel;
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
  const shown = value ? (chosen.data ?? (chosen.isPending ? "…" : t("pick.deleted"))) : undefined;
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

export function TemplatePicker({ connectionId, value, onChange, ...props }: PickerProps & { connectionId: string }) {
  const { t } = useTranslation("automations");
  const chosen = useTemplate(value || null);
  const useOptions = (q: string) => useTemplateOptions(connectionId, q);
  const shown = value ? (chosen.data ? `${chosen.data.name} (${chosen.data.language})` : chosen.isPending ? "…" : t("pick.deleted")) : undefined;
  return (
    <Combobox
      {...props}
      disabled={props.disabled || !connectionId}
      value={shown}
      placeholder={connectionId ? t("pick.template.placeholder") : t("pick.template.needsNumber")}
      searchLabel={t("pick.template.search")}
      emptyText={t("pick.template.none")}
      useOptions={useOptions}
      onSelect={(o) => onChange(o.id)}
    />
  );
}

export function UserSelect({ value, onChange, clearLabel, ...props }: PickerProps) {
  const { t } = useTranslation("automations");
  const users = useUsers();
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{users.isPending ? t("pick.loading") : (clearLabel ?? t("pick.user"))}</option>
      {(users.data ?? []).map((u) => (
        <option key={u.id} value={u.id}>
          {u.name}
        </option>
      ))}
    </NativeSelect>
  );
}

/** A team in turn order: picked one by one, each removable. */
export function UsersPicker({ value, onChange, ...props }: ControlProps & { value: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation("automations");
  const users = useUsers();
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

export function PipelineSelect({ value, onChange, clearLabel, ...props }: PickerProps) {
  const { t } = useTranslation("automations");
  const pipelines = usePipelines();
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{pipelines.isPending ? t("pick.loading") : (clearLabel ?? t("pick.pipeline"))}</option>
      {(pipelines.data ?? []).map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </NativeSelect>
  );
}

/** A stage: of one pipeline when `pipelineId` is given, else of any (grouped by pipeline). */
export function StageSelect({ value, onChange, clearLabel, pipelineId, ...props }: PickerProps & { pipelineId?: string }) {
  const { t } = useTranslation("automations");
  const pipelines = usePipelines();
  const shown = (pipelines.data ?? []).filter((p) => !pipelineId || p.id === pipelineId);
  const stages = (p: (typeof shown)[number]) =>
    p.stages
      .filter((s) => !s.archived_at || s.id === value)
      .map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ));
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{pipelines.isPending ? t("pick.loading") : (clearLabel ?? t("pick.stage"))}</option>
      {pipelineId
        ? shown.flatMap(stages)
        : shown.map((p) => (
            <optgroup key={p.id} label={p.name}>
              {stages(p)}
            </optgroup>
          ))}
    </NativeSelect>
  );
}

function numberLabel(c: { name: string; display_phone_number?: string | null }) {
  return c.display_phone_number ? `${c.name} · ${c.display_phone_number}` : c.name;
}

export function ConnectionSelect({ value, onChange, whatsappOnly, ...props }: PickerProps & { whatsappOnly?: boolean }) {
  const { t } = useTranslation("automations");
  const connections = useConnections();
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{connections.isPending ? t("pick.loading") : t("pick.connection")}</option>
      {(connections.data ?? [])
        .filter((c) => !whatsappOnly || c.channel === "whatsapp")
        .map((c) => (
          <option key={c.id} value={c.id}>
            {numberLabel(c)}
          </option>
        ))}
    </NativeSelect>
  );
}

/** Numbers as checkboxes (a company has a handful). */
export function ConnectionChecks({ value, onChange, legend, error }: { value: string[]; onChange: (ids: string[]) => void; legend: string; error?: string }) {
  const { t } = useTranslation("automations");
  const connections = useConnections();
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

export function CustomFieldSelect({ value, onChange, ...props }: PickerProps) {
  const { t } = useTranslation("automations");
  const fields = useCustomFields();
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{fields.isPending ? t("pick.loading") : t("pick.customField")}</option>
      {(fields.data ?? []).map((f) => (
        <option key={f.key} value={f.key}>
          {f.label || f.key}
        </option>
      ))}
    </NativeSelect>
  );
}
