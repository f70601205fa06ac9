/** The builder's pickers: one tag, segment or list (searched), a number, a template of the number, a stage of any
 * pipeline, a user, a variable. Each takes the `id` and aria props a `<Field>` gives. */
import { useTranslation } from "react-i18next";
import { Combobox } from "@/components/ui/combobox";
import { NativeSelect } from "@/components/ui/input";
import { useConnection, useConnectionOptions, useCustomFields, useNamed, useNamedOptions, usePipelines, useTemplate, useTemplateOptions, useUsers, type NamedKind } from "../api/lookups";
import { variableOptions } from "../lib/variables";

interface ControlProps {
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
  disabled?: boolean;
  className?: string;
}

interface PickerProps extends ControlProps {
  value: string;
  onChange: (id: string) => void;
  /** a choice of none ("Any", "No goal"): picking it clears */
  clearLabel?: string;
  "aria-label"?: string;
}

export function NamedPicker({ kind, value, onChange, clearLabel, ...props }: PickerProps & { kind: NamedKind }) {
  const { t } = useTranslation("cadences");
  const chosen = useNamed(kind, value || null);
  const useOptions = (q: string) => useNamedOptions(kind, q);
  const shown = value ? (chosen.data?.name ?? (chosen.isPending ? "…" : t("pick.deleted"))) : undefined;
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

export function ConnectionPicker({ value, onChange, ...props }: PickerProps) {
  const { t } = useTranslation("cadences");
  const chosen = useConnection(value || null);
  const shown = value ? (chosen.data ? `${chosen.data.name}${chosen.data.display_phone_number ? ` · ${chosen.data.display_phone_number}` : ""}` : "…") : undefined;
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

export function TemplatePicker({ connectionId, value, onChange, ...props }: PickerProps & { connectionId: string }) {
  const { t } = useTranslation("cadences");
  const chosen = useTemplate(value || null);
  const useOptions = (q: string) => useTemplateOptions(connectionId, q);
  const shown = value ? (chosen.data ? `${chosen.data.name} (${chosen.data.language})` : "…") : undefined;
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

export function StageSelect({ value, onChange, ...props }: ControlProps & { value: string; onChange: (id: string) => void }) {
  const { t } = useTranslation("cadences");
  const pipelines = usePipelines();
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{pipelines.isPending ? t("pick.loading") : t("pick.stage")}</option>
      {(pipelines.data ?? []).map((p) => (
        <optgroup key={p.id} label={p.name}>
          {p.stages
            .filter((s) => !s.archived_at || s.id === value)
            .map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
        </optgroup>
      ))}
    </NativeSelect>
  );
}

export function UserSelect({ value, onChange, ...props }: ControlProps & { value: string; onChange: (id: string) => void }) {
  const { t } = useTranslation("cadences");
  const users = useUsers();
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{users.isPending ? t("pick.loading") : t("pick.user")}</option>
      {(users.data ?? []).map((u) => (
        <option key={u.id} value={u.id}>
          {u.name}
        </option>
      ))}
    </NativeSelect>
  );
}

export const LITERAL = "__literal";

/** A variable of the contact or the lead; `""` is the placeholder; `literalLabel` adds a fixed text (`LITERAL`). */
export function VariableSelect({
  value,
  onChange,
  placeholder,
  literalLabel,
  ...props
}: ControlProps & { value: string; onChange: (v: string) => void; placeholder: string; literalLabel?: string; "aria-label"?: string }) {
  const { t } = useTranslation("cadences");
  const custom = useCustomFields();
  const options = variableOptions(custom.data ?? []);
  const group = (g: string) =>
    options
      .filter((o) => o.group === g)
      .map((o) => (
        <option key={o.value} value={o.value}>
          {o.label ?? t(o.labelKey!)}
        </option>
      ));
  return (
    <NativeSelect {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{placeholder}</option>
      <optgroup label={t("variables.groups.contact")}>{group("contact")}</optgroup>
      {custom.data?.length ? <optgroup label={t("variables.groups.custom")}>{group("custom")}</optgroup> : null}
      <optgroup label={t("variables.groups.lead")}>{group("lead")}</optgroup>
      {literalLabel ? <option value={LITERAL}>{literalLabel}</option> : null}
    </NativeSelect>
  );
}
