import { Plus, Settings, Workflow } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Route, Routes, useNavigate, useParams, useSearchParams } from "react-router";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useBoard, usePipelines, useUsers, type BoardFilters } from "../api/pipelines";
import { Board } from "../components/board";
import { FiltersBar } from "../components/filters-bar";
import { LeadPanel } from "../components/lead-panel";
import { NewLeadDialog } from "../components/new-lead-dialog";
import { PipelineSettings } from "../components/pipeline-settings";

function FirstPipeline() {
  const { t } = useTranslation("pipelines");
  const pipelines = usePipelines();
  const admin = useIsAdmin();
  if (pipelines.isPending) return <SkeletonRows className="p-6" />;
  if (pipelines.isError) return <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} />;
  const first = pipelines.data[0];
  if (first) return <Navigate to={`/pipelines/${first.id}`} replace />;
  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("pipelines.title")} />
      <EmptyState
        icon={Workflow}
        title={t("board.none")}
        description={admin ? t("board.noneAdmin") : t("board.noneAgent")}
        action={
          admin ? (
            <Button asChild>
              <Link to="/pipelines/settings">{t("settings.title")}</Link>
            </Button>
          ) : undefined
        }
      />
    </div>
  );
}

function BoardScreen() {
  const { t } = useTranslation("pipelines");
  const { pipelineId = "" } = useParams();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const admin = useIsAdmin();
  const pipelines = usePipelines();
  const users = useUsers();
  const [filters, setFilters] = useState<BoardFilters>({});
  const applied = useDebounced(filters, 300);
  const board = useBoard(pipelineId, applied);
  const leadId = search.get("lead");
  const ownerName = (id: string | null) => (id ? (users.data?.find((u) => u.id === id)?.name ?? null) : null);
  const openLead = (id: string | null) =>
    setSearch(
      (params) => {
        if (id) params.set("lead", id);
        else params.delete("lead");
        return params;
      },
      { replace: !id },
    );
  const several = (pipelines.data?.length ?? 0) > 1;
  const [adding, setAdding] = useState(false);
  const pipeline = pipelines.data?.find((p) => p.id === pipelineId);
  return (
    <div className="p-4 md:p-6">
      <PageHeader
        title={board.data?.pipeline.name ?? t("pipelines.title")}
        description={t("board.description")}
        actions={
          <div className="flex flex-wrap items-end gap-2">
            {several ? (
              <Field label={t("board.pipeline")} className="w-48">
                <NativeSelect value={pipelineId} onChange={(e) => navigate(`/pipelines/${e.target.value}`)}>
                  {pipelines.data!.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
            ) : null}
            <Button disabled={!pipeline} onClick={() => setAdding(true)}>
              <Plus aria-hidden="true" />
              {t("newLead.button")}
            </Button>
            {admin ? (
              <Button asChild variant="outline">
                <Link to={`/pipelines/settings?pipeline=${pipelineId}`}>
                  <Settings aria-hidden="true" />
                  {t("settings.title")}
                </Link>
              </Button>
            ) : null}
          </div>
        }
      />
      <div className="mb-4">
        <FiltersBar filters={filters} onChange={setFilters} />
      </div>
      {board.isPending ? <SkeletonRows rows={6} className="p-0" /> : null}
      {board.isError ? <ErrorState error={board.error} onRetry={() => void board.refetch()} /> : null}
      {board.data ? <Board board={board.data} filters={applied} ownerName={ownerName} onOpen={openLead} /> : null}
      {adding && pipeline ? (
        <NewLeadDialog
          pipeline={pipeline}
          onCancel={() => setAdding(false)}
          onOpen={(id) => {
            setAdding(false);
            openLead(id);
          }}
        />
      ) : null}
      <LeadPanel leadId={leadId} stages={board.data?.pipeline.stages ?? []} onClose={() => openLead(null)} />
    </div>
  );
}

/** /pipelines: the first pipeline's board; /pipelines/:id a board (?lead= opens a lead); /pipelines/settings. */
export function Component() {
  return (
    <Routes>
      <Route index element={<FirstPipeline />} />
      <Route path="settings" element={<PipelineSettings />} />
      <Route path=":pipelineId" element={<BoardScreen />} />
    </Routes>
  );
}
