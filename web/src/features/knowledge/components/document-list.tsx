/**
 * A knowledge base's documents with their ingestion: queued, a live progress bar while processing, ready (with its
 * passages), or failed with the reason said plainly (an encrypted PDF, an empty file, a page that cannot be
 * fetched). A document can be replaced by a new file (its passages are replaced once the new one is read) or
 * deleted (asked first).
 */
import { AlertTriangle, CheckCircle2, FileText, Globe, RefreshCw, Trash2 } from "lucide-react";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Confirm } from "@/components/ui/confirm";
import { Progress } from "@/components/ui/controls";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import { useDeleteDocument, useRefetchPage, useReplaceDocument, type KnowledgeDocument } from "../api/knowledge";
import { ACCEPT, fileProblem, MAX_BYTES } from "../lib/files";
import { isWorking, percentOf } from "../lib/progress";

interface Props {
  knowledgeBaseId: string;
  documents: {
    items: KnowledgeDocument[];
    isPending: boolean;
    isError: boolean;
    error: unknown;
    refetch: () => unknown;
    hasNextPage: boolean;
    isFetchingNextPage: boolean;
    fetchNextPage: () => unknown;
  };
  editable: boolean;
}

export function DocumentList({ knowledgeBaseId, documents, editable }: Props) {
  const { t } = useTranslation("knowledge");
  const items = documents.items;
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("documents.title")}</CardTitle>
        <CardDescription>{t("documents.description")}</CardDescription>
      </CardHeader>
      <CardContent>
        {documents.isPending ? (
          <SkeletonRows rows={3} />
        ) : documents.isError ? (
          <ErrorState error={documents.error} onRetry={() => void documents.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState icon={FileText} title={t("documents.empty")} description={editable ? t("documents.emptyHint") : undefined} />
        ) : (
          <>
            <ul className="grid divide-y rounded-md border" aria-label={t("documents.title")}>
              {items.map((doc) => (
                <DocumentRow key={doc.id} knowledgeBaseId={knowledgeBaseId} doc={doc} editable={editable} />
              ))}
            </ul>
            <LoadMore hasMore={documents.hasNextPage} loading={documents.isFetchingNextPage} onClick={() => void documents.fetchNextPage()} />
          </>
        )}
      </CardContent>
    </Card>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation("knowledge");
  const variant = status === "ready" ? "success" : status === "failed" ? "destructive" : "warning";
  return <Badge variant={variant}>{t(`documents.status.${status}`, { defaultValue: status })}</Badge>;
}

function DocumentRow({ knowledgeBaseId, doc, editable }: { knowledgeBaseId: string; doc: KnowledgeDocument; editable: boolean }) {
  const { t } = useTranslation("knowledge");
  const fmt = useFormat();
  const percent = percentOf(doc);
  const working = isWorking(doc.status);
  const Icon = doc.source === "url" ? Globe : FileText;
  const where = doc.source === "url" ? doc.url : doc.filename;
  return (
    <li className="grid gap-2 p-3" aria-label={doc.title}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="flex min-w-0 items-start gap-2">
          <Icon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
          <div className="min-w-0">
            <p className="break-words font-medium">{doc.title}</p>
            <p className="break-all text-xs text-muted-foreground">
              {[where, t(`documents.formats.${doc.format}`, { defaultValue: doc.format }), doc.size_bytes >= 1024 ? t("documents.kb", { size: fmt.number(doc.size_bytes / 1024, { maximumFractionDigits: 1 }) }) : doc.size_bytes ? t("documents.bytes", { size: fmt.number(doc.size_bytes) }) : null, doc.pages ? t("documents.pages", { count: doc.pages }) : null]
                .filter(Boolean)
                .join(" · ")}
            </p>
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <StatusBadge status={doc.status} />
          {editable ? <RowActions knowledgeBaseId={knowledgeBaseId} doc={doc} /> : null}
        </div>
      </div>
      {working ? (
        <div className="grid gap-1">
          <Progress value={percent ?? 0} label={t("documents.progressOf", { title: doc.title })} className={cn(percent === null && "animate-pulse")} />
          <p className="text-xs tabular-nums text-muted-foreground" role="status" aria-live="polite">
            {doc.status === "queued"
              ? t("documents.queued")
              : doc.total_chunks
                ? t("documents.processing", { processed: fmt.number(doc.processed_chunks), total: fmt.number(doc.total_chunks), percent })
                : t("documents.reading")}
          </p>
        </div>
      ) : doc.status === "failed" ? (
        <p role="alert" className="flex items-start gap-2 rounded-md border border-destructive/40 bg-red-50 p-2 text-sm text-red-950">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>{errorText(t, doc.error)}</span>
        </p>
      ) : (
        <p className="flex items-center gap-1.5 text-xs text-muted-foreground">
          <CheckCircle2 className="size-3.5 text-green-700" aria-hidden="true" />
          {t("documents.ready", { count: doc.chunk_count, formatted: fmt.number(doc.chunk_count), when: fmt.dateTime(doc.ingested_at ?? doc.updated_at) })}
        </p>
      )}
    </li>
  );
}

