import { useTranslation } from "react-i18next";
import { useFormat } from "@/lib/i18n/format";
import type { CustomField } from "../api/custom-fields";
import type { ContactList } from "../api/lists";
import type { Tag } from "../api/tags";
import { dayToInstant, filterToRows, VALUELESS_OPS, type SegmentFilter } from "./segment-filter-model";

/** A segment's conditions in one line of words ("Has any of these tags: vip · Plan is pro"), for the list. */
export function useSegmentSummary(tags: Tag[], lists: ContactList[], fields: CustomField[]) {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const names = new Map<string, string>([...tags, ...lists].map((x) => [x.id, x.name]));
  const labels = new Map(fields.map((f) => [f.key, f] as const));
  const day = (d: string) => (d ? format.date(dayToInstant(d)) : "…");

  return (filter: SegmentFilter): string => {
    const parts = filterToRows(filter).map((row) => {
      const kind = t(`filters.kinds.${row.kind}`);
      switch (row.kind) {
        case "custom_field": {
          const field = labels.get(row.key);
          const op = t(field?.type === "date" && (row.op === "gt" || row.op === "lt") ? `filters.ops.${row.op}_date` : `filters.ops.${row.op}`);
          const value = VALUELESS_OPS.includes(row.op) ? "" : ` ${field?.type === "boolean" ? t(row.value === "true" ? "common:yes" : "common:no") : row.value}`;
          return `${field?.label ?? row.key} ${op}${value}`;
        }
        case "created":
        case "last_inbound":
          return `${kind} ${day(row.from)} – ${day(row.to)}`;
        case "consent":
          return `${kind}: ${t(`filters.channels.${row.channel}`)}, ${t(`filters.consent.${row.status}`)}`;
        default:
          return `${kind}: ${row.ids.map((id) => names.get(id) ?? t("filters.deleted")).join(", ")}`;
      }
    });
    return parts.length > 0 ? parts.join(" · ") : t("segments.everyone");
  };
}
