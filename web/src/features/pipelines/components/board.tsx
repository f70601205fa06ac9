import {
  closestCorners,
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  TouchSensor,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
} from "@dnd-kit/core";
import { sortableKeyboardCoordinates } from "@dnd-kit/sortable";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { useRealtimeEvent, useTopic } from "@/lib/realtime/hooks";
import { isNews, loadMoreCards, pipelineKeys, useAcceptSuggestion, useMoveLead, useRejectSuggestion, type AppointmentCreate, type BoardFilters, type MoveVariables } from "../api/pipelines";
import { arrangementOf, containerOf, dragEnd, dragOver, neighbours, type Arrangement, type Board as BoardData, type Column, type Lead } from "../lib/board";
import { needsAppointment, suggestionView, touchesSuggestion, type SuggestionView } from "../lib/suggestion";
import { AppointmentDialog } from "./appointment-dialog";
import { BoardColumn } from "./board-column";
import { LeadCardBody, type SuggestionHandlers } from "./lead-card";
import { ReasonDialog } from "./reason-dialog";
import { RejectSuggestionDialog } from "./suggestion-box";

const LEAD_FRAMES = ["lead.created", "lead.updated", "lead.stage_changed", "lead.won", "lead.lost", "ai.stage_proposed"];

interface Pending {
  move: MoveVariables;
  kind: "meeting" | "won" | "lost";
  arrangement: Arrangement;
}

/** A suggestion being decided: its acceptance waiting for an appointment, or its rejection for a reason. */
interface Deciding {
  lead: Lead;
  view: SuggestionView;
  kind: "appointment" | "reject";
}

/** The board: a column per stage; cards move by drag and drop (mouse, touch or keyboard), shown at once and put
 * back when the server refuses; into a meeting stage an appointment is asked for, into won or lost a reason.
 * Moves by others arrive live (`pipeline:{id}`). */
