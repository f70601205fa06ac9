import { Pencil, Plus, Tags as TagsIcon, Users } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { toast } from "sonner";
import { ListScreen } from "@/components/list-screen";
import { Button } from "@/components/ui/button";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import { useDeleteTag, useTagPages, type Tag } from "../api/tags";
import { TagChip, TagDialog } from "../components/tag-dialog";

export function Component() {
  const { t } = useTranslation("contacts");
  const isAdmin = useIsAdmin();
  const format = useFormat();
  const remove = useDeleteTag();
  const [editing, setEditing] = React.useState<Tag | undefined>();
  const [open, setOpen] = React.useState(false);

  const openDialog = (tag?: Tag) => {
    setEditing(tag);
    setOpen(true);
  };

  return (
    <>
      <ListScreen<Tag>
        title={t("tags.title")}
        description={t("tags.description")}
        actions={
          <Button onClick={() => openDialog()}>
            <Plus aria-hidden="true" />
            {t("tags.new")}
          </Button>
        }
        usePage={useTagPages}
        rowKey={(tag) => tag.id}
        tableLabel={t("tags.title")}
        searchLabel={t("tags.search")}
        empty={{ icon: TagsIcon, title: t("tags.empty"), hint: t("tags.emptyHint") }}
        noMatch={t("tags.noMatch")}
        columns={[
          { header: t("tags.name"), cell: (tag) => <TagChip tag={tag} /> },
          { header: t("tags.createdAt"), className: "hidden text-muted-foreground sm:table-cell", cell: (tag) => format.date(tag.created_at) },
        ]}
        rowActions={(tag) => (
          <>
            <Button variant="ghost" size="icon" asChild>
              <Link to={`/contacts?tag=${tag.id}`} aria-label={t("tags.contactsNamed", { name: tag.name })}>
                <Users aria-hidden="true" />
              </Link>
            </Button>
            <Button variant="ghost" size="icon" aria-label={t("tags.editNamed", { name: tag.name })} onClick={() => openDialog(tag)}>
              <Pencil aria-hidden="true" />
            </Button>
          </>
        )}
        remove={
          isAdmin
            ? {
                label: (tag) => t("tags.deleteNamed", { name: tag.name }),
                title: (tag) => t("tags.deleteTitle", { name: tag.name }),
                description: t("tags.deleteDescription"),
                onConfirm: (tag) =>
                  remove.mutate(tag.id, {
                    onSuccess: () => toast.success(t("tags.deleted", { name: tag.name })),
                    onError: (e) => toast.error(e.message),
                  }),
              }
            : undefined
        }
      />
      <TagDialog open={open} onOpenChange={setOpen} tag={editing} />
    </>
  );
}
