import { ArrowLeft, List as ListIcon, Pencil, Plus, Trash2, Users } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { ListScreen } from "@/components/list-screen";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Input } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { useDeleteList, useList, useListMembers, useListPages, type ContactList } from "../api/lists";
import { ListDialog } from "../components/list-dialog";
import { TagChip } from "../components/tag-dialog";

export function Component() {
  return (
    <Routes>
      <Route index element={<ListsScreen />} />
      <Route path=":listId" element={<ListMembersScreen />} />
    </Routes>
  );
}

function DeleteListButton({ list, onDeleted, children }: { list: ContactList; onDeleted?: () => void; children: React.ReactElement }) {
  const { t } = useTranslation("contacts");
  const remove = useDeleteList();
  return (
    <Confirm
      title={t("lists.deleteTitle", { name: list.name })}
      description={t("lists.deleteDescription")}
      action={t("common:delete")}
      onConfirm={() =>
        remove.mutate(list.id, {
          onSuccess: () => {
            toast.success(t("lists.deleted", { name: list.name }));
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

function ListsScreen() {
  const { t } = useTranslation("contacts");
  const isAdmin = useIsAdmin();
  const format = useFormat();
  const remove = useDeleteList();
  const [editing, setEditing] = React.useState<ContactList | undefined>();
  const [open, setOpen] = React.useState(false);

  const openDialog = (list?: ContactList) => {
    setEditing(list);
    setOpen(true);
  };

  return (
    <>
      <ListScreen<ContactList>
        title={t("lists.title")}
        description={t("lists.description")}
        actions={
          <Button onClick={() => openDialog()}>
            <Plus aria-hidden="true" />
            {t("lists.new")}
          </Button>
        }
        usePage={useListPages}
        rowKey={(list) => list.id}
        tableLabel={t("lists.title")}
        searchLabel={t("lists.search")}
        empty={{ icon: ListIcon, title: t("lists.empty"), hint: t("lists.emptyHint") }}
        noMatch={t("lists.noMatch")}
        columns={[
          {
            header: t("lists.name"),
            cell: (list) => (
              <>
                <Link to={list.id} className="block truncate font-medium text-primary hover:underline">
                  {list.name}
                </Link>
                {list.description ? <p className="truncate text-xs text-muted-foreground">{list.description}</p> : null}
              </>
            ),
          },
          { header: t("lists.members"), className: "text-right tabular-nums", cell: (list) => format.number(list.member_count) },
          { header: t("lists.createdAt"), className: "hidden text-muted-foreground md:table-cell", cell: (list) => format.date(list.created_at) },
        ]}
        rowActions={(list) => (
          <Button variant="ghost" size="icon" aria-label={t("lists.renameNamed", { name: list.name })} onClick={() => openDialog(list)}>
            <Pencil aria-hidden="true" />
          </Button>
        )}
        remove={
          isAdmin
            ? {
                label: (list) => t("lists.deleteNamed", { name: list.name }),
                title: (list) => t("lists.deleteTitle", { name: list.name }),
                description: t("lists.deleteDescription"),
                onConfirm: (list) =>
                  remove.mutate(list.id, {
                    onSuccess: () => toast.success(t("lists.deleted", { name: list.name })),
                    onError: (e) => toast.error(e.message),
                  }),
              }
            : undefined
        }
      />
      <ListDialog open={open} onOpenChange={setOpen} list={editing} />
    </>
  );
}

function ListMembersScreen() {
  const { t } = useTranslation("contacts");
  const { listId = "" } = useParams();
  const navigate = useNavigate();
  const isAdmin = useIsAdmin();
  const format = useFormat();
  const list = useList(listId);
  const [search, setSearch] = React.useState("");
  const q = useDebounced(search.trim(), 300);
  const members = useListMembers(listId, q);
  const [open, setOpen] = React.useState(false);

  const back = (
    <Link to="/lists" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
      <ArrowLeft className="size-4" aria-hidden="true" />
      {t("lists.back")}
    </Link>
  );

  if (list.isPending) return <SkeletonRows className="p-4 md:p-6" />;
  if (list.isError) {
    return (
      <div className="grid gap-4 p-4 md:p-6">
        {back}
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      </div>
    );
  }

  return (
    <div className="p-4 md:p-6">
      <div className="pb-2">{back}</div>
      <PageHeader
        title={list.data.name}
        description={list.data.description ?? undefined}
        actions={
          <>
            <Button variant="outline" onClick={() => setOpen(true)}>
              <Pencil aria-hidden="true" />
              {t("lists.rename")}
            </Button>
            {isAdmin ? (
              <DeleteListButton list={list.data} onDeleted={() => void navigate("/lists")}>
                <Button variant="outline">
                  <Trash2 aria-hidden="true" />
                  {t("common:delete")}
                </Button>
              </DeleteListButton>
            ) : null}
          </>
        }
      />
      <div className="grid gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <Input
            type="search"
            aria-label={t("lists.searchMembers")}
            placeholder={t("lists.searchMembers")}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="max-w-xs"
          />
          <Badge variant="secondary">
            <Users className="size-3" aria-hidden="true" />
            {t("lists.memberCount", { n: format.number(list.data.member_count) })}
          </Badge>
        </div>
        {members.isPending ? (
          <SkeletonRows />
        ) : members.isError ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} />
        ) : members.items.length === 0 ? (
          q ? <EmptyState title={t("lists.noMemberMatch")} /> : <EmptyState icon={Users} title={t("lists.noMembers")} description={t("lists.noMembersHint")} />
        ) : (
          <>
            <Table aria-label={t("lists.membersOf", { name: list.data.name })}>
              <THead>
                <TR>
                  <TH>{t("lists.contactName")}</TH>
                  <TH>{t("lists.phone")}</TH>
                  <TH className="hidden md:table-cell">{t("lists.email")}</TH>
                  <TH className="hidden lg:table-cell">{t("lists.tags")}</TH>
                </TR>
              </THead>
              <TBody>
                {members.items.map((contact) => (
                  <TR key={contact.id}>
                    <TD className="max-w-0 sm:max-w-none">
                      <Link to={`/contacts/${contact.id}`} className="block truncate font-medium text-primary hover:underline">
                        {contact.name || contact.phone}
                      </Link>
                    </TD>
                    <TD className="whitespace-nowrap tabular-nums">{contact.phone}</TD>
                    <TD className="hidden text-muted-foreground md:table-cell">{contact.email ?? "—"}</TD>
                    <TD className="hidden lg:table-cell">
                      <div className="flex flex-wrap gap-1">
                        {contact.tags.map((tag) => (
                          <TagChip key={tag.id} tag={tag} />
                        ))}
                      </div>
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
            <LoadMore hasMore={Boolean(members.hasNextPage)} loading={members.isFetchingNextPage} onClick={() => void members.fetchNextPage()} />
          </>
        )}
      </div>
      <ListDialog open={open} onOpenChange={setOpen} list={list.data} />
    </div>
  );
}
