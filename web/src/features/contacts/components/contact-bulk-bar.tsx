import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Combobox, type ComboboxOption } from "@/components/ui/combobox";
import { NativeSelect } from "@/components/ui/input";
import { useBulkContacts, type BulkAction, type SegmentFilter } from "../api/contacts";
import { useListSearch } from "../api/lists";
import { useTagSearch } from "../api/tags";

type Action = BulkAction["action"];
const ACTIONS: readonly Action[] = ["tag", "untag", "add_to_list", "remove_from_list"];

/** What a bulk action applies to: the selected rows, or (admins) everything the filters match. */
export type BulkTarget = { ids: string[] } | { filter: SegmentFilter; count: number };

/** Tag, untag, add to or remove from a list the selected rows (`POST /v1/contacts/bulk` with `contact_ids`,
 * or with `filter` for all that match). */
export function ContactBulkBar({ target: chosen, onDone }: { target: BulkTarget; onDone: () => void }) {
  const { t } = useTranslation("contacts");
  const [action, setAction] = useState<Action>("tag");
  const [chosenTarget, setTarget] = useState<ComboboxOption | null>(null);
  const target = chosenTarget?.id ?? "";
  const bulk = useBulkContacts();
  const byTag = action === "tag" || action === "untag";

  const apply = () =>
    bulk.mutate(
      "ids" in chosen ? { action, target_id: target, contact_ids: chosen.ids } : { action, target_id: target, filter: chosen.filter },
      {
        onSuccess: (result) => {
          toast.success(t("contacts.bulk.done", { changed: result.changed, matched: result.matched }));
          onDone();
        },
        onError: (error) => toast.error(error.message),
      },
    );

  return (
    <section aria-label={t("contacts.bulk.label")} className="mb-3 flex flex-wrap items-center gap-2 rounded-md border bg-muted/50 p-2">
      <p className="px-1 text-sm font-medium" aria-live="polite">
        {"ids" in chosen ? t("contacts.bulk.selected", { count: chosen.ids.length }) : t("contacts.bulk.allMatching", { count: chosen.count })}
      </p>
      <NativeSelect
        aria-label={t("contacts.bulk.action")}
        className="w-auto"
        value={action}
        onChange={(e) => {
          setAction(e.target.value as Action);
          setTarget(null);
        }}
      >
        {ACTIONS.map((a) => (
          <option key={a} value={a}>
            {t(`contacts.bulk.actions.${a}`)}
          </option>
        ))}
      </NativeSelect>
      <Combobox
        key={byTag ? "tag" : "list"}
        aria-label={byTag ? t("contacts.bulk.tag") : t("contacts.bulk.list")}
        className="w-auto min-w-40 max-w-full"
        value={chosenTarget?.label}
        placeholder={byTag ? t("contacts.bulk.chooseTag") : t("contacts.bulk.chooseList")}
        searchLabel={byTag ? t("contacts.filters.searchTags") : t("contacts.filters.searchLists")}
        emptyText={byTag ? t("contacts.filters.noTagFound") : t("contacts.filters.noListFound")}
        useOptions={byTag ? useTagSearch : useListSearch}
        onSelect={setTarget}
      />
      <Button size="sm" onClick={apply} disabled={!target || bulk.isPending}>
        {t("contacts.bulk.apply")}
      </Button>
      <Button size="sm" variant="ghost" onClick={onDone}>
        {t("contacts.bulk.clear")}
      </Button>
    </section>
  );
}
