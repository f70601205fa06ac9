import { Menu, WifiOff } from "lucide-react";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Outlet } from "react-router";
import { Button } from "@/components/ui/button";
import { SkeletonRows } from "@/components/ui/skeleton";
import { NotificationBell } from "@/features/notifications/components/bell";
import { useOnline } from "@/lib/hooks/use-online";
import { useRealtimeStatus } from "@/lib/realtime/hooks";
import { cn } from "@/lib/utils";
import { Navigation } from "./navigation";
import { UserMenu } from "./user-menu";

const MobileNav = lazy(() => import("./mobile-nav"));

function LiveStatus() {
  const { t } = useTranslation();
  const status = useRealtimeStatus();
  const online = useOnline();
  if (!online)
    return (
      <span role="status" className="flex items-center gap-1 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">
        <WifiOff className="size-3.5" aria-hidden="true" />
        {t("offline")}
      </span>
    );
  return (
    <span className="flex items-center gap-1.5 text-xs text-muted-foreground" title={t(`live.${status}`)}>
      <span aria-hidden="true" className={cn("size-2 rounded-full", status === "open" ? "bg-green-600" : status === "connecting" ? "bg-amber-500" : "bg-slate-400")} />
      <span className="hidden md:inline">{t(`live.${status}`)}</span>
    </span>
  );
}

export function AppShell() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const online = useOnline();
  return (
    <div className="flex h-full">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-background focus:p-2">
        {t("skipToContent")}
      </a>
      <aside className="hidden w-56 shrink-0 overflow-y-auto border-r bg-muted/40 lg:block">
        <div className="flex h-14 items-center gap-2 border-b px-4">
          <img src="/favicon.svg" alt="" className="size-7" />
          <span className="font-semibold">Master IA</span>
        </div>
        <Navigation />
      </aside>
      {open ? (
        <Suspense fallback={null}>
          <MobileNav open={open} onOpenChange={setOpen} />
        </Suspense>
      ) : null}
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 shrink-0 items-center gap-2 border-b px-3">
          <Button variant="ghost" size="icon" className="lg:hidden" aria-label={t("nav.open")} onClick={() => setOpen(true)}>
            <Menu aria-hidden="true" />
          </Button>
          <div className="flex-1" />
          <LiveStatus />
          <Suspense fallback={null}>
            <NotificationBell />
          </Suspense>
          <UserMenu />
        </header>
        {!online ? (
          <div role="alert" className="bg-amber-50 px-4 py-2 text-sm text-amber-900">
            {t("offlineBanner")}
          </div>
        ) : null}
        <main id="main" tabIndex={-1} className="min-h-0 flex-1 overflow-y-auto focus:outline-none">
          <Suspense fallback={<SkeletonRows className="p-6" />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