export function Board({ board, filters, ownerName, onOpen }: { board: BoardData; filters: BoardFilters; ownerName: (id: string | null) => string | null; onOpen: (id: string) => void }) {
  const { t } = useTranslation("pipelines");
  const client = useQueryClient();
  const pipelineId = board.pipeline.id;
  const move = useMoveLead(pipelineId, filters);
  const [drag, setDrag] = useState<{ activeId: string; arrangement: Arrangement } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [loading, setLoading] = useState<string | null>(null);
  const accept = useAcceptSuggestion(pipelineId, filters);
  const reject = useRejectSuggestion(pipelineId, filters);
  const [deciding, setDeciding] = useState<Deciding | null>(null);
  const decidingId = accept.isPending || reject.isPending ? (accept.variables?.lead.id ?? reject.variables?.lead.id) : undefined;
  const stages = board.pipeline.stages;
  const suggestions: SuggestionHandlers = {
    view: (lead) => suggestionView(lead, stages),
    busy: (lead) => lead.id === decidingId,
    accept: (lead, view) =>
      accept.mutate(
        { lead, suggestionId: view.suggestion.id },
        {
          onSuccess: () => toast.success(t("suggestion.accepted", { title: lead.title, stage: view.stageName })),
          onError: (error) => (needsAppointment(error) ? setDeciding({ lead, view, kind: "appointment" }) : toast.error(error.message)),
        },
      ),
    reject: (lead, view) => setDeciding({ lead, view, kind: "reject" }),
  };

  useTopic(`pipeline:${pipelineId}`);
  useRealtimeEvent(LEAD_FRAMES, (frame) => {
    const data = frame.data as { pipeline_id?: string; lead_id?: string; version?: number };
    if (data.pipeline_id !== pipelineId || !data.lead_id) return;
    // a suggestion made or decided leaves the lead's version as it was: always news
    if (frame.type !== "lead.created" && !touchesSuggestion(frame) && !isNews(client, pipelineId, data.lead_id, data.version ?? Infinity)) return;
    void client.invalidateQueries({ queryKey: pipelineKeys.boards(pipelineId) });
    void client.invalidateQueries({ queryKey: pipelineKeys.lead(data.lead_id) });
    void client.invalidateQueries({ queryKey: pipelineKeys.timeline(data.lead_id) });
  });

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates, keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] } }),
  );

  const leadsById = useMemo(() => {
    const map = new Map<string, Lead>();
    for (const column of board.columns) for (const lead of column.leads) map.set(lead.id, lead);
    return map;
  }, [board]);
  const stageName = (id: string | null | undefined) => board.columns.find((c) => c.stage.id === id)?.stage.name ?? "";
  const shown: Arrangement = pending?.arrangement ?? drag?.arrangement ?? arrangementOf(board);

  const place = (arrangement: Arrangement, id: string) => {
    const stage = containerOf(arrangement, id);
    const ids = stage ? arrangement[stage]! : [];
    return { stage, position: ids.indexOf(id) + 1, size: ids.length };
  };
  // where the card lands if dropped now (the state may not have caught up with the last move yet)
  const projected = (arrangement: Arrangement, activeId: string, overId: string) => dragEnd(dragOver(arrangement, activeId, overId) ?? arrangement, activeId, overId);
  const title = (id: string | number) => leadsById.get(String(id))?.title ?? "";
  const announcements: Announcements = {
    onDragStart: ({ active }) => {
      const at = place(shown, String(active.id));
      return t("dnd.picked", { title: title(active.id), stage: stageName(at.stage), position: at.position, size: at.size });
    },
    onDragOver: ({ active, over }) => {
      if (!over || !drag) return t("dnd.noTarget", { title: title(active.id) });
      const at = place(projected(drag.arrangement, String(active.id), String(over.id)), String(active.id));
      return t("dnd.over", { title: title(active.id), stage: stageName(at.stage), position: at.position, size: at.size });
    },
    onDragEnd: ({ active, over }) => {
      if (!over || !drag) return t("dnd.cancelled", { title: title(active.id) });
      const at = place(projected(drag.arrangement, String(active.id), String(over.id)), String(active.id));
      return t("dnd.dropped", { title: title(active.id), stage: stageName(at.stage), position: at.position, size: at.size });
    },
    onDragCancel: ({ active }) => t("dnd.cancelled", { title: title(active.id) }),
  };

  const onDragStart = ({ active }: DragStartEvent) => setDrag({ activeId: String(active.id), arrangement: arrangementOf(board) });
  const onDragOver = ({ active, over }: DragOverEvent) => {
    if (!over || !drag) return;
    const activeRect = active.rect.current.translated;
    const below = !!activeRect && activeRect.top > over.rect.top + over.rect.height / 2;
    const next = dragOver(drag.arrangement, String(active.id), String(over.id), below);
    if (next) setDrag({ ...drag, arrangement: next });
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!drag) return;
    const id = String(active.id);
    const lead = leadsById.get(id);
    const final = over ? dragEnd(drag.arrangement, id, String(over.id)) : null;
    setDrag(null);
    if (!lead || !final) return;
    const toStageId = containerOf(final, id)!;
    const ids = final[toStageId]!;
    const original = arrangementOf(board);
    if (toStageId === lead.stage_id && original[toStageId]!.join() === ids.join()) return;
    const variables: MoveVariables = { lead, toStageId, index: ids.indexOf(id), neighbours: neighbours(ids, id) };
    const stage = board.columns.find((c) => c.stage.id === toStageId)!.stage;
    const entering = toStageId !== lead.stage_id;
    if (entering && stage.semantic_type === "meeting_scheduled") setPending({ move: variables, kind: "meeting", arrangement: final });
    else if (entering && (stage.semantic_type === "won" || stage.semantic_type === "lost")) setPending({ move: variables, kind: stage.semantic_type, arrangement: final });
    else move.mutate(variables);
  };

  const loadMore = (column: Column) => {
    if (!column.next_cursor || loading) return;
    setLoading(column.stage.id);
    loadMoreCards(client, pipelineId, filters, column.stage.id, column.next_cursor)
      .catch((error: Error) => toast.error(error.message))
      .finally(() => setLoading(null));
  };

  const active = drag ? leadsById.get(drag.activeId) : undefined;
  const pendingStage = pending ? stageName(pending.move.toStageId) : "";
  return (
    <>
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={onDragEnd}
        onDragCancel={() => setDrag(null)}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t("dnd.instructions") } }}
      >
        <div className="flex h-[calc(100vh-15rem)] min-h-96 gap-3 overflow-x-auto pb-2" role="region" aria-label={t("board.label", { name: board.pipeline.name })} tabIndex={0}>
          {board.columns.map((column) => (
            <BoardColumn
              key={column.stage.id}
              column={column}
              leads={(shown[column.stage.id] ?? []).map((id) => leadsById.get(id)).filter((l): l is Lead => !!l)}
              ownerName={ownerName}
              onOpen={onOpen}
              onLoadMore={loadMore}
              loadingMore={loading === column.stage.id}
              suggestions={suggestions}
            />
          ))}
        </div>
        <DragOverlay>
          {active ? (
            <div className="w-68 rounded-md border bg-card p-2 shadow-lg">
              <p className="text-sm font-medium">{active.title}</p>
              <LeadCardBody lead={active} ownerName={ownerName} />
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
      {pending?.kind === "meeting" ? (
        <AppointmentDialog
          lead={pending.move.lead}
          stageName={pendingStage}
          pending={move.isPending}
          error={move.error}
          onCancel={() => setPending(null)}
          onSubmit={(appointment: AppointmentCreate) =>
            move.mutate({ ...pending.move, appointment }, { onSuccess: () => setPending(null), onError: (e) => !(e && "status" in e && e.status === 422) && setPending(null) })
          }
        />
      ) : null}
      {deciding?.kind === "appointment" ? (
        <AppointmentDialog
          lead={deciding.lead}
          stageName={deciding.view.stageName}
          pending={accept.isPending}
          error={accept.error && !needsAppointment(accept.error) ? accept.error : null}
          onCancel={() => setDeciding(null)}
          onSubmit={(appointment: AppointmentCreate) =>
            accept.mutate(
              { lead: deciding.lead, suggestionId: deciding.view.suggestion.id, appointment },
              {
                onSuccess: () => {
                  setDeciding(null);
                  toast.success(t("suggestion.accepted", { title: deciding.lead.title, stage: deciding.view.stageName }));
                },
                onError: (error) => {
                  // a field of the appointment is the dialog's to show; anything else closes it
                  if (!(error && "status" in error && error.status === 422)) {
                    setDeciding(null);
                    toast.error(error.message);
                  }
                },
              },
            )
          }
        />
      ) : null}
      {deciding?.kind === "reject" ? (
        <RejectSuggestionDialog
          title={deciding.lead.title}
          stageName={deciding.view.stageName}
          pending={reject.isPending}
          onCancel={() => setDeciding(null)}
          onSubmit={(reason) => {
            setDeciding(null);
            reject.mutate(
              { lead: deciding.lead, suggestionId: deciding.view.suggestion.id, reason },
              { onSuccess: () => toast.success(t("suggestion.rejected", { title: deciding.lead.title })), onError: (error) => toast.error(error.message) },
            );
          }}
        />
      ) : null}
      {pending && pending.kind !== "meeting" ? (
        <ReasonDialog
          outcome={pending.kind}
          title={pending.move.lead.title}
          pending={move.isPending}
          onCancel={() => setPending(null)}
          onSubmit={(reason) => move.mutate({ ...pending.move, reason }, { onSettled: () => setPending(null) })}
        />
      ) : null}
    </>
  );
}

