import { X } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { SOURCES, useTags, useUsers, type BoardFilters } from "../api/pipelines";

/** The board's filters: owner, tag, value range, due dates, source. */
export function FiltersBar({ filters, onChange }: { filters: BoardFilters; onChange: (filters: BoardFilters) => void }) {
  const { t } = useTranslation("pipelines");
  const users = useUsers();
  const tags = useTags();
  const set = (patch: Partial<BoardFilters>) => onChange({ ...filters, ...patch });
  const any = Object.values(filters).some(Boolean);
  return (
    <div className="flex flex-wrap items-end gap-3" role="group" aria-label={t("filters.label")}>
      <Field label={t("filters.owner")} className="w-40">
        <NativeSelect value={filters.owner ?? ""} onChange={(e) => set({ owner: e.target.value || undefined })}>
          <option value="">{t("filters.anyone")}</option>
          <option value="unassigned">{t("card.unassigned")}</option>
          {(users.data ?? []).map((u) => (
            <option key={u.id} value={u.id}>
              {u.name || u.email}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label={t("filters.tag")} className="w-36">
        <NativeSelect value={filters.tag ?? ""} onChange={(e) => set({ tag: e.target.value || undefined })}>
          <option value="">{t("filters.any")}</option>
          {(tags.data ?? []).map((tag) => (
            <option key={tag.id} value={tag.id}>
              {tag.name}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label={t("filters.valueMin")} className="w-28">
        <Input inputMode="decimal" value={filters.valueMin ?? ""} onChange={(e) => set({ valueMin: e.target.value.replace(",", ".") || undefined })} />
      </Field>
      <Field label={t("filters.valueMax")} className="w-28">
        <Input inputMode="decimal" value={filters.valueMax ?? ""} onChange={(e) => set({ valueMax: e.target.value.replace(",", ".") || undefined })} />
      </Field>
      <Field label={t("filters.dueFrom")} className="w-40">
        <Input type="date" value={filters.dueFrom ?? ""} onChange={(e) => set({ dueFrom: e.target.value || undefined })} />
      </Field>
      <Field label={t("filters.dueTo")} className="w-40">
        <Input type="date" value={filters.dueTo ?? ""} onChange={(e) => set({ dueTo: e.target.value || undefined })} />
      </Field>
      <Field label={t("filters.source")} className="w-36">
        <NativeSelect value={filters.source ?? ""} onChange={(e) => set({ source: (e.target.value || undefined) as BoardFilters["source"] })}>
          <option value="">{t("filters.any")}</option>
          {SOURCES.map((s) => (
            <option key={s} value={s}>
              {t(`source.${s}`)}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {any ? (
        <Button variant="ghost" size="sm" onClick={() => onChange({})}>
          <X aria-hidden="true" />
          {t("filters.clear")}
        </Button>
      ) : null}
    </div>
  );
}