/** The failure's reason in the user's language (the API's English text for a code we do not know). */
function errorText(t: (key: string, options?: Record<string, unknown>) => string, error: KnowledgeDocument["error"]): string {
  if (!error) return t("documents.errors.unknown");
  return t(`documents.errors.${error.code}`, { defaultValue: error.message });
}

function RowActions({ knowledgeBaseId, doc }: { knowledgeBaseId: string; doc: KnowledgeDocument }) {
  const { t } = useTranslation("knowledge");
  const input = useRef<HTMLInputElement>(null);
  const replace = useReplaceDocument(knowledgeBaseId, doc.id);
  const refetch = useRefetchPage(knowledgeBaseId, doc.id);
  const remove = useDeleteDocument(knowledgeBaseId, doc.id);
  const [percent, setPercent] = useState(0);
  const pick = (file: File | undefined) => {
    if (!file) return;
    const problem = fileProblem(file);
    if (problem) {
      toast.error(t(`upload.problems.${problem}`, { mb: MAX_BYTES / 1024 / 1024 }));
      return;
    }
    setPercent(0);
    replace.mutate(
      { file, onProgress: (f) => setPercent(Math.round(f * 100)) },
      { onSuccess: () => toast.success(t("documents.replaced", { title: doc.title })), onError: (e) => toast.error(e.message) },
    );
  };
  return (
    <>
      {doc.source === "upload" ? (
        <>
          <input ref={input} type="file" accept={ACCEPT} className="hidden" tabIndex={-1} aria-hidden="true" onChange={(e) => {
              pick(e.target.files?.[0]);
              e.target.value = "";
            }} />
          <Button variant="outline" size="sm" disabled={replace.isPending} aria-label={t("documents.replaceOne", { title: doc.title })} onClick={() => input.current?.click()}>
            <RefreshCw aria-hidden="true" />
            <span className="hidden sm:inline">{replace.isPending ? t("documents.replacing", { percent }) : t("documents.replace")}</span>
          </Button>
        </>
      ) : doc.url ? (
        <Button
          variant="outline"
          size="sm"
          disabled={refetch.isPending || isWorking(doc.status)}
          aria-label={t("documents.refetchOne", { title: doc.title })}
          onClick={() => refetch.mutate(doc.url!, { onSuccess: () => toast.success(t("upload.fetching")), onError: (e) => toast.error(e.message) })}
        >
          <RefreshCw aria-hidden="true" />
          <span className="hidden sm:inline">{t("documents.refetch")}</span>
        </Button>
      ) : null}
      <Confirm
        title={t("documents.deleteTitle", { title: doc.title })}
        description={t("documents.deleteDescription")}
        action={t("common:delete")}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => toast.success(t("documents.deleted")), onError: (e) => toast.error(e.message) })}
      >
        <Button variant="ghost" size="icon" disabled={remove.isPending} aria-label={t("documents.deleteOne", { title: doc.title })}>
          <Trash2 aria-hidden="true" />
        </Button>
      </Confirm>
    </>
  );
}
