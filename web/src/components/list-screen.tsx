/**
 * A screen that lists a named collection paged on the server (tags, lists, segments, custom fields): the
 * header, a debounced search box sent as `q`, the table, "Load more", and delete asked first. Each screen
 * says only its columns, its row actions and its words.
 */
import type { LucideIcon } from "lucide-react";
import { Search, Trash2 } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Input } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { cn } from "@/lib/utils";

/** What `useCursorList` gives, as far as the screen needs it. */
export interface PagedItems<T> {
  items: T[];
  isPending: boolean;
  isError: boolean;
  error: unknown;
  isFetching: boolean;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
  refetch: () => unknown;
}

export interface Column<T, C> {
  header: string;
  /** `context` is what `useRowContext` gave for the page (e.g. names its rows refer to). */
  cell: (item: T, context: C) => React.ReactNode;
  /** Applied to the header and the cells (e.g. `hidden md:table-cell`, `text-right`). */
  className?: string;
}

export interface DeleteRow<T> {
  /** The button's accessible name ("Delete the tag vip"). */
  label: (item: T) => string;
  title: (item: T) => string;
  description: string;
  onConfirm: (item: T) => void;
}

export interface ListScreenProps<T, C> {
  title: string;
  description?: string;
  actions?: React.ReactNode;
  /** The page of items for a search (a `useCursorList` hook, called with the debounced search). */
  usePage: (q: string) => PagedItems<T>;
  rowKey: (item: T) => string;
  columns: Column<T, C>[];
  /** Looked up once for the loaded rows and handed to every cell. */
  useRowContext?: (items: T[]) => C;
  /** Buttons at the end of a row, before delete. */
  rowActions?: (item: T) => React.ReactNode;
  /** Offered only when given (what an agent may not do is not offered). */
  remove?: DeleteRow<T>;
  searchLabel: string;
  empty: { icon: LucideIcon; title: string; hint?: string };
  noMatch: string;
  tableLabel: string;
}

const noContext = () => undefined;

export function ListScreen<T, C = undefined>({
  title,
  description,
  actions,
  usePage,
  rowKey,
  columns,
  useRowContext = noContext as unknown as (items: T[]) => C,
  rowActions,
  remove,
  searchLabel,
  empty,
  noMatch,
  tableLabel,
}: ListScreenProps<T, C>) {
  const { t } = useTranslation();
  const [search, setSearch] = React.useState("");
  const q = useDebounced(search.trim(), 300);
  const page = usePage(q);
  const context = useRowContext(page.items);
  const nothingAtAll = !page.isPending && !page.isError && page.items.length === 0 && !q && !search;
  const withActions = Boolean(rowActions || remove);

  return (
    <div className="p-4 md:p-6">
      <PageHeader title={title} description={description} actions={actions} />
      {nothingAtAll ? (
        <EmptyState icon={empty.icon} title={empty.title} description={empty.hint} />
      ) : (
        <div className="grid gap-3">
          <div className="relative max-w-xs">
            <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-muted-foreground" aria-hidden="true" />
            <Input type="search" aria-label={searchLabel} placeholder={searchLabel} value={search} onChange={(e) => setSearch(e.target.value)} className="pl-8" />
          </div>
          {page.isPending ? (
            <SkeletonRows />
          ) : page.isError ? (
            <ErrorState error={page.error} onRetry={() => void page.refetch()} />
          ) : page.items.length === 0 ? (
            <EmptyState title={noMatch} />
          ) : (
            <div aria-busy={page.isFetching && !page.isFetchingNextPage} className={cn("grid gap-1", page.isFetching && !page.isFetchingNextPage ? "opacity-70" : null)}>
              <Table aria-label={tableLabel}>
                <THead>
                  <TR>
                    {columns.map((c) => (
                      <TH key={c.header} className={c.className}>
                        {c.header}
                      </TH>
                    ))}
                    {withActions ? (
                      <TH className="w-0 text-right">
                        <span className="sr-only">{t("actions")}</span>
                      </TH>
                    ) : null}
                  </TR>
                </THead>
                <TBody>
                  {page.items.map((item) => (
                    <TR key={rowKey(item)}>
                      {columns.map((c, i) => (
                        <TD key={c.header} className={cn(i === 0 ? "max-w-0 sm:max-w-none" : null, c.className)}>
                          {c.cell(item, context)}
                        </TD>
                      ))}
                      {withActions ? (
                        <TD className="whitespace-nowrap text-right">
                          {rowActions?.(item)}
                          {remove ? (
                            <Confirm title={remove.title(item)} description={remove.description} action={t("delete")} onConfirm={() => remove.onConfirm(item)}>
                              <Button variant="ghost" size="icon" aria-label={remove.label(item)}>
                                <Trash2 aria-hidden="true" />
                              </Button>
                            </Confirm>
                          ) : null}
                        </TD>
                      ) : null}
                    </TR>
                  ))}
                </TBody>
              </Table>
              <LoadMore hasMore={page.hasNextPage} loading={page.isFetchingNextPage} onClick={() => void page.fetchNextPage()} />
            </div>
          )}
        </div>
      )}
    </div>
  );
}
