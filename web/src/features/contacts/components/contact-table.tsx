import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { Badge } from "@/components/ui/badge";
import { Checkbox } from "@/components/ui/controls";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import type { Contact } from "../api/contacts";

const ROW_HEIGHT = 48;

interface ContactTableProps {
  contacts: Contact[];
  /** Another search or filter is loading: the rows shown are the previous ones. */
  busy?: boolean;
  selected: ReadonlySet<string>;
  onToggle: (id: string, on: boolean) => void;
  onToggleAll: (on: boolean) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

/** The contacts as a real table with only the visible rows in the DOM; the next page loads near the end. */
export function ContactTable({ contacts, busy = false, selected, onToggle, onToggleAll, hasMore, loadingMore, onLoadMore }: ContactTableProps) {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const location = useLocation();
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's instance is meant to change under React
  const virtualizer = useVirtualizer({ count: contacts.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const rows = virtualizer.getVirtualItems();
  const last = rows.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && last >= contacts.length - 20) onLoadMore();
  }, [last, contacts.length, hasMore, loadingMore, onLoadMore]);

  const top = rows[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (rows.at(-1)?.end ?? 0);
  const allSelected = contacts.length > 0 && contacts.every((c) => selected.has(c.id));
  const someSelected = !allSelected && contacts.some((c) => selected.has(c.id));

  return (
    <div ref={scroller} aria-busy={busy} className="relative max-h-[max(18rem,calc(100dvh-17rem))] overflow-auto rounded-md border">
      <div aria-hidden="true" className={cn("pointer-events-none sticky top-0 z-20 -mb-0.5 h-0.5 w-full bg-primary opacity-0 transition-opacity", busy && "animate-pulse opacity-100")} />
      <table className="w-full table-fixed text-sm" aria-rowcount={hasMore ? -1 : contacts.length + 1}>
        <caption className="sr-only">{t("contacts.table.caption")}</caption>
        <thead className="sticky top-0 z-10 bg-background shadow-[0_1px_0_var(--color-border)]">
          <tr>
            <th scope="col" className="w-10 px-3 py-2">
              <Checkbox
                checked={allSelected ? true : someSelected ? "indeterminate" : false}
                onCheckedChange={(v) => onToggleAll(v === true)}
                aria-label={t("contacts.table.selectAll")}
              />
            </th>
            <th scope="col" className="px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-muted-foreground">
              {t("contacts.fields.name")}
            </th>
            <th scope="col" className="hidden w-44 px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-muted-foreground sm:table-cell">
              {t("contacts.fields.phone")}
            </th>
            <th scope="col" className="hidden px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-muted-foreground md:table-cell">
              {t("contacts.fields.email")}
            </th>
            <th scope="col" className="hidden px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-muted-foreground lg:table-cell">
              {t("contacts.fields.tags")}
            </th>
            <th scope="col" className="hidden w-32 px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-muted-foreground xl:table-cell">
              {t("contacts.fields.created")}
            </th>
          </tr>
        </thead>
        <tbody>
          {top > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={6} style={{ height: top, padding: 0 }} />
            </tr>
          ) : null}
          {rows.map((row) => {
            const contact = contacts[row.index]!;
            const label = contact.name || contact.phone;
            const isSelected = selected.has(contact.id);
            return (
              <tr key={contact.id} data-state={isSelected ? "selected" : undefined} aria-rowindex={row.index + 2} className="border-b hover:bg-muted/50 data-[state=selected]:bg-muted" style={{ height: ROW_HEIGHT }}>
                <td className="px-3">
                  <Checkbox checked={isSelected} onCheckedChange={(v) => onToggle(contact.id, v === true)} aria-label={t("contacts.table.select", { name: label })} />
                </td>
                <td className="truncate px-3">
                  <Link to={{ pathname: `/contacts/${contact.id}`, search: location.search }} className="font-medium hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
                    {contact.name || <span className="text-muted-foreground">{t("contacts.noName")}</span>}
                  </Link>
                  <span className="block truncate text-xs tabular-nums text-muted-foreground sm:hidden">{contact.phone}</span>
                </td>
                <td className="hidden truncate px-3 tabular-nums sm:table-cell">{contact.phone}</td>
                <td className="hidden truncate px-3 md:table-cell">{contact.email ?? ""}</td>
                <td className="hidden px-3 lg:table-cell">
                  <div className="flex max-h-10 flex-wrap gap-1 overflow-hidden">
                    {contact.tags.map((tag) => (
                      <Badge key={tag.id} variant="outline" className="gap-1.5">
                        <span aria-hidden="true" className="size-2 rounded-full" style={{ background: tag.color }} />
                        {tag.name}
                      </Badge>
                    ))}
                  </div>
                </td>
                <td className="hidden truncate px-3 text-muted-foreground xl:table-cell">{format.date(contact.created_at)}</td>
              </tr>
            );
          })}
          {bottom > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={6} style={{ height: bottom, padding: 0 }} />
            </tr>
          ) : null}
        </tbody>
      </table>
      {loadingMore ? (
        <p role="status" className="p-3 text-center text-sm text-muted-foreground">
          {t("common:loading")}
        </p>
      ) : null}
    </div>
  );
}
