/** The pickers forms share: one tag, segment or list (searched), a number (searched, or chosen from the few), a
 * number's approved template, a pipeline, a stage, a user and a custom field. Each takes the `id` and aria props a
 * `<Field>` gives; their words are the `pick` strings of the common catalogue. */
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Combobox } from "@/components/ui/combobox";
import { NativeSelect } from "@/components/ui/input";
import { useActiveUsers, useAllConnections, useConnection, useConnectionOptions, useCustomFields, useNamed, useNamedOptions, usePipelines, useTemplate, useTemplateOptions, type NamedKind } from "./lookups";

export interface ControlProps {
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
  "aria-label"?: string;
  disabled?: boolean;
  className?: string;
}

export interface PickerProps extends ControlProps {
  value: string;
  onChange: (id: string) => void;
  /** a choice of none ("Any tag", "No goal"): picking it clears */
  clearLabel?: string;
}

/** What a picker shows for its value: the chosen one's name, "…" while it loads, "(deleted)" when it is gone. */
export function chosenLabel(t: TFunction, value: string, name: string | undefined, isPending: boolean, none?: string): string | undefined {
  if (!value) return none;
  return name ?? (isPending ? "…" : t("pick.deleted"));
}

export function NamedPicker({ kind, value, onChange, clearLabel, ...props }: PickerProps & { kind: NamedKind }) {
  const { t } = useTranslation();
  const chosen = useNamed(kind, value || null);
  const shown = chosenLabel(t, value, chosen.data?.name, chosen.isPending, clearLabel);
  const useOptions = (q: string) => useNamedOptions(kind, q);
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

export function numberLabel(c: { name: string; display_phone_number?: string | null }) {
  return c.display_phone_number ? `${c.name} · ${c.display_phone_number}` : c.name;
}

/** A number searched by name or phone. */
export function ConnectionPicker({ value, onChange, ...props }: PickerProps) {
  const { t } = useTranslation();
  const chosen = useConnection(value || null);
  const shown = chosenLabel(t, value, chosen.data ? numberLabel(chosen.data) : undefined, chosen.isPending);
  return (
    <Combobox
      {...props}
      value={shown}
      placeholder={t("pick.connection.placeholder")}
      searchLabel={t("pick.connection.search")}
      emptyText={t("pick.connection.none")}
      useOptions={useConnectionOptions}
      onSelect={(o) => onChange(o.id)}
    />
  );
}

/** A number among all of them (a company has a handful). */
export function ConnectionSelect({ value, onChange, whatsappOnly, clearLabel, ...props }: PickerProps & { whatsappOnly?: boolean }) {
  const { t } = useTranslation();
  const connections = useAllConnections();
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{connections.isPending ? t("pick.loading") : (clearLabel ?? t("pick.connection.placeholder"))}</option>
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

/** An approved template of `connectionId`; disabled, saying `needsNumber`, until a number is chosen. */
export function TemplatePicker({ connectionId, needsNumber, value, onChange, ...props }: PickerProps & { connectionId: string; needsNumber?: string }) {
  const { t } = useTranslation();
  const chosen = useTemplate(value || null);
  const shown = chosenLabel(t, value, chosen.data ? `${chosen.data.name} (${chosen.data.language})` : undefined, chosen.isPending);
  const useOptions = (q: string) => useTemplateOptions(connectionId, q);
  return (
    <Combobox
      {...props}
      disabled={props.disabled || !connectionId}
      value={shown}
      placeholder={connectionId ? t("pick.template.placeholder") : (needsNumber ?? t("pick.template.needsNumber"))}
      searchLabel={t("pick.template.search")}
      emptyText={t("pick.template.none")}
      useOptions={useOptions}
      onSelect={(o) => onChange(o.id)}
    />
  );
}

export function PipelineSelect({ value, onChange, clearLabel, ...props }: PickerProps) {
  const { t } = useTranslation();
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

/** A stage: of one pipeline when `pipelineId` is given, else of any (grouped by pipeline); archived ones hidden
 * unless chosen. */
export function StageSelect({ value, onChange, clearLabel, pipelineId, ...props }: PickerProps & { pipelineId?: string }) {
  const { t } = useTranslation();
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

/** One of the company's active users. */
export function UserSelect({ value, onChange, clearLabel, ...props }: PickerProps) {
  const { t } = useTranslation();
  const users = useActiveUsers();
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

/** A custom field, by its key. */
export function CustomFieldSelect({ value, onChange, clearLabel, ...props }: PickerProps) {
  const { t } = useTranslation();
  const fields = useCustomFields();
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{fields.isPending ? t("pick.loading") : (clearLabel ?? t("pick.customField"))}</option>
      {(fields.data ?? []).map((f) => (
        <option key={f.key} value={f.key}>
          {f.label || f.key}
        </option>
      ))}
    </NativeSelect>
  );
}
