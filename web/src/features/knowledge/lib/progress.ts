/**
 * A document's ingestion as the list shows it, patched from the live progress frames. Frames arrive at least once
 * and not always in order (a catch-up after a reconnect overlaps live ones), so a frame never takes a document
 * back: an older upload's (lower `version`) or an older run's (lower `attempt`) frames are dropped, and within one
 * run the status only moves forward (queued → processing → ready | failed) and the count only grows.
 */

export type DocumentStatus = "queued" | "processing" | "ready" | "failed";

export interface DocumentState {
  id: string;
  status: string;
  version?: number;
  attempt?: number;
  processed_chunks?: number;
  total_chunks?: number | null;
  error?: { code: string; message: string } | null;
}

/** What a progress frame may say (every field but the document's id is optional). */
export interface ProgressFrame {
  document_id: string;
  status?: string;
  version?: number;
  attempt?: number;
  processed_chunks?: number;
  total_chunks?: number | null;
  error?: { code: string; message: string } | null;
}

/** The `knowledge.document.progress` frame's data, as the API sends it. */
export interface DocumentProgressData {
  knowledge_base_id: string;
  document_id: string;
  version: number;
  status: string;
  processed: number;
  total?: number | null;
  error_code?: string | null;
}

/** The frame in the list's terms (its error's sentence comes with the document, read again once it failed). */
export function frameOf(data: DocumentProgressData): ProgressFrame {
  const frame: ProgressFrame = { document_id: data.document_id, status: data.status, version: data.version, processed_chunks: data.processed };
  if (data.total !== undefined) frame.total_chunks = data.total;
  if (data.status === "failed" && data.error_code) frame.error = { code: data.error_code, message: "" };
  return frame;
}

const RANK: Record<string, number> = { queued: 0, processing: 1, ready: 2, failed: 2 };

export const isWorking = (status: string) => status === "queued" || status === "processing";

/** The document with the frame applied, or the same object when the frame is stale (React keeps its render). */
export function applyFrame<T extends DocumentState>(doc: T, frame: ProgressFrame): T {
  if (frame.document_id !== doc.id) return doc;
  const version = frame.version ?? doc.version;
  if (doc.version !== undefined && version !== undefined && version < doc.version) return doc;
  const newer = (doc.version !== undefined && version !== undefined && version > doc.version) || (frame.attempt !== undefined && doc.attempt !== undefined && frame.attempt > doc.attempt);
  if (!newer && frame.attempt !== undefined && doc.attempt !== undefined && frame.attempt < doc.attempt) return doc;
  const status = frame.status ?? doc.status;
  if (!newer && (RANK[status] ?? 0) < (RANK[doc.status] ?? 0)) return doc;
  if (!newer && status === doc.status && frame.processed_chunks !== undefined && doc.processed_chunks !== undefined && frame.processed_chunks < doc.processed_chunks) return doc;
  const next: T = { ...doc, status };
  if (version !== undefined) next.version = version;
  if (frame.attempt !== undefined) next.attempt = frame.attempt;
  if (frame.processed_chunks !== undefined) next.processed_chunks = frame.processed_chunks;
  if (frame.total_chunks !== undefined) next.total_chunks = frame.total_chunks;
  if (status !== "failed") next.error = null;
  else if (frame.error !== undefined) next.error = frame.error;
  return next;
}

/** The list with the frame applied to its document (the same array when nothing changed). */
export function applyToList<T extends DocumentState>(docs: T[], frame: ProgressFrame): T[] {
  let changed = false;
  const out = docs.map((d) => {
    const next = applyFrame(d, frame);
    if (next !== d) changed = true;
    return next;
  });
  return changed ? out : docs;
}

/** How far along, 0–100; null while the total is not known yet (the bar is then indeterminate). */
export function percentOf(doc: DocumentState): number | null {
  if (doc.status === "ready") return 100;
  if (!doc.total_chunks) return null;
  return Math.max(0, Math.min(100, Math.round(((doc.processed_chunks ?? 0) / doc.total_chunks) * 100)));
}
