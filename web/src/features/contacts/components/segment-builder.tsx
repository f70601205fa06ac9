/**
 * The visual filter builder: one row per condition (all must hold), with pickers for tags and lists (searched
 * on the server) and custom fields (all of them: the company's schema). It edits `ConditionRow`s; `segment-filter-model` turns them into the API's filter and back.
 */
import { Plus, X } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { Combobox, type ComboboxOption, type ComboboxResult } from "@/components/ui/combobox";
import type { CustomField } from "../api/custom-fields";
import { useListSearch, useListsByIds } from "../api/lists";
import { useTagSearch, useTagsByIds } from "../api/tags";
import {
  CONDITION_KINDS,
  CUSTOM_FIELD_OPS,
  VALUELESS_OPS,
  canAdd,
  isIdSetKind,
  newRow,
  type ConditionKind,
  type ConditionRow,
  type CustomFieldOp,
  type CustomFieldType,
} from "./segment-filter-model";
import { TagChip } from "./tag-dialog";

/** The ops that make sense for a field of `type` (every op when the field is unknown). */
export function opsFor(type: CustomFieldType | undefined): readonly CustomFieldOp[] {
  switch (type) {
    case "number":
    case "date":
      return ["eq", "neq", "gt", "lt", "exists", "missing"];
    case "boolean":
      return ["eq", "neq", "exists", "missing"];
    case "text":
    case "select":
      return ["eq", "neq", "contains", "exists", "missing"];
    default:
      return CUSTOM_FIELD_OPS;
  }
}

interface BuilderProps {
  rows: ConditionRow[];
  onChange: (rows: ConditionRow[]) => void;
  fields: CustomField[];
  /** Errors by row (`errorsByRow`): `<rowId>`, `<rowId>.key|op|value`, and `""` for the rest. */
  errors: Record<string, string>;
}

