import { Pencil, Search, UserCheck, UserX, Users } from "lucide-react";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Input, NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useAuth } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { type User, useUpdateUser, useUsers } from "../api/users";
import { InviteDialog } from "../components/invite-dialog";
import { AdminOnly } from "../components/forbidden";
import { RenameDialog } from "../components/rename-dialog";
import { assignableRoles, canManage, type Role, ROLES, userStatus, type UserStatus } from "../lib/roles";

const STATUS_BADGE = { active: "success", pending: "warning", deactivated: "secondary" } as const;

export function Component() {
  return (
    <AdminOnly>
      <UsersScreen />
    </AdminOnly>
  );
}

function UsersScreen() {
  const { t } = useTranslation("users");
  const { me } = useAuth();
  const fmt = useFormat();
  const users = useUsers();
  const update = useUpdateUser();
  const [renaming, setRenaming] = useState<User | null>(null);
  const [query, setQuery] = useState("");
  const [role, setRole] = useState<"" | Role>("");
  const [status, setStatus] = useState<"" | UserStatus>("");
  const q = useDebounced(query).trim().toLowerCase();
  // The API lists a company's team by page, without search: the loaded pages are searched here.
  const shown = useMemo(
    () =>
      users.items.filter(
        (u) => (!role || u.role === role) && (!status || userStatus(u) === status) && (!q || u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q)),
      ),
    [users.items, q, role, status],
  );
  const actor = me ? { id: me.user.id, role: me.user.role } : undefined;
  const roles = assignableRoles(me?.user.role);

  const changeRole = (u: User, next: Role) =>
    update.mutate(
      { id: u.id, role: next },
      { onSuccess: () => toast.success(t("toast.roleChanged", { name: u.name, role: t(`common:roles.${next}`) })), onError: (e) => toast.error(e.message) },
    );
  const setActive = (u: User, active: boolean) =>
    update.mutate(
      { id: u.id, is_active: active },
      { onSuccess: () => toast.success(active ? t("toast.reactivated", { name: u.name }) : t("toast.deactivated", { name: u.name })), onError: (e) => toast.error(e.message) },
    );

  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("users.title")} description={t("users.description")} actions={<InviteDialog />} />
      <div className="mb-3 flex flex-wrap gap-2">
        <div className="relative min-w-0 flex-1 basis-56">
          <Search aria-hidden="true" className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-muted-foreground" />
          <Input type="search" className="pl-8" aria-label={t("users.search")} placeholder={t("users.search")} value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
        <NativeSelect aria-label={t("users.filterRole")} className="w-auto" value={role} onChange={(e) => setRole(e.target.value as "" | Role)}>
          <option value="">{t("users.allRoles")}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`common:roles.${r}`)}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect aria-label={t("users.filterStatus")} className="w-auto" value={status} onChange={(e) => setStatus(e.target.value as "" | UserStatus)}>
          <option value="">{t("users.allStatuses")}</option>
          <option value="active">{t("status.active")}</option>
          <option value="pending">{t("status.pending")}</option>
          <option value="deactivated">{t("status.deactivated")}</option>
        </NativeSelect>
      </div>
      {users.isPending ? (
        <SkeletonRows />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState icon={Users} title={t("users.noMatch")} />
      ) : (
        <div className="rounded-lg border">
          <Table>
            <THead>
              <TR>
                <TH scope="col">{t("fields.name")}</TH>
                <TH scope="col">{t("fields.role")}</TH>
                <TH scope="col">{t("fields.status")}</TH>
                <TH scope="col">{t("fields.lastLogin")}</TH>
                <TH scope="col">
                  <span className="sr-only">{t("common:actions")}</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {shown.map((u) => {
                const manage = canManage(actor, u);
                const st = userStatus(u);
                return (
                  <TR key={u.id}>
                    <TD className="min-w-48">
                      <span className="block font-medium">
                        {u.name}
                        {u.id === me?.user.id ? <span className="ml-1 text-xs font-normal text-muted-foreground">{t("users.you")}</span> : null}
                      </span>
                      <span className="block break-words text-xs text-muted-foreground">{u.email}</span>
                    </TD>
                    <TD>
                      {manage ? (
                        <NativeSelect aria-label={t("users.roleOf", { name: u.name })} className="w-auto" value={u.role} disabled={update.isPending} onChange={(e) => changeRole(u, e.target.value as Role)}>
                          {roles.map((r) => (
                            <option key={r} value={r}>
                              {t(`common:roles.${r}`)}
                            </option>
                          ))}
                        </NativeSelect>
                      ) : (
                        <Badge variant="outline">{t(`common:roles.${u.role}`)}</Badge>
                      )}
                    </TD>
                    <TD>
                      <Badge variant={STATUS_BADGE[st]}>{t(`status.${st}`)}</Badge>
                    </TD>
                    <TD className="whitespace-nowrap">{u.last_login_at ? fmt.relative(u.last_login_at) : "—"}</TD>
                    <TD>
                      {manage ? (
                        <div className="flex justify-end gap-1">
                          <Button variant="ghost" size="icon" aria-label={t("rename.open", { name: u.name })} onClick={() => setRenaming(u)}>
                            <Pencil aria-hidden="true" />
                          </Button>
                          {u.is_active ? (
                            <Confirm
                              title={t("deactivate.title", { name: u.name })}
                              description={t("deactivate.description")}
                              action={t("deactivate.confirm")}
                              onConfirm={() => setActive(u, false)}
                            >
                              <Button variant="outline" size="sm" aria-label={t("deactivate.open", { name: u.name })}>
                                <UserX aria-hidden="true" />
                                <span className="hidden sm:inline">{t("deactivate.confirm")}</span>
                              </Button>
                            </Confirm>
                          ) : (
                            <Confirm
                              title={t("reactivate.title", { name: u.name })}
                              description={t("reactivate.description")}
                              action={t("reactivate.confirm")}
                              destructive={false}
                              onConfirm={() => setActive(u, true)}
                            >
                              <Button variant="outline" size="sm" aria-label={t("reactivate.open", { name: u.name })}>
                                <UserCheck aria-hidden="true" />
                                <span className="hidden sm:inline">{t("reactivate.confirm")}</span>
                              </Button>
                            </Confirm>
                          )}
                        </div>
                      ) : null}
                    </TD>
                  </TR>
                );
              })}
            </TBody>
          </Table>
        </div>
      )}
      <LoadMore hasMore={users.hasNextPage} loading={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()} />
      <RenameDialog user={renaming} onClose={() => setRenaming(null)} />
    </div>
  );
}

