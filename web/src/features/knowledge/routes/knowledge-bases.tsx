import { ArrowLeft, BookOpen, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Progress } from "@/components/ui/controls";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import { useDeleteKnowledgeBase, useKnowledgeBase, useKnowledgeBases, useLiveDocuments, type KnowledgeBase } from "../api/knowledge";
import { DocumentList } from "../components/document-list";
import { DocumentUpload } from "../components/document-upload";
import { KnowledgeBaseDialog } from "../components/knowledge-base-dialog";
import { SearchPanel } from "../components/search-panel";

export function Component() {
  return (
    <div className="p-4 md:p-6">
      <Routes>
        <Route index element={<KnowledgeBaseList />} />
        <Route path=":id" element={<KnowledgeBaseDetail />} />
      </Routes>
    </div>
  );
}

function KnowledgeBaseList() {
  const { t } = useTranslation("knowledge");
  const fmt = useFormat();
  const admin = useIsAdmin();
  const navigate = useNavigate();
  const bases = useKnowledgeBases();
  const [creating, setCreating] = useState(false);
  const add = admin ? (
    <Button onClick={() => setCreating(true)}>
      <Plus aria-hidden="true" />
      {t("list.add")}
    </Button>
  ) : null;
  const items = bases.items;
  return (
    <>
      <PageHeader title={t("knowledge.title")} description={t("list.description")} actions={add} />
      {bases.isPending ? (
        <SkeletonRows />
      ) : bases.isError ? (
        <ErrorState error={bases.error} onRetry={() => void bases.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={BookOpen} title={t("list.empty")} description={admin ? t("list.emptyHint") : t("list.emptyAgent")} action={add} />
      ) : (
        <div className="rounded-lg border">
          <Table aria-label={t("knowledge.title")}>
            <THead>
              <TR>
                <TH scope="col">{t("list.name")}</TH>
                <TH scope="col" className="text-right">
                  {t("list.documents")}
                </TH>
                <TH scope="col" className="hidden text-right sm:table-cell">
                  {t("list.passages")}
                </TH>
                <TH scope="col" className="hidden md:table-cell">
                  {t("list.model")}
                </TH>
              </TR>
            </THead>
            <TBody>
              {items.map((kb) => (
                <TR key={kb.id}>
                  <TD className="max-w-0 sm:max-w-none">
                    <Link to={kb.id} className="block truncate font-medium text-primary underline-offset-4 hover:underline">
                      {kb.name}
                    </Link>
                    {kb.description ? <span className="block truncate text-xs text-muted-foreground">{kb.description}</span> : null}
                  </TD>
                  <TD className="text-right tabular-nums">{fmt.number(kb.document_count ?? 0)}</TD>
                  <TD className="hidden text-right tabular-nums sm:table-cell">{fmt.number(kb.chunk_count ?? 0)}</TD>
                  <TD className="hidden md:table-cell">
                    <span className="font-mono text-xs">{kb.embedding_model}</span>
                    {kb.state === "reembedding" ? (
                      <Badge variant="warning" className="ml-2">
                        {t("state.reembedding")}
                      </Badge>
                    ) : null}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <LoadMore hasMore={bases.hasNextPage} loading={bases.isFetchingNextPage} onClick={() => void bases.fetchNextPage()} />
        </div>
      )}
      <KnowledgeBaseDialog open={creating} onOpenChange={setCreating} onCreated={(kb) => navigate(kb.id)} />
    </>
  );
}

function KnowledgeBaseDetail() {
  const { t } = useTranslation("knowledge");
  const { id = "" } = useParams();
  const kb = useKnowledgeBase(id);
  return (
    <>
      <Button asChild variant="link" className="mb-2 h-auto p-0">
        <Link to="/knowledge-bases">
          <ArrowLeft aria-hidden="true" />
          {t("detail.back")}
        </Link>
      </Button>
      {kb.isPending ? <SkeletonRows /> : kb.isError ? <ErrorState error={kb.error} onRetry={() => void kb.refetch()} /> : <KnowledgeBaseView kb={kb.data} />}
    </>
  );
}

function KnowledgeBaseView({ kb }: { kb: KnowledgeBase }) {
  const { t } = useTranslation("knowledge");
  const fmt = useFormat();
  const admin = useIsAdmin();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const remove = useDeleteKnowledgeBase(kb.id);
  const documents = useLiveDocuments(kb.id);
  const reembedPercent = kb.reembed_total ? Math.round((kb.reembed_processed / kb.reembed_total) * 100) : 0;
  return (
    <div className="grid gap-4">
      <PageHeader
        title={kb.name}
        description={kb.description || t("detail.noDescription")}
        actions={
          admin ? (
            <>
              <Button variant="outline" onClick={() => setEditing(true)}>
                <Pencil aria-hidden="true" />
                {t("common:edit")}
              </Button>
              <Confirm
                title={t("delete.title", { name: kb.name })}
                description={t("delete.description")}
                action={t("common:delete")}
                onConfirm={() =>
                  remove.mutate(undefined, {
                    onSuccess: () => {
                      toast.success(t("toast.deleted"));
                      navigate("/knowledge-bases");
                    },
                    onError: (e) => toast.error(e.message),
                  })
                }
              >
                <Button variant="destructive" disabled={remove.isPending}>
                  <Trash2 aria-hidden="true" />
                  {t("common:delete")}
                </Button>
              </Confirm>
            </>
          ) : null
        }
      />
      <dl className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        <div>
          <dt className="text-xs text-muted-foreground">{t("detail.documents")}</dt>
          <dd className="font-medium tabular-nums">{fmt.number(kb.document_count ?? 0)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">{t("detail.passages")}</dt>
          <dd className="font-medium tabular-nums">{fmt.number(kb.chunk_count ?? 0)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">{t("detail.model")}</dt>
          <dd className="font-mono text-xs leading-5">{t("detail.modelValue", { model: kb.embedding_model, dimensions: kb.dimensions })}</dd>
        </div>
      </dl>
      {kb.state === "reembedding" ? (
        <div className="grid gap-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          <p className="font-medium">{t("state.reembeddingTitle")}</p>
          <Progress value={reembedPercent} label={t("state.reembeddingLabel")} />
          <p role="status" aria-live="polite" className="tabular-nums">
            {t("state.reembeddingProgress", { processed: fmt.number(kb.reembed_processed), total: fmt.number(kb.reembed_total), percent: reembedPercent })}
          </p>
        </div>
      ) : null}
      {/* one column: add, documents, search; wide: the documents on the left, adding and searching beside them */}
      <div className="grid grid-cols-1 items-start gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        {admin ? (
          <div className="xl:col-start-2 xl:row-start-1">
            <DocumentUpload knowledgeBaseId={kb.id} />
          </div>
        ) : null}
        <div className="xl:col-start-1 xl:row-span-2 xl:row-start-1">
          <DocumentList knowledgeBaseId={kb.id} documents={documents} editable={admin} />
        </div>
        <div className={admin ? "xl:col-start-2 xl:row-start-2" : "xl:col-start-2 xl:row-start-1"}>
          <SearchPanel knowledgeBaseId={kb.id} hasPassages={(kb.chunk_count ?? 0) > 0 || documents.items.some((d) => d.chunk_count > 0)} />
        </div>
      </div>
      <KnowledgeBaseDialog open={editing} onOpenChange={setEditing} knowledgeBase={kb} />
    </div>
  );
}
