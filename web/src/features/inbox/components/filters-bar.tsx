import { SlidersHorizontal, X } from "lucide-react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger, Switch } from "@/components/ui/controls";
import { Field, Label } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/input";
import { Combobox } from "@/components/ui/combobox";
import { useTagName, useTagOptions, type User } from "../api/inbox";
import { extraFilterCount, type InboxFilters } from "../lib/filters";

/** Status and "unread only" always in view; assignee, channel and tag behind "Filters". */
export function FiltersBar({ filters, onChange, users }: { filters: InboxFilters; onChange: (next: InboxFilters) => void; users: User[] | undefined }) {
  const { t } = useTranslation("inbox");
  const tagName = useTagName(filters.tag_id);
  const unreadId = useId();
  const extra = extraFilterCount(filters);
  const set = (patch: Partial<InboxFilters>) => onChange({ ...filters, ...patch });
  return (
    <div className="flex flex-wrap items-end gap-2 border-b p-3">
      <Field label={t("filters.status")} className="min-w-0 flex-1">
        <NativeSelect value={filters.status ?? ""} onChange={(e) => set({ status: (e.target.value || undefined) as InboxFilters["status"] })}>
          <option value="">{t("filters.anyStatus")}</option>
          <option value="open">{t("status.open")}</option>
          <option value="pending">{t("status.pending")}</option>
          <option value="closed">{t("status.closed")}</option>
        </NativeSelect>
      </Field>
      <div className="flex h-9 items-center gap-2">
        <Switch id={unreadId} checked={!!filters.unread} onCheckedChange={(checked) => set({ unread: checked || undefined })} />
        <Label htmlFor={unreadId} className="text-xs">
          {t("filters.unread")}
        </Label>
      </div>
      <Popover>
        <PopoverTrigger asChild>
          <Button variant="outline" size="icon" className="relative">
            <SlidersHorizontal aria-hidden="true" />
            <span className="sr-only">{`${t("filters.more")} `}</span>
            {extra ? (
              <span className="absolute -right-1 -top-1 flex size-4 items-center justify-center rounded-full bg-primary text-[10px] text-primary-foreground">
                {extra}
                <span className="sr-only">{t("filters.active", { count: extra })}</span>
              </span>
            ) : null}
          </Button>
        </PopoverTrigger>
        <PopoverContent className="grid w-72 gap-3" aria-label={t("filters.more")}>
          <Field label={t("filters.assignee")}>
            <NativeSelect value={filters.assignee ?? ""} onChange={(e) => set({ assignee: e.target.value || undefined })}>
              <option value="">{t("filters.anyone")}</option>
              <option value="me">{t("filters.me")}</option>
              <option value="none">{t("filters.unassigned")}</option>
              {users
                ?.filter((u) => u.is_active)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
            </NativeSelect>
          </Field>
          <Field label={t("filters.channel")}>
            <NativeSelect value={filters.channel ?? ""} onChange={(e) => set({ channel: (e.target.value || undefined) as InboxFilters["channel"] })}>
              <option value="">{t("filters.anyChannel")}</option>
              <option value="whatsapp">{t("channel.whatsapp")}</option>
              <option value="sms">{t("channel.sms")}</option>
            </NativeSelect>
          </Field>
          <Field label={t("filters.tag")}>
            <Combobox
              value={filters.tag_id ? (tagName.data ?? undefined) : undefined}
              placeholder={t("filters.anyTag")}
              searchLabel={t("filters.searchTags")}
              emptyText={t("filters.noTag")}
              useOptions={useTagOptions}
              onSelect={(tag) => set({ tag_id: tag.id })}
              clearLabel={t("filters.anyTag")}
              onClear={() => set({ tag_id: undefined })}
            />
          </Field>
          {extra ? (
            <Button variant="ghost" size="sm" onClick={() => set({ assignee: undefined, channel: undefined, tag_id: undefined })}>
              <X aria-hidden="true" />
              {t("filters.clear")}
            </Button>
          ) : null}
        </PopoverContent>
      </Popover>
    </div>
  );
}
