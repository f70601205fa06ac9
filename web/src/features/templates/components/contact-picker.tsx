import { useEffect, useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Input, NativeSelect } from "@/components/ui/input";
import { Label } from "@/components/ui/field";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useContactSearch } from "../api/lookups";

/** Search the company's contacts and pick one (the first match is picked as results arrive). */
export function ContactPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const { t } = useTranslation("templates");
  const [q, setQ] = useState("");
  const search = useDebounced(q, 300);
  const contacts = useContactSearch(search);
  const items = useMemo(() => contacts.data?.items ?? [], [contacts.data]);
  const id = useId();
  useEffect(() => {
    if (items.length && !items.some((c) => c.id === value)) onChange(items[0]!.id);
  }, [items, value, onChange]);
  return (
    <div className="grid gap-2 sm:grid-cols-2">
      <div className="grid gap-1.5">
        <Label htmlFor={`${id}-q`}>{t("contact.search")}</Label>
        <Input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t("contact.searchPlaceholder")} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor={`${id}-c`}>{t("contact.label")}</Label>
        <NativeSelect id={`${id}-c`} value={value} onChange={(e) => onChange(e.target.value)} disabled={!items.length}>
          {items.length ? null : <option value="">{contacts.isLoading ? t("common:loading") : t("contact.none")}</option>}
          {items.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name ? `${c.name} · ${c.phone}` : c.phone}
            </option>
          ))}
        </NativeSelect>
      </div>
    </div>
  );
}
