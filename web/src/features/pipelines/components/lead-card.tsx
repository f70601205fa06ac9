import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { CalendarClock, GripVertical } from "lucide-react";
import { useTranslation } from "react-i18next";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import type { Lead } from "../lib/board";
import type { SuggestionView } from "../lib/suggestion";
import { SuggestionBox } from "./suggestion-box";

/** A due date (a plain date) as the user reads dates, never shifted by their timezone. */
export function useDueDate() {
  const format = useFormat();
  return (due: string) => format.dateTime(`${due}T12:00:00Z`, { dateStyle: "medium", timeZone: "UTC" });
}

export function useMoney() {
  const format = useFormat();
  return (value: string | null, currency: string) => (value === null ? null : format.currency(Number(value), currency));
}

/** A card's face: title, contact, value, owner, due date, tags. */
export function LeadCardBody({ lead, ownerName }: { lead: Lead; ownerName: (id: string | null) => string | null }) {
  const { t } = useTranslation("pipelines");
  const money = useMoney();
  const due = useDueDate();
  const owner = ownerName(lead.owner_id);
  const overdue = lead.due_date !== null && lead.status === "open" && lead.due_date < new Date().toISOString().slice(0, 10);
  return (
    <div className="grid min-w-0 gap-1 text-sm">
      <p className="text-xs text-muted-foreground [overflow-wrap:anywhere]">{lead.contact.name || lead.contact.phone}</p>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs">
        {lead.value !== null ? <span className="font-medium tabular-nums">{money(lead.value, lead.currency)}</span> : null}
        <span className="text-muted-foreground">{owner ?? t("card.unassigned")}</span>
        {lead.due_date ? (
          <span className={cn("inline-flex items-center gap-1", overdue ? "text-red-700" : "text-muted-foreground")}>
            <CalendarClock className="size-3" aria-hidden="true" />
            <span className="sr-only">{overdue ? t("card.overdue") : t("card.due")}</span>
            {due(lead.due_date)}
          </span>
        ) : null}
      </div>
      {lead.tags.length ? (
        <ul className="flex flex-wrap gap-1" aria-label={t("lead.tags")}>
          {lead.tags.map((tag) => (
            <li key={tag.id} className="rounded-full border px-1.5 text-[11px]" style={{ borderColor: tag.color ?? undefined }}>
              {tag.name}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** What a card does with the AI's suggestion on it. */
export interface SuggestionHandlers {
  view: (lead: Lead) => SuggestionView | null;
  busy: (lead: Lead) => boolean;
  accept: (lead: Lead, view: SuggestionView) => void;
  reject: (lead: Lead, view: SuggestionView) => void;
}

/** A sortable card: the whole card drags with the mouse or a finger; its grip is the keyboard's handle
 * (Space picks it up, arrows move it, Space drops it, Escape puts it back); its title opens the lead. The AI's
 * pending suggestion shows under it, to accept or reject. */
export function LeadCard({
  lead,
  ownerName,
  onOpen,
  suggestions,
}: {
  lead: Lead;
  ownerName: (id: string | null) => string | null;
  onOpen: (id: string) => void;
  suggestions?: SuggestionHandlers;
}) {
  const { t } = useTranslation("pipelines");
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: lead.id, data: { lead } });
  const { onPointerDown, onKeyDown } = (listeners ?? {}) as { onPointerDown?: React.PointerEventHandler; onKeyDown?: React.KeyboardEventHandler };
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      className={cn("flex touch-none gap-1 rounded-md border bg-card p-2 shadow-sm", isDragging && "opacity-50 ring-2 ring-primary")}
      onPointerDown={onPointerDown}
      data-lead={lead.id}
    >
      <button
        ref={setActivatorNodeRef}
        type="button"
        {...attributes}
        onKeyDown={onKeyDown}
        aria-label={t("card.move", { title: lead.title })}
        className="-ml-1 self-start rounded p-0.5 text-muted-foreground hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
      >
        <GripVertical className="size-4" aria-hidden="true" />
      </button>
      <div className="min-w-0 flex-1">
        <button
          type="button"
          className="text-left text-sm font-medium underline-offset-4 [overflow-wrap:anywhere] hover:underline focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          onClick={() => onOpen(lead.id)}
        >
          {lead.title}
        </button>
        <LeadCardBody lead={lead} ownerName={ownerName} />
        <CardSuggestion lead={lead} suggestions={suggestions} />
      </div>
    </li>
  );
}

function CardSuggestion({ lead, suggestions }: { lead: Lead; suggestions: SuggestionHandlers | undefined }) {
  const view = suggestions?.view(lead);
  if (!suggestions || !view) return null;
  return (
    <SuggestionBox
      view={view}
      title={lead.title}
      busy={suggestions.busy(lead)}
      onAccept={() => suggestions.accept(lead, view)}
      onReject={() => suggestions.reject(lead, view)}
    />
  );
}
