import { WifiOff } from "lucide-react";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, Navigate, Outlet, useLocation, type RouteObject } from "react-router";
import { AppShell } from "@/components/layout/app-shell";
import { SkeletonRows } from "@/components/ui/skeleton";
import { useAuth } from "@/lib/auth/auth-provider";
import { useOnline } from "@/lib/hooks/use-online";
import i18n from "@/lib/i18n";
import { RouteError } from "./route-error";

/** A screen's chunk and its feature's catalogue, fetched together (no waterfall). */
function screen<T>(namespace: string, load: () => Promise<T>): () => Promise<T> {
  return () => Promise.all([load(), i18n.loadNamespaces(namespace)]).then(([module]) => module);
}

/** Opened with no connection (the service worker's shell): say so instead of asking to sign in. */
function OfflineStart() {
  const { t } = useTranslation();
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <div role="alert" className="grid max-w-md gap-2 rounded-lg border bg-amber-50 p-6 text-amber-900">
        <h1 className="flex items-center gap-2 text-lg font-semibold">
          <WifiOff className="size-5" aria-hidden="true" />
          {t("offline")}
        </h1>
        <p className="text-sm">{t("offlineStart")}</p>
      </div>
    </main>
  );
}

function RequireAuth() {
  const { session } = useAuth();
  const location = useLocation();
  const online = useOnline();
  if (session.status === "unknown") return online ? <SkeletonRows className="p-6" /> : <OfflineStart />;
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
              { index: true, lazy: screen("home", () => import("@/features/home/routes/home")) },
              { path: "inbox/*", lazy: screen("inbox", () => import("@/features/inbox/routes/inbox")) },
              { path: "pipelines/*", lazy: screen("pipelines", () => import("@/features/pipelines/routes/pipelines")) },
              { path: "contacts/*", lazy: screen("contacts", () => import("@/features/contacts/routes/contacts")) },
              { path: "imports/*", lazy: screen("contacts", () => import("@/features/contacts/routes/imports")) },
              { path: "lists/*", lazy: screen("contacts", () => import("@/features/contacts/routes/lists")) },
              { path: "segments/*", lazy: screen("contacts", () => import("@/features/contacts/routes/segments")) },
              { path: "tags", lazy: screen("contacts", () => import("@/features/contacts/routes/tags")) },
              { path: "custom-fields", lazy: screen("contacts", () => import("@/features/contacts/routes/custom-fields")) },
              { path: "templates/*", lazy: screen("templates", () => import("@/features/templates/routes/templates")) },
              { path: "connections/*", lazy: screen("connections", () => import("@/features/connections/routes/connections")) },
              { path: "campaigns/*", lazy: screen("campaigns", () => import("@/features/campaigns/routes/campaigns")) },
              { path: "automations/*", lazy: screen("automations", () => import("@/features/automations/routes/automations")) },
              { path: "cadences/*", lazy: screen("cadences", () => import("@/features/cadences/routes/cadences")) },
              { path: "personas/*", lazy: screen("ai", () => import("@/features/ai/routes/personas")) },
              { path: "ai-settings", lazy: screen("ai", () => import("@/features/ai/routes/ai-settings")) },
              { path: "knowledge-bases/*", lazy: screen("knowledge", () => import("@/features/knowledge/routes/knowledge-bases")) },
              { path: "webhook-endpoints/*", lazy: screen("webhooks", () => import("@/features/webhooks/routes/webhooks")) },
              { path: "notifications", lazy: screen("notifications", () => import("@/features/notifications/routes/notifications")) },
              { path: "users", lazy: screen("users", () => import("@/features/users/routes/users")) },
              { path: "audit-log", lazy: screen("users", () => import("@/features/users/routes/audit-log")) },
              { path: "settings", lazy: screen("settings", () => import("@/features/settings/routes/settings")) },
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