export function SegmentBuilder({ rows, onChange, fields, errors }: BuilderProps) {
  const { t } = useTranslation("contacts");
  const update = (id: string, patch: Partial<ConditionRow>) => onChange(rows.map((r) => (r.id === id ? ({ ...r, ...patch } as ConditionRow) : r)));
  const removeRow = (id: string) => onChange(rows.filter((r) => r.id !== id));
  const add = (kind: ConditionKind) => onChange([...rows, newRow(kind, fields[0]?.key ?? "")]);
  const fieldRows = rows.filter((r) => r.kind === "custom_field");

  return (
    <div className="grid gap-3">
      {errors[""] ? (
        <p role="alert" className="text-sm text-destructive">
          {errors[""]}
        </p>
      ) : null}
      {rows.length === 0 ? <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground">{t("filters.noConditions")}</p> : null}
      {rows.map((row, index) => {
        const kindTitle = t(`filters.kinds.${row.kind}`);
        // several custom-field rows are told apart by number ("Custom field 2")
        const title = row.kind === "custom_field" && fieldRows.length > 1 ? `${kindTitle} ${fieldRows.indexOf(row) + 1}` : kindTitle;
        return (
          <ConditionBox key={row.id} title={title} first={index === 0} onRemove={() => removeRow(row.id)}>
            <RowEditor row={row} title={title} update={(patch) => update(row.id, patch)} fields={fields} errors={errors} />
          </ConditionBox>
        );
      })}
      <div>
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="outline">
              <Plus aria-hidden="true" />
              {t("filters.add")}
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="start">
            {CONDITION_KINDS.map((kind) => (
              <DropdownMenuItem key={kind} disabled={!canAdd(rows, kind) || (kind === "custom_field" && fields.length === 0)} onSelect={() => add(kind)}>
                {t(`filters.kinds.${kind}`)}
              </DropdownMenuItem>
            ))}
          </DropdownMenuContent>
        </DropdownMenu>
      </div>
    </div>
  );
}

function ConditionBox({ title, first, onRemove, children }: { title: string; first: boolean; onRemove: () => void; children: React.ReactNode }) {
  const { t } = useTranslation("contacts");
  const id = React.useId();
  return (
    <section role="group" aria-labelledby={id} className="grid gap-3 rounded-lg border bg-card p-3">
      <div className="flex items-center justify-between gap-2">
        <h3 id={id} className="text-sm font-medium">
          {first ? null : <span className="mr-1.5 text-xs font-semibold uppercase text-muted-foreground">{t("filters.and")}</span>}
          {title}
        </h3>
        <Button variant="ghost" size="icon" className="size-8" aria-label={t("filters.remove", { condition: title })} onClick={onRemove}>
          <X aria-hidden="true" />
        </Button>
      </div>
      {children}
    </section>
  );
}

interface RowEditorProps {
  row: ConditionRow;
  title: string;
  update: (patch: Partial<ConditionRow>) => void;
  fields: CustomField[];
  errors: Record<string, string>;
}

function RowEditor({ row, title, update, fields, errors }: RowEditorProps) {
  const { t } = useTranslation("contacts");
  if (isIdSetKind(row.kind) && "ids" in row) {
    const isTags = row.kind.startsWith("tags");
    const picker = {
      groupTitle: title,
      ids: row.ids,
      error: errors[row.id],
      onChange: (ids: string[]) => update({ ids }),
    };
    return isTags ? (
      <IdPicker {...picker} label={t("filters.pickTag")} placeholder={t("filters.chooseTag")} searchLabel={t("filters.searchTags")} emptyText={t("filters.noTagFound")} useOptions={useTagSearch} useChosen={useTagNames} />
    ) : (
      <IdPicker {...picker} label={t("filters.pickList")} placeholder={t("filters.chooseList")} searchLabel={t("filters.searchLists")} emptyText={t("filters.noListFound")} useOptions={useListSearch} useChosen={useListNames} />
    );
  }
  switch (row.kind) {
    case "custom_field":
      return <CustomFieldEditor row={row} update={update} fields={fields} errors={errors} />;
    case "created":
    case "last_inbound":
      return (
        <div className="grid gap-2">
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t("filters.from")}>
              <Input type="date" value={row.from} max={row.to || undefined} onChange={(e) => update({ from: e.target.value })} />
            </Field>
            <Field label={t("filters.to")}>
              <Input type="date" value={row.to} min={row.from || undefined} onChange={(e) => update({ to: e.target.value })} />
            </Field>
          </div>
          <RowError message={errors[row.id]} />
        </div>
      );
    case "consent":
      return (
        <div className="grid gap-2">
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t("filters.channel")}>
              <NativeSelect value={row.channel} onChange={(e) => update({ channel: e.target.value as typeof row.channel })}>
                <option value="whatsapp">{t("filters.channels.whatsapp")}</option>
                <option value="sms">{t("filters.channels.sms")}</option>
              </NativeSelect>
            </Field>
            <Field label={t("filters.consentStatus")}>
              <NativeSelect value={row.status} onChange={(e) => update({ status: e.target.value as typeof row.status })}>
                <option value="opted_in">{t("filters.consent.opted_in")}</option>
                <option value="opted_out">{t("filters.consent.opted_out")}</option>
                <option value="unknown">{t("filters.consent.unknown")}</option>
              </NativeSelect>
            </Field>
          </div>
          <RowError message={errors[row.id]} />
        </div>
      );
    default:
      return null;
  }
}

function RowError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p role="alert" className="text-xs text-destructive">
      {message}
    </p>
  );
}

interface Named {
  id: string;
  name: string;
  color?: string;
}

/** The chosen ids' names and colours (`undefined` while they load). */
function useTagNames(ids: readonly string[]): Named[] | undefined {
  const found = useTagsByIds(ids);
  return ids.length === 0 ? [] : found.data;
}

function useListNames(ids: readonly string[]): Named[] | undefined {
  const found = useListsByIds(ids);
  return ids.length === 0 ? [] : found.data;
}

interface IdPickerProps {
  label: string;
  placeholder: string;
  searchLabel: string;
  emptyText: string;
  groupTitle: string;
  ids: string[];
  useOptions: (q: string) => ComboboxResult;
  useChosen: (ids: readonly string[]) => Named[] | undefined;
  error?: string;
  onChange: (ids: string[]) => void;
}

