import { Pencil, Plus, Tags as TagsIcon, Trash2, Users } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Input } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { useDeleteTag, useTags, type Tag } from "../api/tags";
import { matches } from "../components/audience-search";
import { TagChip, TagDialog } from "../components/tag-dialog";

export function Component() {
  const { t } = useTranslation("contacts");
  const isAdmin = useIsAdmin();
  const format = useFormat();
  const tags = useTags();
  const remove = useDeleteTag();
  const [search, setSearch] = React.useState("");
  const q = useDebounced(search, 200);
  const [editing, setEditing] = React.useState<Tag | undefined>();
  const [open, setOpen] = React.useState(false);
  const shown = (tags.data ?? []).filter((tag) => matches(q, tag.name));

  const openDialog = (tag?: Tag) => {
    setEditing(tag);
    setOpen(true);
  };

  return (
    <div className="p-4 md:p-6">
      <PageHeader
        title={t("tags.title")}
        description={t("tags.description")}
        actions={
          <Button onClick={() => openDialog()}>
            <Plus aria-hidden="true" />
            {t("tags.new")}
          </Button>
        }
      />
      {tags.isPending ? (
        <SkeletonRows />
      ) : tags.isError ? (
        <ErrorState error={tags.error} onRetry={() => void tags.refetch()} />
      ) : tags.data.length === 0 ? (
        <EmptyState icon={TagsIcon} title={t("tags.empty")} description={t("tags.emptyHint")} />
      ) : (
        <div className="grid gap-3">
          <Input type="search" aria-label={t("tags.search")} placeholder={t("tags.search")} value={search} onChange={(e) => setSearch(e.target.value)} className="max-w-xs" />
          {shown.length === 0 ? (
            <EmptyState title={t("tags.noMatch")} />
          ) : (
            <Table>
              <THead>
                <TR>
                  <TH>{t("tags.name")}</TH>
                  <TH className="hidden sm:table-cell">{t("tags.createdAt")}</TH>
                  <TH className="w-0 text-right">
                    <span className="sr-only">{t("common:actions")}</span>
                  </TH>
                </TR>
              </THead>
              <TBody>
                {shown.map((tag) => (
                  <TR key={tag.id}>
                    <TD className="max-w-0 sm:max-w-none">
                      <TagChip tag={tag} />
                    </TD>
                    <TD className="hidden text-muted-foreground sm:table-cell">{format.date(tag.created_at)}</TD>
                    <TD className="whitespace-nowrap text-right">
                      <Button variant="ghost" size="icon" asChild>
                        <Link to={`/contacts?tag=${tag.id}`} aria-label={t("tags.contactsNamed", { name: tag.name })}>
                          <Users aria-hidden="true" />
                        </Link>
                      </Button>
                      <Button variant="ghost" size="icon" aria-label={t("tags.editNamed", { name: tag.name })} onClick={() => openDialog(tag)}>
                        <Pencil aria-hidden="true" />
                      </Button>
                      {isAdmin ? (
                        <Confirm
                          title={t("tags.deleteTitle", { name: tag.name })}
                          description={t("tags.deleteDescription")}
                          action={t("common:delete")}
                          onConfirm={() =>
                            remove.mutate(tag.id, {
                              onSuccess: () => toast.success(t("tags.deleted", { name: tag.name })),
                              onError: (e) => toast.error(e.message),
                            })
                          }
                        >
                          <Button variant="ghost" size="icon" aria-label={t("tags.deleteNamed", { name: tag.name })}>
                            <Trash2 aria-hidden="true" />
                          </Button>
                        </Confirm>
                      ) : null}
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </div>
      )}
      <TagDialog open={open} onOpenChange={setOpen} tag={editing} />
    </div>
  );
}
