/** Knowledge bases: `GET/POST /v1/knowledge-bases`, `GET/PATCH/DELETE …/{id}`; their documents (`GET …/documents`,
 * a file sent to an upload (`POST …/uploads`, then its bytes to the upload's URL) named on `POST …/documents`, or a
 * page as JSON `{url}`; a new file `PUT …/documents/{doc}`, `DELETE`), followed live by their ingestion frames; and
 * `POST …/search` to try retrieval. */
import { useMutation, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/problem";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import { useRealtimeEvent, useTopic } from "@/lib/realtime/hooks";
import { applyToList, frameOf, isWorking, type DocumentProgressData } from "../lib/progress";

/** A document's ingestion (queued, processing with counts, ready or failed) and a base's re-embedding, live. */
const DOCUMENT_PROGRESS = "knowledge.document.progress";
const BASE_PROGRESS = "knowledge.base.progress";

export type KnowledgeBase = Schema<"KnowledgeBaseRead">;
export type KnowledgeDocument = Schema<"DocumentRead">;
export type Passage = Schema<"PassageRead">;
type DocumentPage = Schema<"Page_DocumentRead_">;
type DocumentPages = InfiniteData<DocumentPage, unknown>;

/** Every cached page of documents with `edit` applied to its items. */
function editPages(old: DocumentPages | undefined, edit: (items: KnowledgeDocument[], first: boolean) => KnowledgeDocument[]): DocumentPages | undefined {
  return old ? { ...old, pages: old.pages.map((page, i) => ({ ...page, items: edit(page.items, i === 0) })) } : old;
}

export const knowledgeKeys = {
  all: ["knowledge-bases"] as const,
  list: ["knowledge-bases", "list"] as const,
  one: (id: string) => ["knowledge-bases", "one", id] as const,
  documents: (id: string) => ["knowledge-bases", "documents", id] as const,
};

const kbPath = (id: string) => ({ params: { path: { knowledge_base_id: id } } });

/** The company's knowledge bases, newest first, a page at a time. */
export function useKnowledgeBases() {
  return useCursorList(knowledgeKeys.list, (cursor) => unwrap(api.GET("/v1/knowledge-bases", { params: { query: { cursor } } })));
}

export function useKnowledgeBase(id: string) {
  return useQuery({ queryKey: knowledgeKeys.one(id), queryFn: () => unwrap(api.GET("/v1/knowledge-bases/{knowledge_base_id}", kbPath(id))) });
}

/** The documents, newest first, a page at a time. */
export function useDocuments(id: string) {
  return useCursorList(knowledgeKeys.documents(id), (cursor) =>
    unwrap(api.GET("/v1/knowledge-bases/{knowledge_base_id}/documents", { params: { path: { knowledge_base_id: id }, query: { cursor } } })),
  );
}

export function useCreateKnowledgeBase() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schema<"KnowledgeBaseCreate">) => unwrap(api.POST("/v1/knowledge-bases", { body })),
    onSuccess: (kb) => {
      client.setQueryData(knowledgeKeys.one(kb.id), kb);
      return client.invalidateQueries({ queryKey: knowledgeKeys.list });
    },
  });
}

export function useUpdateKnowledgeBase(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schema<"KnowledgeBaseUpdate">) => unwrap(api.PATCH("/v1/knowledge-bases/{knowledge_base_id}", { ...kbPath(id), body })),
    onSuccess: (kb) => {
      client.setQueryData(knowledgeKeys.one(id), kb);
      return client.invalidateQueries({ queryKey: knowledgeKeys.list });
    },
  });
}

export function useDeleteKnowledgeBase(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/knowledge-bases/{knowledge_base_id}", kbPath(id))),
    onSuccess: () => {
      client.removeQueries({ queryKey: knowledgeKeys.one(id) });
      client.removeQueries({ queryKey: knowledgeKeys.documents(id) });
      return client.invalidateQueries({ queryKey: knowledgeKeys.list });
    },
  });
}

/** PUT a file's bytes to an upload's URL with progress (fetch has none). No Authorization header: the URL is the
 * permission (S3's presigned URL on AWS, the API's own locally). */
function putFile(url: string, file: File, onProgress: (fraction: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (file.type) xhr.setRequestHeader("Content-Type", file.type);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve(xhr.status);
    xhr.onerror = () => reject(new ApiError({ status: 0, title: "Network error", detail: "The upload failed: check the connection and try again." }));
    xhr.send(file);
  });
}

/** A file sent to an upload, as a document names it. */
type UploadedFile = { upload_key: string; filename: string; content_type: string | null };

/** Send a file straight to storage (`POST …/uploads`, then its bytes to the URL that gives): what names it on the
 * document. Every file goes this way, whatever its size (on AWS an API request's body is at most 6 MB). */
async function sendFile(id: string, file: File, onProgress: (fraction: number) => void): Promise<UploadedFile> {
  const body = { filename: file.name, content_type: file.type || null, size_bytes: file.size };
  const upload = await unwrap(api.POST("/v1/knowledge-bases/{knowledge_base_id}/uploads", { ...kbPath(id), body }));
  const status = await putFile(upload.upload_url, file, onProgress);
  if (status < 200 || status >= 300) throw new ApiError({ status, title: "Upload failed", detail: "The file could not be stored: try again." });
  return { upload_key: upload.upload_key, filename: file.name, content_type: file.type || null };
}

