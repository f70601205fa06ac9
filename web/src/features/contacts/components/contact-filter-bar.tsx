import { Filter, Search, X } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/controls";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { Combobox } from "@/components/ui/combobox";
import type { CustomFieldDef } from "../api/contacts";
import { useCustomFields } from "../api/custom-fields";
import { useListSearch, useListsByIds } from "../api/lists";
import { useSegment, useSegmentSearch } from "../api/segments";
import { useTagSearch, useTagsByIds } from "../api/tags";
import { activeFilterCount, type ContactFilters } from "./contact-filters";

interface FilterBarProps {
  filters: ContactFilters;
  search: string;
  onSearch: (value: string) => void;
  onChange: (key: keyof ContactFilters, value: string) => void;
  onClear: () => void;
}

/** A custom field's value, typed by its definition (a select's options, yes/no, a date, a number, text). */
export function CustomValueInput({
  field,
  value,
  onChange,
  id,
  label,
  emptyLabel,
}: {
  field: CustomFieldDef;
  value: string;
  onChange: (v: string) => void;
  id?: string;
  label?: string;
  /** The empty choice of a select: "any value" in a filter, "not set" on a contact. */
  emptyLabel?: string;
}) {
  const { t } = useTranslation("contacts");
  if (field.type === "select" || field.type === "boolean") {
    const options = field.type === "select" ? field.options.map((o) => ({ value: o, label: o })) : [{ value: "true", label: t("common:yes") }, { value: "false", label: t("common:no") }];
    return (
      <NativeSelect id={id} aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{emptyLabel ?? t("contacts.filters.anyValue")}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </NativeSelect>
    );
  }
  return <Input id={id} aria-label={label} type={field.type === "date" ? "date" : field.type === "number" ? "number" : "text"} value={value} onChange={(e) => onChange(e.target.value)} />;
}

/** The filter fields, mounted only while the popover is open: the pickers load when first needed. Tags, lists
 * and segments are searched on the server; the custom fields are all offered (the company's schema). */
function FilterFields({ filters, onChange }: Pick<FilterBarProps, "filters" | "onChange">) {
  const { t } = useTranslation("contacts");
  const tag = useTagsByIds(filters.tag ? [filters.tag] : []).data?.find((x) => x.id === filters.tag);
  const list = useListsByIds(filters.list ? [filters.list] : []).data?.find((x) => x.id === filters.list);
  const segment = useSegment(filters.segment || undefined).data;
  const fields = useCustomFields();
  const field = fields.data?.find((f) => f.key === filters.field);
  const picker = (key: "tag" | "list" | "segment") => ({
    placeholder: t("contacts.filters.any"),
    clearLabel: t("contacts.filters.any"),
    onClear: () => onChange(key, ""),
    onSelect: (option: { id: string }) => onChange(key, option.id),
  });
  return (
    <>
      <Field label={t("contacts.filters.tag")}>
        <Combobox {...picker("tag")} value={filters.tag ? (tag?.name ?? "…") : undefined} searchLabel={t("contacts.filters.searchTags")} emptyText={t("contacts.filters.noTagFound")} useOptions={useTagSearch} />
      </Field>
      <Field label={t("contacts.filters.list")}>
        <Combobox {...picker("list")} value={filters.list ? (list?.name ?? "…") : undefined} searchLabel={t("contacts.filters.searchLists")} emptyText={t("contacts.filters.noListFound")} useOptions={useListSearch} />
      </Field>
      <Field label={t("contacts.filters.segment")}>
        <Combobox
          {...picker("segment")}
          value={filters.segment ? (segment?.name ?? "…") : undefined}
          searchLabel={t("contacts.filters.searchSegments")}
          emptyText={t("contacts.filters.noSegmentFound")}
          useOptions={useSegmentSearch}
        />
      </Field>
      <div className="grid grid-cols-2 gap-2">
        <Field label={t("contacts.filters.customField")}>
          <NativeSelect value={filters.field} onChange={(e) => onChange("field", e.target.value)}>
            <option value="">{t("contacts.filters.any")}</option>
            {fields.data?.map((f) => (
              <option key={f.id} value={f.key}>
                {f.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
        {field ? (
          <Field label={t("contacts.filters.customValue")}>
            <CustomValueInput field={field} value={filters.value} onChange={(v) => onChange("value", v)} />
          </Field>
        ) : null}
      </div>
      <div className="grid grid-cols-2 gap-2">
        <Field label={t("contacts.filters.createdFrom")}>
          <Input type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => onChange("from", e.target.value)} />
        </Field>
        <Field label={t("contacts.filters.createdTo")}>
          <Input type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => onChange("to", e.target.value)} />
        </Field>
      </div>
    </>
  );
}

export function ContactFilterBar({ filters, search, onSearch, onChange, onClear }: FilterBarProps) {
  const { t } = useTranslation("contacts");
  const count = activeFilterCount(filters);

  return (
    <div className="flex flex-wrap items-center gap-2 pb-3">
      <div className="relative min-w-0 flex-1 basis-48">
        <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-muted-foreground" aria-hidden="true" />
        <Input type="search" value={search} onChange={(e) => onSearch(e.target.value)} placeholder={t("contacts.searchPlaceholder")} aria-label={t("contacts.search")} className="pl-8" />
      </div>
      <Popover>
        <PopoverTrigger asChild>
          <Button variant="outline">
            <Filter aria-hidden="true" />
            {t("contacts.filters.button")}
            {count ? <span className="rounded-full bg-primary px-1.5 text-xs text-primary-foreground">{count}</span> : null}
          </Button>
        </PopoverTrigger>
        <PopoverContent className="grid w-[min(22rem,calc(100vw-2rem))] gap-3" aria-label={t("contacts.filters.title")}>
          <FilterFields filters={filters} onChange={onChange} />
        </PopoverContent>
      </Popover>
      {count || filters.q ? (
        <Button variant="ghost" onClick={onClear}>
          <X aria-hidden="true" />
          {t("contacts.filters.clear")}
        </Button>
      ) : null}
    </div>
  );
}
