import { lazy, Suspense } from "react";
import { useLiveNotifications, useUnread } from "../api/unread";
import { badgeText } from "../lib/links";
import { BellButton } from "./bell-button";

// The popover and its list load after the first screen; until then the bell shows the count alone.
const BellMenu = lazy(() => import("./bell-menu"));

/** The notifications bell in the top bar: the unread count, live (`notification.created`), and a popover of the latest. */
export function NotificationBell() {
  useLiveNotifications();
  const unread = useUnread();
  const count = unread.data?.count ?? 0;
  return (
    <Suspense fallback={<BellButton count={count} text={badgeText(count, unread.data?.more ?? false)} />}>
      <BellMenu />
    </Suspense>
  );
}
