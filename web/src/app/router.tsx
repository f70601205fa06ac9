import { createBrowserRouter, Navigate, Outlet, useLocation, type RouteObject } from "react-router";
import { AppShell } from "@/components/layout/app-shell";
import { SkeletonRows } from "@/components/ui/skeleton";
import { useAuth } from "@/lib/auth/auth-provider";
import { RouteError } from "./route-error";

function RequireAuth() {
  const { session } = useAuth();
  const location = useLocation();
  if (session.status === "unknown") return <SkeletonRows className="p-6" />;
  if (session.status === "signed-out") {
    const expired = session.reason === "expired" ? "?expired=1" : "";
    return <Navigate to={`/login${expired}`} replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}

function GuestOnly() {
  const { session } = useAuth();
  if (session.status === "unknown") return <SkeletonRows className="p-6" />;
  if (session.status === "signed-in") return <Navigate to="/" replace />;
  return <Outlet />;
}

/** Every screen is its own chunk (`lazy`): the first load carries only the shell and the screen opened. */
export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    hydrateFallbackElement: <SkeletonRows className="p-6" />,
    children: [
      {
        element: <GuestOnly />,
        children: [
          { path: "login", lazy: () => import("@/features/auth/routes/login") },
          { path: "signup", lazy: () => import("@/features/auth/routes/signup") },
        ],
      },
      { path: "accept-invite", lazy: () => import("@/features/auth/routes/accept-invite") },
      {
        element: <RequireAuth />,
        children: [
          {
            element: <AppShell />,
            errorElement: <RouteError />,
            children: [
              { index: true, lazy: () => import("@/features/home/routes/home") },
              { path: "inbox/*", lazy: () => import("@/features/inbox/routes/inbox") },
              { path: "contacts/*", lazy: () => import("@/features/contacts/routes/contacts") },
              { path: "imports/*", lazy: () => import("@/features/contacts/routes/imports") },
              { path: "lists/*", lazy: () => import("@/features/contacts/routes/lists") },
              { path: "segments/*", lazy: () => import("@/features/contacts/routes/segments") },
              { path: "tags", lazy: () => import("@/features/contacts/routes/tags") },
              { path: "custom-fields", lazy: () => import("@/features/contacts/routes/custom-fields") },
              { path: "templates/*", lazy: () => import("@/features/templates/routes/templates") },
              { path: "connections/*", lazy: () => import("@/features/connections/routes/connections") },
              { path: "campaigns/*", lazy: () => import("@/features/campaigns/routes/campaigns") },
              { path: "webhooks/*", lazy: () => import("@/features/webhooks/routes/webhooks") },
              { path: "notifications", lazy: () => import("@/features/notifications/routes/notifications") },
              { path: "users", lazy: () => import("@/features/users/routes/users") },
              { path: "audit-log", lazy: () => import("@/features/users/routes/audit-log") },
              { path: "settings", lazy: () => import("@/features/settings/routes/settings") },
              { path: "*", lazy: () => import("./not-found") },
            ],
          },
        ],
      },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
