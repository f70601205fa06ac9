import { ArrowLeft, Filter, Pencil, Plus, Trash2 } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import { ListScreen } from "@/components/list-screen";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Confirm } from "@/components/ui/confirm";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState, PageHeader } from "@/components/ui/states";
import { ApiError } from "@/lib/api/problem";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { useCustomFields } from "../api/custom-fields";
import { useListsByIds } from "../api/lists";
import { useCreateSegment, useDeleteSegment, useSegment, useSegmentPages, useSegmentPreview, useUpdateSegment, type Segment } from "../api/segments";
import { useTagsByIds } from "../api/tags";
import { useAudienceFormErrors } from "../components/audience-form-errors";
import { SegmentBuilder } from "../components/segment-builder";
import { useSegmentSummary } from "../components/segment-summary";
import { errorsByRow, filterToRows, rowsToFilter, sameFilter, type ConditionRow, type CustomFieldType } from "../components/segment-filter-model";

export function Component() {
  return (
    <Routes>
      <Route index element={<SegmentsScreen />} />
      <Route path="new" element={<SegmentEditorScreen />} />
      <Route path=":segmentId" element={<SegmentEditorScreen />} />
    </Routes>
  );
}

function DeleteSegmentButton({ segment, onDeleted, children }: { segment: Segment; onDeleted?: () => void; children: React.ReactElement }) {
  const { t } = useTranslation("contacts");
  const remove = useDeleteSegment();
  return (
    <Confirm
      title={t("segments.deleteTitle", { name: segment.name })}
      description={t("segments.deleteDescription")}
      action={t("common:delete")}
      onConfirm={() =>
        remove.mutate(segment.id, {
          onSuccess: () => {
            toast.success(t("segments.deleted", { name: segment.name }));
            onDeleted?.();
          },
          onError: (e) => toast.error(e.message),
        })
      }
    >
      {children}
    </Confirm>
  );
}

/** The tags, lists and fields that a page of segments names in its conditions, to write them in words. */
function useSummaryOf(segments: Segment[]) {
  const ids = (pick: (f: Segment["filter"]) => (string[] | null | undefined)[]) => [...new Set(segments.flatMap((s) => pick(s.filter).flatMap((x) => x ?? [])))];
  const tags = useTagsByIds(ids((f) => [f.tags_any, f.tags_all, f.tags_none]));
  const lists = useListsByIds(ids((f) => [f.lists_any, f.lists_none]));
  const fields = useCustomFields();
  return useSegmentSummary(tags.data ?? [], lists.data ?? [], fields.data ?? []);
}

function SegmentsScreen() {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const remove = useDeleteSegment();

  return (
    <ListScreen<Segment, (filter: Segment["filter"]) => string>
      title={t("segments.title")}
      description={t("segments.description")}
      actions={
        <Button asChild>
          <Link to="new">
            <Plus aria-hidden="true" />
            {t("segments.new")}
          </Link>
        </Button>
      }
      usePage={useSegmentPages}
      useRowContext={useSummaryOf}
      rowKey={(segment) => segment.id}
      tableLabel={t("segments.title")}
      searchLabel={t("segments.search")}
      empty={{ icon: Filter, title: t("segments.empty"), hint: t("segments.emptyHint") }}
      noMatch={t("segments.noMatch")}
      columns={[
        {
          header: t("segments.name"),
          cell: (segment, summary) => (
            <>
              <Link to={segment.id} className="block truncate font-medium text-primary hover:underline">
                {segment.name}
              </Link>
              <p className="truncate text-xs text-muted-foreground">{summary(segment.filter)}</p>
            </>
          ),
        },
        {
          header: t("segments.contacts"),
          className: "text-right tabular-nums",
          cell: (segment) => (
            <Link to={`/contacts?segment=${segment.id}`} className="text-primary hover:underline">
              {format.number(segment.count)}
              <span className="sr-only">{t("segments.contactsOf", { name: segment.name })}</span>
            </Link>
          ),
        },
        { header: t("segments.updatedAt"), className: "hidden text-muted-foreground md:table-cell", cell: (segment) => format.relative(segment.updated_at) },
      ]}
      rowActions={(segment) => (
        <Button variant="ghost" size="icon" asChild>
          <Link to={segment.id} aria-label={t("segments.editNamed", { name: segment.name })}>
            <Pencil aria-hidden="true" />
          </Link>
        </Button>
      )}
      remove={{
        label: (segment) => t("segments.deleteNamed", { name: segment.name }),
        title: (segment) => t("segments.deleteTitle", { name: segment.name }),
        description: t("segments.deleteDescription"),
        onConfirm: (segment) =>
          remove.mutate(segment.id, {
            onSuccess: () => toast.success(t("segments.deleted", { name: segment.name })),
            onError: (e) => toast.error(e.message),
          }),
      }}
    />
  );
}

function SegmentEditorScreen() {
  const { t } = useTranslation("contacts");
  const { segmentId } = useParams();
  const segment = useSegment(segmentId);
  const back = (
    <Link to="/segments" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
      <ArrowLeft className="size-4" aria-hidden="true" />
      {t("segments.back")}
    </Link>
  );
  if (segmentId && segment.isPending) return <SkeletonRows className="p-4 md:p-6" />;
  if (segmentId && segment.isError) {
    return (
      <div className="grid gap-4 p-4 md:p-6">
        {back}
        <ErrorState error={segment.error} onRetry={() => void segment.refetch()} />
      </div>
    );
  }
  // keyed by id so that opening another segment starts its editor afresh
  return <SegmentEditor key={segment.data?.id ?? "new"} segment={segment.data} back={back} />;
}

