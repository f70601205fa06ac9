/** The builder's own picker: a variable of the contact or the lead (the pickers every form shares are in
 * `@/components/pickers`). */
import { useTranslation } from "react-i18next";
import { useCustomFields } from "@/components/pickers/lookups";
import type { ControlProps } from "@/components/pickers/pickers";
import { NativeSelect } from "@/components/ui/input";
import { variableOptions } from "../lib/variables";

export const LITERAL = "__literal";

/** A variable of the contact or the lead; `""` is the placeholder; `literalLabel` adds a fixed text (`LITERAL`). */
export function VariableSelect({
  value,
  onChange,
  placeholder,
  literalLabel,
  ...props
}: ControlProps & { value: string; onChange: (v: string) => void; placeholder: string; literalLabel?: string }) {
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
