import { Download, Plus, Upload, Users } from "lucide-react";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { exportContacts, useContacts, useMatchCount, type SegmentFilter } from "../api/contacts";
import { customFieldsQuery } from "../api/custom-fields";
import { segmentQuery } from "../api/segments";
import { ContactBulkBar, type BulkTarget } from "../components/contact-bulk-bar";
import { ContactCreateDialog } from "../components/contact-create-dialog";
import { ContactDetail } from "../components/contact-detail";
import { ContactFilterBar } from "../components/contact-filter-bar";
import { FILTER_KEYS, readFilters, toQuery, toSegmentFilter, withFilter, type ContactFilters } from "../components/contact-filters";
import { ContactTable } from "../components/contact-table";

/** `/contacts/:id`: the contact's panel over the table; closing it goes back to the table with its filters. */
function DetailPanel() {
  const { id } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const close = () => void navigate({ pathname: "/contacts", search: location.search });
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : close())}>
      <DialogContent side="right">{id ? <ContactDetail id={id} onDeleted={close} /> : null}</DialogContent>
    </Dialog>
  );
}

function ContactsScreen() {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const [search, setSearch] = useState(filters.q);
  const debounced = useDebounced(search, 300);
  // the URL's search changed from outside (the menu's link, back): the box follows it
  const [seenQ, setSeenQ] = useState(filters.q);
  if (filters.q !== seenQ) {
    setSeenQ(filters.q);
    if (filters.q !== search) setSearch(filters.q);
  }
  const [creating, setCreating] = useState(false);
  const [exporting, setExporting] = useState(false);
  // the selection belongs to one set of filters: another search or filter starts with none
  const [selection, setSelection] = useState<{ key: string; ids: Set<string>; all?: boolean }>({ key: "", ids: new Set() });

  // the debounced search goes to the URL (and so to the query); typing does not refetch on every key
  const pushed = useRef(debounced);
  useEffect(() => {
    if (pushed.current === debounced) return;
    pushed.current = debounced;
    setParams((p) => withFilter(p, "q", debounced), { replace: true });
  }, [debounced, setParams]);

  const queryKey = FILTER_KEYS.map((k) => filters[k]).join("\u0000");
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the key holds every filter
  const query = useMemo(() => toQuery(filters), [queryKey]);
  const contacts = useContacts(query);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = contacts;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const selected = selection.key === queryKey ? selection.ids : new Set<string>();
  const setSelected = (update: Set<string> | ((s: Set<string>) => Set<string>)) =>
    setSelection((current) => {
      const base = current.key === queryKey ? current.ids : new Set<string>();
      return { key: queryKey, ids: typeof update === "function" ? update(base) : update };
    });

  // admins may act on everything the filters match, past the loaded rows (the API's bulk by filter)
  const isAdmin = useIsAdmin();
  const allLoaded = contacts.items.length > 0 && contacts.items.every((c) => selected.has(c.id));
  const offerAll = isAdmin && allLoaded && !!hasNextPage;
  const fieldType = useQuery({ ...customFieldsQuery(), enabled: offerAll && !!filters.field }).data?.find((f) => f.key === filters.field)?.type;
  const segmentFilter = useQuery({ ...segmentQuery(filters.segment), enabled: offerAll && !!filters.segment }).data?.filter;
  const matchFilter = offerAll ? toSegmentFilter(filters, fieldType, segmentFilter) : null;
  const matchCount = useMatchCount(matchFilter, offerAll);
  const everything = selection.key === queryKey && !!selection.all && matchFilter !== null && matchCount.data !== undefined;
  const bulkTarget: BulkTarget | null = everything ? { filter: matchFilter as SegmentFilter, count: matchCount.data!.count } : selected.size ? { ids: [...selected] } : null;

  const change = (key: keyof ContactFilters, value: string) => setParams((p) => withFilter(p, key, value), { replace: true });
  const clearAll = () => {
    setSearch("");
    setParams(new URLSearchParams(), { replace: true });
  };
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const toggleAll = (on: boolean) => setSelected(on ? new Set(contacts.items.map((c) => c.id)) : new Set());

  const runExport = async () => {
    setExporting(true);
    try {
      await exportContacts(query);
      toast.success(t("contacts.export.done"));
    } catch (error) {
      toast.error(error instanceof Error ? error.message : t("common:error.generic"));
    } finally {
      setExporting(false);
    }
  };

  const filtered = Object.keys(query).length > 0;
  const loaded = contacts.items.length;

  return (
    <div className="p-4 md:p-6">
      <PageHeader
        title={t("contacts.title")}
        description={loaded ? t(hasNextPage ? "contacts.countMore" : "contacts.count", { count: loaded, formatted: format.number(loaded) }) : undefined}
        actions={
          <>
            <Button variant="outline" onClick={() => void runExport()} disabled={exporting}>
              <Download aria-hidden="true" />
              {exporting ? t("contacts.export.running") : t("contacts.export.button")}
            </Button>
            <Button variant="outline" asChild>
              <Link to="/imports/new">
                <Upload aria-hidden="true" />
                {t("contacts.importButton")}
              </Link>
            </Button>
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden="true" />
              {t("contacts.create.button")}
            </Button>
          </>
        }
      />
      <ContactFilterBar filters={filters} search={search} onSearch={setSearch} onChange={change} onClear={clearAll} />
      {bulkTarget ? <ContactBulkBar target={bulkTarget} onDone={() => setSelected(new Set())} /> : null}
      {offerAll && matchFilter && matchCount.data && !everything ? (
        <p className="mb-3 text-sm">
          {t("contacts.bulk.loadedSelected", { count: selected.size })}{" "}
          <Button variant="link" className="h-auto p-0" onClick={() => setSelection((s) => ({ ...s, key: queryKey, all: true }))}>
            {t("contacts.bulk.selectAllMatching", { count: matchCount.data.count, formatted: format.number(matchCount.data.count) })}
          </Button>
        </p>
      ) : null}
      {contacts.isPending ? (
        <SkeletonRows rows={8} />
      ) : contacts.isError ? (
        <ErrorState error={contacts.error} onRetry={() => void contacts.refetch()} />
      ) : loaded === 0 ? (
        filtered ? (
          <EmptyState icon={Users} title={t("contacts.empty.filteredTitle")} description={t("contacts.empty.filteredDescription")} action={<Button variant="outline" onClick={clearAll}>{t("contacts.filters.clear")}</Button>} />
        ) : (
          <EmptyState
            icon={Users}
            title={t("contacts.empty.title")}
            description={t("contacts.empty.description")}
            action={
              <div className="flex flex-wrap justify-center gap-2">
                <Button asChild variant="outline">
                  <Link to="/imports/new">{t("contacts.importButton")}</Link>
                </Button>
                <Button onClick={() => setCreating(true)}>{t("contacts.create.button")}</Button>
              </div>
            }
          />
        )
      ) : (
        <ContactTable busy={contacts.isPlaceholderData} contacts={contacts.items} selected={selected} onToggle={toggle} onToggleAll={toggleAll} hasMore={!!hasNextPage} loadingMore={isFetchingNextPage} onLoadMore={loadMore} />
      )}
      <ContactCreateDialog open={creating} onOpenChange={setCreating} />
      <Routes>
        <Route path=":id" element={<DetailPanel />} />
      </Routes>
    </div>
  );
}

export function Component() {
  return <ContactsScreen />;
}