function SegmentEditor({ segment, back }: { segment?: Segment; back: React.ReactNode }) {
  const { t } = useTranslation("contacts");
  const navigate = useNavigate();
  const format = useFormat();
  const fields = useCustomFields();
  const [name, setName] = React.useState(segment?.name ?? "");
  const [rows, setRows] = React.useState<ConditionRow[]>(() => filterToRows(segment?.filter));
  const { errors, fail } = useAudienceFormErrors("name", t("segments.nameTaken"));
  const create = useCreateSegment();
  const update = useUpdateSegment();
  const pending = create.isPending || update.isPending;

  const fieldTypes = React.useMemo(() => {
    const types: Record<string, CustomFieldType> = {};
    for (const f of fields.data ?? []) types[f.key] = f.type;
    return types;
  }, [fields.data]);
  const filter = React.useMemo(() => rowsToFilter(rows, fieldTypes), [rows, fieldTypes]);
  const debounced = useDebounced(filter, 400);
  const settled = sameFilter(filter, debounced);
  const preview = useSegmentPreview(debounced);
  const previewErrors = preview.error instanceof ApiError ? preview.error.fieldErrors() : {};
  // the count's errors follow the filter as edited; a failed save's errors stay until the next save
  const rowErrors = errorsByRow(rows, { ...previewErrors, ...errors });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const done = (saved: Segment) => {
      toast.success(segment ? t("segments.saved", { name: saved.name }) : t("segments.created", { name: saved.name }));
      void navigate("/segments");
    };
    if (segment) update.mutate({ id: segment.id, body: { name, filter } }, { onSuccess: done, onError: fail });
    else create.mutate({ name, filter }, { onSuccess: done, onError: fail });
  };

  const counting = !settled || preview.isFetching;
  // the saved filter goes through the builder's model too, so that equal filters compare equal however the API spells them
  const saved = React.useMemo(() => (segment ? rowsToFilter(filterToRows(segment.filter), fieldTypes) : undefined), [segment, fieldTypes]);
  const dirty = segment !== undefined && (name.trim() !== segment.name || (saved !== undefined && !sameFilter(filter, saved)));
  const pickersLoading = fields.isPending;

  return (
    <div className="p-4 md:p-6">
      <div className="pb-2">{back}</div>
      <PageHeader
        title={segment ? segment.name : t("segments.newTitle")}
        description={t("segments.editorDescription")}
        actions={
          segment ? (
            <DeleteSegmentButton segment={segment} onDeleted={() => void navigate("/segments")}>
              <Button variant="outline">
                <Trash2 aria-hidden="true" />
                {t("common:delete")}
              </Button>
            </DeleteSegmentButton>
          ) : undefined
        }
      />
      <form onSubmit={submit} noValidate className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_18rem] lg:items-start">
        <div className="grid min-w-0 gap-4">
          <Field label={t("segments.name")} error={errors.name} className="max-w-md">
            <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} required />
          </Field>
          <section aria-labelledby="segment-conditions" className="grid gap-2">
            <h2 id="segment-conditions" className="text-base font-semibold">
              {t("filters.title")}
            </h2>
            <p className="text-sm text-muted-foreground">{t("filters.help")}</p>
            {pickersLoading ? (
              <SkeletonRows rows={2} />
            ) : (
              <SegmentBuilder rows={rows} onChange={setRows} fields={fields.data ?? []} errors={rowErrors} />
            )}
          </section>
        </div>
        {/* on a phone the count stays in view at the bottom while the conditions scroll */}
        <Card className="sticky bottom-2 z-10 shadow-md lg:bottom-auto lg:top-4 lg:shadow-sm">
          <CardHeader className="hidden lg:flex">
            <CardTitle>{t("segments.liveCount")}</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-wrap items-center justify-between gap-3 p-3 lg:grid lg:gap-4 lg:p-4 lg:pt-0">
            <div role="status" aria-live="polite" aria-atomic="true" aria-label={t("segments.liveCount")}>
              <p className="text-2xl font-semibold tabular-nums lg:text-3xl">{preview.data ? format.number(preview.data.count) : "—"}</p>
              <p className="text-sm text-muted-foreground">
                {counting ? t("segments.counting") : preview.isError ? t("segments.countFailed") : t("segments.matching")}
              </p>
            </div>
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={pending}>
                {pending ? t("common:saving") : segment ? t("common:save") : t("segments.create")}
              </Button>
              <Button variant="outline" asChild>
                <Link to="/segments">{t("common:cancel")}</Link>
              </Button>
            </div>
            {dirty ? <p className="text-xs text-amber-800">{t("segments.unsaved")}</p> : null}
            {segment ? (
              <Link to={`/contacts?segment=${segment.id}`} className="text-sm text-primary hover:underline">
                {t("segments.seeContacts")}
              </Link>
            ) : null}
          </CardContent>
        </Card>
      </form>
    </div>
  );
}
