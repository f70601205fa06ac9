import { useDroppable } from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { useEffect, useId, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import type { Column, Lead } from "../lib/board";
import { LeadCard, type SuggestionHandlers } from "./lead-card";

interface Props {
  column: Column;
  /** The cards as shown (during a drag, with the dragged card where it hovers). */
  leads: Lead[];
  ownerName: (id: string | null) => string | null;
  onOpen: (id: string) => void;
  onLoadMore: (column: Column) => void;
  loadingMore: boolean;
  suggestions?: SuggestionHandlers;
}

/** One stage: its name and colour, count, value totals and WIP limit, and its cards (the next page loads as the
 * column is scrolled to its end). */
export function BoardColumn({ column, leads, ownerName, onOpen, onLoadMore, loadingMore, suggestions }: Props) {
  const { t } = useTranslation("pipelines");
  const format = useFormat();
  const heading = useId();
  const { stage, totals } = column;
  // the column's droppable is its scrolling area, whose corners are not its first card's (keyboard moves find cards)
  const { setNodeRef, isOver } = useDroppable({ id: `column:${stage.id}` });
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const more = column.next_cursor !== null;
  const full = stage.wip_limit !== null && totals.count >= stage.wip_limit;

  const load = useRef(() => onLoadMore(column));
  useEffect(() => {
    load.current = () => onLoadMore(column);
  });
  useEffect(() => {
    if (!more || !sentinel.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && load.current(), { root: scroller.current, rootMargin: "200px" });
    observer.observe(sentinel.current);
    return () => observer.disconnect();
  }, [more]);

  return (
    <section aria-labelledby={heading} className="flex max-h-full w-72 shrink-0 flex-col rounded-lg border bg-muted/40" data-stage={stage.name}>
      <header className="grid gap-1 border-b p-3" style={{ borderTop: `4px solid ${stage.color}`, borderTopLeftRadius: 8, borderTopRightRadius: 8 }}>
        <div className="flex items-center justify-between gap-2">
          <h2 id={heading} className="truncate text-sm font-semibold">
            {stage.name}
          </h2>
          <span className={cn("rounded-full px-2 text-xs tabular-nums", full ? "bg-amber-100 text-amber-900" : "bg-background")}>
            {stage.wip_limit !== null ? t("column.countOfLimit", { count: totals.count, limit: stage.wip_limit }) : t("column.count", { count: totals.count })}
          </span>
        </div>
        <p className="text-xs text-muted-foreground tabular-nums">
          {totals.values.length ? totals.values.map((v) => format.currency(Number(v.value), v.currency)).join(" · ") : t("column.noValue")}
          {full ? <span className="ml-1 font-medium text-amber-900">· {t("column.full")}</span> : null}
        </p>
      </header>
      <div
        ref={(node) => {
          scroller.current = node;
          setNodeRef(node);
        }}
        className={cn("min-h-0 flex-1 overflow-y-auto rounded-b-lg p-2", isOver && "bg-accent/60")}
      >
        <SortableContext id={stage.id} items={leads.map((l) => l.id)} strategy={verticalListSortingStrategy}>
          <ul className="grid min-h-16 content-start gap-2 rounded-md" aria-label={t("column.cards", { stage: stage.name })}>
            {leads.map((lead) => (
              <LeadCard key={lead.id} lead={lead} ownerName={ownerName} onOpen={onOpen} suggestions={suggestions} />
            ))}
          </ul>
        </SortableContext>
        {!leads.length ? <p className="px-1 py-2 text-xs text-muted-foreground">{t("column.empty")}</p> : null}
        {more ? (
          <div ref={sentinel} className="pt-2">
            <Button variant="ghost" size="sm" className="w-full" disabled={loadingMore} onClick={() => onLoadMore(column)}>
              {loadingMore ? t("common:loading") : t("column.loadMore")}
            </Button>
          </div>
        ) : null}
      </div>
    </section>
  );
}
