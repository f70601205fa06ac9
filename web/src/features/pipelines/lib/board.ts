/** The board's pure logic: where a dropped card goes (its neighbours), and the board as it is after a move. */
import type { Schema } from "@/lib/api/types";

export type Board = Schema<"Board">;
export type Column = Schema<"BoardColumn">;
export type Lead = Schema<"LeadRead">;
export type Stage = Schema<"StageRead">;

/** Each column's card ids, top first. */
export type Arrangement = Record<string, string[]>;

export interface Neighbours {
  after_id?: string;
  before_id?: string;
}

/** The move's neighbours for `leadId` where it sits in `ids`: right after the card above it, or right before the
 * card below it when it is the top one; neither when the column holds it alone (the server puts it at the top). */
export function neighbours(ids: readonly string[], leadId: string): Neighbours {
  const index = ids.indexOf(leadId);
  if (index < 0) throw new Error(`${leadId} is not in the column`);
  if (index > 0) return { after_id: ids[index - 1]! };
  if (ids.length > 1) return { before_id: ids[1]! };
  return {};
}

export function arrangementOf(board: Board): Arrangement {
  return Object.fromEntries(board.columns.map((column) => [column.stage.id, column.leads.map((lead) => lead.id)]));
}

/** The column (stage id) holding `id`: a card's id, or a column's own droppable id (`column:<stage id>`). */
export function containerOf(arrangement: Arrangement, id: string): string | null {
  if (id.startsWith("column:")) return id.slice("column:".length);
  for (const [stage, ids] of Object.entries(arrangement)) if (ids.includes(id)) return stage;
  return null;
}

/** `ids` with the item at `from` moved to `to`. */
export function arrayMove<T>(ids: readonly T[], from: number, to: number): T[] {
  const out = [...ids];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

/** While dragging over another column: the card leaves its column for `overId`'s, at `overId`'s place (at the
 * end when over the column itself, or below the card when `below`). Null when nothing changes. */
export function dragOver(arrangement: Arrangement, activeId: string, overId: string, below = false): Arrangement | null {
  const from = containerOf(arrangement, activeId);
  const to = containerOf(arrangement, overId);
  if (!from || !to || from === to) return null;
  const target = arrangement[to]!.filter((id) => id !== activeId);
  let index = overId.startsWith("column:") ? target.length : target.indexOf(overId);
  if (index < 0) index = target.length;
  else if (below && !overId.startsWith("column:")) index += 1;
  target.splice(index, 0, activeId);
  return { ...arrangement, [from]: arrangement[from]!.filter((id) => id !== activeId), [to]: target };
}

/** At the drop: the card over `overId` within its (new) column. */
export function dragEnd(arrangement: Arrangement, activeId: string, overId: string | null): Arrangement {
  const stage = containerOf(arrangement, activeId);
  if (!stage || !overId || overId.startsWith("column:")) return arrangement;
  const ids = arrangement[stage]!;
  const from = ids.indexOf(activeId);
  const to = ids.indexOf(overId);
  if (to < 0 || from === to) return arrangement;
  return { ...arrangement, [stage]: arrayMove(ids, from, to) };
}

/** Cents of a decimal string ("1500.5" → 150050), to add values without float drift. */
function cents(value: string): number {
  const [whole = "0", fraction = ""] = value.trim().replace(/^-/, "").split(".");
  const sign = value.trim().startsWith("-") ? -1 : 1;
  return sign * (Number(whole) * 100 + Number((fraction + "00").slice(0, 2)));
}

function decimal(total: number): string {
  const sign = total < 0 ? "-" : "";
  const abs = Math.abs(total);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

function withValue(totals: Column["totals"], lead: Lead, sign: 1 | -1): Column["totals"] {
  const values = [...totals.values];
  if (lead.value !== null) {
    const at = values.findIndex((v) => v.currency === lead.currency);
    const current = at >= 0 ? cents(values[at]!.value) : 0;
    const next = { currency: lead.currency, value: decimal(current + sign * cents(lead.value)) };
    if (at >= 0) values[at] = next;
    else values.push(next);
  }
  return { count: Math.max(0, totals.count + sign), values: values.filter((v) => cents(v.value) !== 0 || v.currency === lead.currency) };
}

/** The board with `lead` moved to `toStage` at `index` (its column's other cards keep their order); the totals
 * follow. `lead` is the card as it should be shown (its new stage, version). */
export function placeLead(board: Board, lead: Lead, toStage: string, index: number): Board {
  const old = board.columns.find((column) => column.leads.some((l) => l.id === lead.id));
  const previous = old?.leads.find((l) => l.id === lead.id);
  return {
    ...board,
    columns: board.columns.map((column) => {
      let { leads, totals } = column;
      if (previous && column === old) {
        leads = leads.filter((l) => l.id !== lead.id);
        if (column.stage.id !== toStage) totals = withValue(totals, previous, -1);
      }
      if (column.stage.id === toStage) {
        leads = [...leads];
        leads.splice(Math.min(index, leads.length), 0, { ...lead, stage_id: toStage });
        if (column !== old) totals = withValue(totals, lead, 1);
      }
      return leads === column.leads && totals === column.totals ? column : { ...column, leads, totals };
    }),
  };
}

/** The board with the card's fields replaced where it is (the server's answer to a move or an edit). */
export function replaceLead(board: Board, lead: Lead): Board {
  return {
    ...board,
    columns: board.columns.map((column) =>
      column.leads.some((l) => l.id === lead.id) ? { ...column, leads: column.leads.map((l) => (l.id === lead.id ? lead : l)) } : column,
    ),
  };
}

export function findLead(board: Board, id: string): Lead | undefined {
  for (const column of board.columns) {
    const lead = column.leads.find((l) => l.id === id);
    if (lead) return lead;
  }
  return undefined;
}

/** A column's next page appended (cards already shown are not repeated). */
export function appendPage(board: Board, stageId: string, leads: Lead[], nextCursor: string | null): Board {
  return {
    ...board,
    columns: board.columns.map((column) => {
      if (column.stage.id !== stageId) return column;
      const seen = new Set(column.leads.map((l) => l.id));
      return { ...column, leads: [...column.leads, ...leads.filter((l) => !seen.has(l.id))], next_cursor: nextCursor };
    }),
  };
}
