/** Contact imports: `GET/POST /v1/contacts/imports`, the file (`PUT …/{id}/file`, or the presigned `upload_url`
 * then `POST …/{id}/uploaded`), `POST …/{id}/start`, `GET …/{id}` (also live as `contacts.import.progress` on the
 * `import:{id}` topic) and `GET …/{id}/rejections.csv`. */
import { useEffect } from "react";
import { queryOptions, useMutation, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { api, fetchWithAuth, unwrap } from "@/lib/api/client";
import { ApiError, toApiError } from "@/lib/api/problem";
import type { Schema } from "@/lib/api/types";
import { accessToken, refresh } from "@/lib/auth/session";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import { useRealtimeEvent, useTopic } from "@/lib/realtime/hooks";
import { realtime } from "@/lib/realtime/socket";
import { saveResponse } from "./contacts";

export type ContactImport = Schema<"ImportRead">;

export const importKeys = {
  all: ["imports"] as const,
  list: ["imports", "list"] as const,
  one: (id: string) => ["imports", "one", id] as const,
};

/** Still moving: the worker has it or will. */
export const isRunning = (status: string) => status === "queued" || status === "processing";

export const getImports = (cursor: string | undefined) => unwrap(api.GET("/v1/contacts/imports", { params: { query: { cursor, limit: 20 } } }));
export const getImport = (id: string) => unwrap(api.GET("/v1/contacts/imports/{import_id}", { params: { path: { import_id: id } } }));
export const createImport = (filename: string) => unwrap(api.POST("/v1/contacts/imports", { body: { filename } }));
export const startImport = (id: string, mapping: Record<string, string>) =>
  unwrap(api.POST("/v1/contacts/imports/{import_id}/start", { params: { path: { import_id: id } }, body: { mapping } }));
const markUploaded = (id: string) => unwrap(api.POST("/v1/contacts/imports/{import_id}/uploaded", { params: { path: { import_id: id } } }));

function patch(row: ContactImport, data: Partial<ContactImport>): ContactImport {
  const { status, total, processed, inserted, updated, rejected } = data;
  return {
    ...row,
    status: status ?? row.status,
    total: total ?? row.total,
    processed: processed ?? row.processed,
    inserted: inserted ?? row.inserted,
    updated: updated ?? row.updated,
    rejected: rejected ?? row.rejected,
  };
}

/** The recent imports; the running ones are followed (their topics) and patched from their frames. */
export function useImports() {
  const client = useQueryClient();
  const list = useCursorList(importKeys.list, getImports);
  const running = list.items.filter((i) => isRunning(i.status)).map((i) => i.id);
  useTopics(running.map((id) => `import:${id}`));
  useRealtimeEvent(["contacts.import.progress"], (frame) => {
    const data = frame.data as Partial<ContactImport> & { import_id?: string };
    client.setQueryData<InfiniteData<{ items: ContactImport[] }>>(importKeys.list, (old) =>
      old ? { ...old, pages: old.pages.map((p) => ({ ...p, items: p.items.map((i) => (i.id === data.import_id ? patch(i, data) : i)) })) } : old,
    );
  });
  return list;
}

/** Follow several topics at once (the list's running imports). */
function useTopics(topics: string[]) {
  const key = topics.join(",");
  useEffect(() => {
    const stops = key ? key.split(",").map((topic) => realtime.follow(topic)) : [];
    return () => stops.forEach((stop) => stop());
  }, [key]);
}

export const importQuery = (id: string) => queryOptions({ queryKey: importKeys.one(id), queryFn: () => getImport(id) });

/** One import, kept current by its `contacts.import.progress` frames while the screen is open. */
export function useLiveImport(id: string) {
  const client = useQueryClient();
  const query = useQuery(importQuery(id));
  const status = query.data?.status;
  // followed from the mapping step on, so the first frames after "start" cannot be missed
  const topic = status === "uploaded" || (status && isRunning(status)) ? `import:${id}` : null;
  useTopic(topic);
  const runningWhenFollowed = !!topic && !!status && isRunning(status);
  useEffect(() => {
    if (!topic || !runningWhenFollowed) return;
    // opened while it runs: frames between the first fetch and the subscription would be missed
    const timer = setTimeout(() => void client.invalidateQueries({ queryKey: importKeys.one(id) }), 2000);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per topic followed
  }, [topic]);
  useRealtimeEvent(["contacts.import.progress"], (frame) => {
    if (frame.data.import_id !== id) return;
    const data = frame.data as Partial<ContactImport>;
    const next = data.status;
    client.setQueryData<ContactImport>(importKeys.one(id), (old) => (old ? patch(old, data) : old));
    if (next && !isRunning(next)) {
      void client.invalidateQueries({ queryKey: importKeys.one(id) }); // finished_at, error
      void client.invalidateQueries({ queryKey: importKeys.list });
      void client.invalidateQueries({ queryKey: ["contacts"] });
      void client.invalidateQueries({ queryKey: ["tags"] });
    }
  });
  return query;
}

/** PUT a file with upload progress (fetch has none): to the API with the session's token, or to a presigned URL. */
function put(url: string, file: File, token: string | null, onProgress: (fraction: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, title: "Network error", detail: "The upload failed: check the connection and try again." }));
    xhr.send(file);
  });
}

/** Create the import and send its file; the answer has the CSV's headers and the suggested mapping. */
export async function uploadImport(file: File, onProgress: (fraction: number) => void): Promise<ContactImport> {
  const created = await createImport(file.name);
  if (created.upload_url) {
    const sent = await put(created.upload_url, file, null, onProgress);
    if (sent.status < 200 || sent.status >= 300) throw new ApiError({ status: sent.status, title: "Upload failed", detail: "The file could not be stored." });
    return markUploaded(created.id);
  }
  const path = `/v1/contacts/imports/${created.id}/file`;
  let sent = await put(path, file, accessToken(), onProgress);
  if (sent.status === 401) {
    const fresh = await refresh();
    if (fresh) sent = await put(path, file, fresh, onProgress);
  }
  if (sent.status < 200 || sent.status >= 300) throw toApiError(sent.body, new Response(null, { status: sent.status }));
  return sent.body as ContactImport;
}

export function useUploadImport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, onProgress }: { file: File; onProgress: (fraction: number) => void }) => uploadImport(file, onProgress),
    onSuccess: (row) => {
      client.setQueryData(importKeys.one(row.id), row);
      void client.invalidateQueries({ queryKey: importKeys.list });
    },
  });
}

export function useStartImport(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (mapping: Record<string, string>) => startImport(id, mapping),
    onSuccess: (row) => {
      client.setQueryData(importKeys.one(id), row);
      client.setQueryData<InfiniteData<{ items: ContactImport[] }>>(importKeys.list, (old) =>
        old ? { ...old, pages: old.pages.map((p) => ({ ...p, items: p.items.map((i) => (i.id === id ? row : i)) })) } : old,
      );
    },
  });
}

export async function downloadRejections(id: string): Promise<void> {
  await saveResponse(await fetchWithAuth(`/v1/contacts/imports/${id}/rejections.csv`), `rejected-${id}.csv`);
}
