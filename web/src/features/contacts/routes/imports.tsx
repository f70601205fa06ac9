import { ArrowLeft, FileSpreadsheet, Upload } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useParams } from "react-router";
import { Button } from "@/components/ui/button";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFormat } from "@/lib/i18n/format";
import { isRunning, useImports, useLiveImport } from "../api/imports";
import { ImportMapping } from "../components/import-mapping";
import { ImportProgress, ImportStatusBadge } from "../components/import-progress";
import { ImportUpload } from "../components/import-upload";

function NewImportButton() {
  const { t } = useTranslation("contacts");
  return (
    <Button asChild>
      <Link to="/imports/new">
        <Upload aria-hidden="true" />
        {t("imports.new")}
      </Link>
    </Button>
  );
}

function BackToImports() {
  const { t } = useTranslation("contacts");
  return (
    <Button variant="ghost" size="sm" asChild>
      <Link to="/imports">
        <ArrowLeft aria-hidden="true" />
        {t("imports.back")}
      </Link>
    </Button>
  );
}

function ImportList() {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const imports = useImports();
  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("imports.title")} description={t("imports.description")} actions={<NewImportButton />} />
      {imports.isPending ? (
        <SkeletonRows />
      ) : imports.isError ? (
        <ErrorState error={imports.error} onRetry={() => void imports.refetch()} />
      ) : imports.items.length === 0 ? (
        <EmptyState icon={FileSpreadsheet} title={t("imports.empty.title")} description={t("imports.empty.description")} action={<NewImportButton />} />
      ) : (
        <>
          <div className="rounded-md border">
            <Table>
              <caption className="sr-only">{t("imports.listCaption")}</caption>
              <THead>
                <TR>
                  <TH scope="col">{t("imports.columns.file")}</TH>
                  <TH scope="col">{t("imports.columns.status")}</TH>
                  <TH scope="col" className="hidden text-right sm:table-cell">
                    {t("imports.counts.inserted")}
                  </TH>
                  <TH scope="col" className="hidden text-right sm:table-cell">
                    {t("imports.counts.updated")}
                  </TH>
                  <TH scope="col" className="hidden text-right sm:table-cell">
                    {t("imports.counts.rejected")}
                  </TH>
                  <TH scope="col" className="hidden md:table-cell">
                    {t("imports.columns.created")}
                  </TH>
                </TR>
              </THead>
              <TBody>
                {imports.items.map((row) => (
                  <TR key={row.id}>
                    <TD className="max-w-48 truncate">
                      <Link to={`/imports/${row.id}`} className="font-medium hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
                        {row.filename}
                      </Link>
                    </TD>
                    <TD>
                      <ImportStatusBadge status={row.status} />
                    </TD>
                    <TD className="hidden text-right tabular-nums sm:table-cell">{format.number(row.inserted)}</TD>
                    <TD className="hidden text-right tabular-nums sm:table-cell">{format.number(row.updated)}</TD>
                    <TD className="hidden text-right tabular-nums sm:table-cell">{format.number(row.rejected)}</TD>
                    <TD className="hidden text-muted-foreground md:table-cell">{format.dateTime(row.created_at)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          </div>
          <LoadMore hasMore={!!imports.hasNextPage} loading={imports.isFetchingNextPage} onClick={() => void imports.fetchNextPage()} />
        </>
      )}
    </div>
  );
}

function NewImport() {
  const { t } = useTranslation("contacts");
  return (
    <div className="grid gap-2 p-4 md:p-6">
      <div>
        <BackToImports />
      </div>
      <PageHeader title={t("imports.new")} />
      <ImportUpload />
    </div>
  );
}

function ImportPage() {
  const { t } = useTranslation("contacts");
  const { id = "" } = useParams();
  const row = useLiveImport(id);
  return (
    <div className="grid gap-2 p-4 md:p-6">
      <div>
        <BackToImports />
      </div>
      <PageHeader title={row.data ? row.data.filename : t("imports.title")} />
      {row.isPending ? (
        <SkeletonRows />
      ) : row.isError ? (
        <ErrorState error={row.error} onRetry={() => void row.refetch()} />
      ) : row.data.status === "uploaded" ? (
        <ImportMapping row={row.data} />
      ) : row.data.status === "awaiting_upload" ? (
        <EmptyState title={t("imports.awaiting.title")} description={t("imports.awaiting.description")} action={<NewImportButton />} />
      ) : (
        <ImportProgress row={row.data} key={isRunning(row.data.status) ? "running" : "done"} />
      )}
    </div>
  );
}

export function Component() {
  return (
    <Routes>
      <Route index element={<ImportList />} />
      <Route path="new" element={<NewImport />} />
      <Route path=":id" element={<ImportPage />} />
    </Routes>
  );
}
