import { Bell, BookOpen, BookUser, Bot, CalendarClock, FileText, Gauge, Home, Inbox, KanbanSquare, List, type LucideIcon, Megaphone, PlugZap, ScrollText, Settings, Tags, Upload, Users, Webhook, Workflow, Filter, SlidersHorizontal } from "lucide-react";
import type { Role } from "@/lib/auth/auth-provider";

export interface NavItem {
  to: string;
  /** An i18n key of the `common` namespace. */
  label: string;
  icon: LucideIcon;
  /** The least role that sees this item; everyone when absent. */
  role?: Role;
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

/** The sidebar: one entry per screen. A later feature adds its screen here and a route in app/router.tsx. */
export const NAV: NavGroup[] = [
  {
    label: "nav.groups.work",
    items: [
      { to: "/", label: "nav.home", icon: Home },
      { to: "/inbox", label: "nav.inbox", icon: Inbox },
      { to: "/pipelines", label: "nav.pipelines", icon: KanbanSquare },
      { to: "/campaigns", label: "nav.campaigns", icon: Megaphone },
      { to: "/automations", label: "nav.automations", icon: Workflow, role: "admin" },
      { to: "/cadences", label: "nav.cadences", icon: CalendarClock },
    ],
  },
  {
    label: "nav.groups.audience",
    items: [
      { to: "/contacts", label: "nav.contacts", icon: BookUser },
      { to: "/imports", label: "nav.imports", icon: Upload },
      { to: "/lists", label: "nav.lists", icon: List },
      { to: "/segments", label: "nav.segments", icon: Filter },
      { to: "/tags", label: "nav.tags", icon: Tags },
      { to: "/custom-fields", label: "nav.customFields", icon: SlidersHorizontal },
    ],
  },
  {
    label: "nav.groups.ai",
    items: [
      { to: "/personas", label: "nav.personas", icon: Bot },
      { to: "/knowledge-bases", label: "nav.knowledgeBases", icon: BookOpen },
      { to: "/ai-settings", label: "nav.aiSettings", icon: Gauge },
    ],
  },
  {
    label: "nav.groups.setup",
    items: [
      { to: "/templates", label: "nav.templates", icon: FileText },
      { to: "/connections", label: "nav.connections", icon: PlugZap },
      { to: "/webhook-endpoints", label: "nav.webhooks", icon: Webhook },
      { to: "/notifications", label: "nav.notifications", icon: Bell },
    ],
  },
  {
    label: "nav.groups.admin",
    items: [
      { to: "/users", label: "nav.users", icon: Users, role: "admin" },
      { to: "/audit-log", label: "nav.auditLog", icon: ScrollText, role: "admin" },
      { to: "/settings", label: "nav.settings", icon: Settings },
    ],
  },
];


