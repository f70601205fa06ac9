import type { Schema } from "@/lib/api/types";

export type Role = Schema<"Role">;

export const ROLES: readonly Role[] = ["agent", "admin", "owner"];
const RANK: Record<Role, number> = { agent: 1, admin: 2, owner: 3 };

/** The roles someone may give (invite with, or change to): never above their own. */
export function assignableRoles(mine: Role | undefined): Role[] {
  if (!mine) return [];
  return ROLES.filter((r) => RANK[r] <= RANK[mine]);
}

/** Whether `actor` may change `target`: not themselves, nobody above their own role (the API says so too). */
export function canManage(actor: { id: string; role: Role } | undefined, target: { id: string; role: Role }): boolean {
  if (!actor || actor.id === target.id) return false;
  return RANK[actor.role] >= RANK.admin && RANK[target.role] <= RANK[actor.role];
}

/** The link the invitee opens: the token in the fragment, which never reaches a server or a log. */
export function invitationLink(origin: string, token: string): string {
  return `${origin}/accept-invite#token=${encodeURIComponent(token)}`;
}

export type UserStatus = "active" | "pending" | "deactivated";

export function userStatus(u: { is_active: boolean; invitation_pending: boolean }): UserStatus {
  if (!u.is_active) return "deactivated";
  return u.invitation_pending ? "pending" : "active";
}