export type Upload = { kind: "file"; file: File; title?: string } | { kind: "url"; url: string; title?: string };

/** Put a document in the cached list at once (it is then followed live). */
function useAddToList(id: string) {
  const client = useQueryClient();
  return (doc: KnowledgeDocument) =>
    client.setQueryData<DocumentPages>(knowledgeKeys.documents(id), (old) =>
      editPages(old, (items, first) => (first ? [doc, ...items.filter((d) => d.id !== doc.id)] : items.filter((d) => d.id !== doc.id))),
    );
}

export function useUploadDocument(id: string) {
  const add = useAddToList(id);
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ upload, onProgress }: { upload: Upload; onProgress: (fraction: number) => void }): Promise<KnowledgeDocument> => {
      if (upload.kind === "url") {
        return unwrap(api.POST("/v1/knowledge-bases/{knowledge_base_id}/documents", { ...kbPath(id), body: { url: upload.url, title: upload.title || undefined } }));
      }
      const sent = await sendFile(id, upload.file, onProgress);
      return unwrap(api.POST("/v1/knowledge-bases/{knowledge_base_id}/documents", { ...kbPath(id), body: { ...sent, title: upload.title || undefined } }));
    },
    onSuccess: (doc) => {
      add(doc);
      void client.invalidateQueries({ queryKey: knowledgeKeys.one(id) });
    },
  });
}

export function useReplaceDocument(id: string, documentId: string) {
  const add = useAddToList(id);
  return useMutation({
    mutationFn: async ({ file, onProgress }: { file: File; onProgress: (fraction: number) => void }) => {
      const body = await sendFile(id, file, onProgress);
      return unwrap(api.PUT("/v1/knowledge-bases/{knowledge_base_id}/documents/{document_id}", { params: { path: { knowledge_base_id: id, document_id: documentId } }, body }));
    },
    onSuccess: add,
  });
}

/** A page's document fetched again from its address (its chunks are replaced once the new text is read). */
export function useRefetchPage(id: string, documentId: string) {
  const add = useAddToList(id);
  return useMutation({
    mutationFn: (url: string) =>
      unwrap(api.PUT("/v1/knowledge-bases/{knowledge_base_id}/documents/{document_id}", { params: { path: { knowledge_base_id: id, document_id: documentId } }, body: { url } })),
    onSuccess: add,
  });
}

export function useDeleteDocument(id: string, documentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/knowledge-bases/{knowledge_base_id}/documents/{document_id}", { params: { path: { knowledge_base_id: id, document_id: documentId } } })),
    onSuccess: () => {
      client.setQueryData<DocumentPages>(knowledgeKeys.documents(id), (old) => editPages(old, (items) => items.filter((d) => d.id !== documentId)));
      void client.invalidateQueries({ queryKey: knowledgeKeys.one(id) });
    },
  });
}

export function useSearch(id: string) {
  return useMutation({
    mutationFn: (body: { question: string; k: number }) => unwrap(api.POST("/v1/knowledge-bases/{knowledge_base_id}/search", { ...kbPath(id), body })),
  });
}

/** The documents, kept current while the screen is open: the `knowledge.document.progress` frames of the topic
 * `knowledge_base:{id}` patch the list as they come (never backwards: see `applyToList`), and a document that
 * finished is read again for its final counts and error. While one is still in hand, the list is also asked again
 * now and then, for a frame missed while the socket was down. */
export function useLiveDocuments(id: string) {
  const client = useQueryClient();
  const documents = useDocuments(id);
  const working = documents.items.some((d) => isWorking(d.status));
  useTopic(`knowledge_base:${id}`);
  useRealtimeEvent([DOCUMENT_PROGRESS, BASE_PROGRESS], (frame) => {
    if (frame.data.knowledge_base_id !== id) return;
    if (frame.type === BASE_PROGRESS) {
      const data = frame.data as unknown as { state: KnowledgeBase["state"]; embedding_model: string; processed: number; total: number };
      client.setQueryData<KnowledgeBase>(knowledgeKeys.one(id), (old) =>
        old ? { ...old, state: data.state, embedding_model: data.embedding_model, reembed_processed: data.processed, reembed_total: data.total } : old,
      );
      if (data.state === "ready") void client.invalidateQueries({ queryKey: knowledgeKeys.one(id) });
      return;
    }
    const data = frame.data as unknown as DocumentProgressData;
    client.setQueryData<DocumentPages>(knowledgeKeys.documents(id), (old) => editPages(old, (items) => applyToList(items, frameOf(data))));
    if (!isWorking(data.status)) {
      void client.invalidateQueries({ queryKey: knowledgeKeys.documents(id) });
      void client.invalidateQueries({ queryKey: knowledgeKeys.one(id) });
    }
  });
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => void client.invalidateQueries({ queryKey: knowledgeKeys.documents(id) }), 10_000);
    return () => clearInterval(timer);
  }, [working, id, client]);
  return documents;
}
