import { CheckCircle2, RotateCcw, UserPlus, UserMinus, Users } from "lucide-react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuLabel, DropdownMenuRadioGroup, DropdownMenuRadioItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { useAssign, useSetStatus, type User } from "../api/inbox";
import type { Conversation } from "../lib/filters";

const NONE = "__none__";

/**
 * Assign or transfer (admins and owners pick any active user; an agent, who may not list users, can take
 * an unassigned conversation or release their own), close and reopen.
 */
export function ConversationActions({ conversation, meId, users, admin }: { conversation: Conversation; meId: string | undefined; users: User[] | undefined; admin: boolean }) {
  const { t } = useTranslation("inbox");
  const assign = useAssign(conversation.id, meId);
  const status = useSetStatus(conversation.id, meId);
  const onError = (error: Error) => toast.error(error.message);
  const assignTo = (id: string | null) =>
    assign.mutate(id, {
      onSuccess: () => toast.success(id ? (id === meId ? t("actions.taken") : t("actions.assigned")) : t("actions.released")),
      onError,
    });
  const mine = !!meId && conversation.assignee_id === meId;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {admin ? (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="outline" size="sm" disabled={assign.isPending}>
              <Users aria-hidden="true" />
              <span className="sr-only sm:not-sr-only">{conversation.assignee_id ? t("actions.transfer") : t("actions.assign")}</span>
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end" className="max-h-80 overflow-y-auto">
            <DropdownMenuLabel>{t("actions.assignTo")}</DropdownMenuLabel>
            <DropdownMenuSeparator />
            <DropdownMenuRadioGroup value={conversation.assignee_id ?? NONE} onValueChange={(value) => assignTo(value === NONE ? null : value)}>
              <DropdownMenuRadioItem value={NONE}>{t("filters.unassigned")}</DropdownMenuRadioItem>
              {users
                ?.filter((u) => u.is_active && !u.invitation_pending)
                .map((u) => (
                  <DropdownMenuRadioItem key={u.id} value={u.id}>
                    {u.id === meId ? t("actions.meNamed", { name: u.name }) : u.name}
                  </DropdownMenuRadioItem>
                ))}
            </DropdownMenuRadioGroup>
          </DropdownMenuContent>
        </DropdownMenu>
      ) : mine ? (
        <Button variant="outline" size="sm" disabled={assign.isPending} onClick={() => assignTo(null)}>
          <UserMinus aria-hidden="true" />
          <span className="sr-only sm:not-sr-only">{t("actions.release")}</span>
        </Button>
      ) : !conversation.assignee_id ? (
        <Button variant="outline" size="sm" disabled={assign.isPending || !meId} onClick={() => assignTo(meId ?? null)}>
          <UserPlus aria-hidden="true" />
          <span className="sr-only sm:not-sr-only">{t("actions.take")}</span>
        </Button>
      ) : null}
      {conversation.status === "closed" ? (
        <Button variant="outline" size="sm" disabled={status.isPending} onClick={() => status.mutate("reopen", { onSuccess: () => toast.success(t("actions.reopened")), onError })}>
          <RotateCcw aria-hidden="true" />
          <span className="sr-only sm:not-sr-only">{t("actions.reopen")}</span>
        </Button>
      ) : (
        <Button variant="outline" size="sm" disabled={status.isPending} onClick={() => status.mutate("close", { onSuccess: () => toast.success(t("actions.closed")), onError })}>
          <CheckCircle2 aria-hidden="true" />
          <span className="sr-only sm:not-sr-only">{t("actions.close")}</span>
        </Button>
      )}
    </div>
  );
}