/** Chosen tags or lists as removable chips, and a searchable picker to add one more (keyboard-friendly, labelled). */
function IdPicker({ label, placeholder, searchLabel, emptyText, groupTitle, ids, useOptions, useChosen, error, onChange }: IdPickerProps) {
  const { t } = useTranslation("contacts");
  // names of what was just picked, so that its chip is named before the lookup by id answers
  const [picked, setPicked] = React.useState<Map<string, Named>>(() => new Map());
  const chosen = useChosen(ids);
  const byId = new Map([...picked, ...(chosen ?? []).map((o) => [o.id, o] as const)]);
  const pick = (option: ComboboxOption) => {
    setPicked((m) => new Map(m).set(option.id, { id: option.id, name: option.label, color: option.color }));
    onChange([...ids, option.id]);
  };
  return (
    <div className="grid gap-2">
      {ids.length > 0 ? (
        <ul className="flex flex-wrap gap-1.5" aria-label={t("filters.chosen", { condition: groupTitle })}>
          {ids.map((id) => {
            const option = byId.get(id);
            const name = option?.name ?? (chosen ? t("filters.deleted") : "…");
            return (
              <li key={id}>
                <TagChip tag={{ name, color: option?.color ?? "#94a3b8" }}>
                  <button
                    type="button"
                    className="-mr-1 rounded-full p-0.5 hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                    aria-label={t("filters.unpick", { name })}
                    onClick={() => onChange(ids.filter((i) => i !== id))}
                  >
                    <X className="size-3" aria-hidden="true" />
                  </button>
                </TagChip>
              </li>
            );
          })}
        </ul>
      ) : null}
      <Field label={label} error={error} className="max-w-xs">
        <Combobox placeholder={placeholder} searchLabel={searchLabel} emptyText={emptyText} useOptions={useOptions} chosen={ids} onSelect={pick} />
      </Field>
    </div>
  );
}

function CustomFieldEditor({
  row,
  update,
  fields,
  errors,
}: {
  row: Extract<ConditionRow, { kind: "custom_field" }>;
  update: (patch: Partial<ConditionRow>) => void;
  fields: CustomField[];
  errors: Record<string, string>;
}) {
  const { t } = useTranslation("contacts");
  const field = fields.find((f) => f.key === row.key);
  const ops = opsFor(field?.type);
  const needsValue = !VALUELESS_OPS.includes(row.op);

  const chooseField = (key: string) => {
    const next = fields.find((f) => f.key === key);
    const nextOps = opsFor(next?.type);
    // a value typed for one field rarely fits another; the op stays when it still applies
    update({ key, op: nextOps.includes(row.op) ? row.op : "eq", value: "" });
  };

  return (
    <div className="grid gap-3 sm:grid-cols-3">
      <Field label={t("filters.field")} error={errors[`${row.id}.key`]}>
        <NativeSelect value={row.key} onChange={(e) => chooseField(e.target.value)}>
          {field || !row.key ? null : <option value={row.key}>{row.key}</option>}
          {row.key ? null : <option value="">{t("filters.chooseField")}</option>}
          {fields.map((f) => (
            <option key={f.id} value={f.key}>
              {f.label}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label={t("filters.op")} error={errors[`${row.id}.op`]}>
        <NativeSelect value={row.op} onChange={(e) => update({ op: e.target.value as CustomFieldOp })}>
          {ops.map((op) => (
            <option key={op} value={op}>
              {t(field?.type === "date" && (op === "gt" || op === "lt") ? `filters.ops.${op}_date` : `filters.ops.${op}`)}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {needsValue ? (
        <Field label={t("filters.value")} error={errors[`${row.id}.value`]}>
          <ValueInput type={field?.type} options={field?.options ?? []} op={row.op} value={row.value} onChange={(value) => update({ value })} />
        </Field>
      ) : null}
    </div>
  );
}

function ValueInput({
  type,
  options,
  op,
  value,
  onChange,
  ...aria
}: {
  type: CustomFieldType | undefined;
  options: string[];
  op: CustomFieldOp;
  value: string;
  onChange: (value: string) => void;
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}) {
  const { t } = useTranslation("contacts");
  if (type === "boolean") {
    return (
      <NativeSelect {...aria} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t("filters.chooseValue")}</option>
        <option value="true">{t("common:yes")}</option>
        <option value="false">{t("common:no")}</option>
      </NativeSelect>
    );
  }
  if (type === "select" && op !== "contains") {
    return (
      <NativeSelect {...aria} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t("filters.chooseValue")}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </NativeSelect>
    );
  }
  if (type === "date") return <Input {...aria} type="date" value={value} onChange={(e) => onChange(e.target.value)} />;
  if (type === "number") return <Input {...aria} type="text" inputMode="decimal" value={value} onChange={(e) => onChange(e.target.value)} />;
  return <Input {...aria} value={value} onChange={(e) => onChange(e.target.value)} />;
}
