import { useQuery, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { realtime } from "@/lib/realtime/socket";
import { getState, resume, subjectOf, subscribe, type SessionState } from "./session";

export type Me = Schema<"MeRead">;
export type Role = Schema<"Role">;

const RANK: Record<Role, number> = { agent: 1, admin: 2, owner: 3 };

interface AuthValue {
  session: SessionState;
  me: Me | undefined;
  /** True when the signed-in user's role is at least `role`. */
  atLeast: (role: Role) => boolean;
}

const AuthContext = React.createContext<AuthValue | null>(null);

export const meQuery = { queryKey: ["me"], queryFn: () => unwrap(api.GET("/v1/me")), staleTime: 60_000 };

export function AuthProvider({ children }: { children: React.ReactNode }) {
  const session = React.useSyncExternalStore(subscribe, getState);
  const client = useQueryClient();
  React.useEffect(() => {
    void resume();
  }, []);
  const signedIn = session.status === "signed-in";
  // Keyed on the user, not on "signed in": another user's sign-in in this tab (an invitation accepted, a
  // refresh that came back as someone else) gets a socket and a cache of its own.
  const user = session.status === "signed-in" ? (subjectOf(session.token) ?? "?") : null;
  React.useEffect(() => {
    if (!user) return;
    realtime.start();
    return () => {
      realtime.stop();
      client.clear(); // whoever comes next sees nothing of this user
    };
  }, [user, client]);
  const me = useQuery({ ...meQuery, enabled: signedIn });
  const value = React.useMemo<AuthValue>(() => {
    const role = me.data?.user.role;
    return { session, me: me.data, atLeast: (wanted: Role) => (role ? RANK[role] >= RANK[wanted] : false) };
  }, [session, me.data]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = React.useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** Shorthand for role-aware screens: what an agent may not do is not offered. */
export function useIsAdmin(): boolean {
  return useAuth().atLeast("admin");
}
