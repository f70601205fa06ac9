import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";
import { useAuth } from "@/lib/auth/auth-provider";
import { cn } from "@/lib/utils";
import { NAV } from "./nav";

export function Navigation({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const { atLeast } = useAuth();
  return (
    <nav aria-label={t("nav.label")} className="grid gap-4 p-3">
      {NAV.map((group) => {
        const items = group.items.filter((item) => !item.role || atLeast(item.role));
        if (!items.length) return null;
        return (
          <div key={group.label}>
            <p className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{t(group.label)}</p>
            <ul className="grid gap-0.5">
              {items.map(({ to, label, icon: Icon }) => (
                <li key={to}>
                  <NavLink
                    to={to}
                    end={to === "/"}
                    onClick={onNavigate}
                    className={({ isActive }) =>
                      cn(
                        "flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
                        isActive && "bg-accent font-medium text-accent-foreground",
                      )
                    }
                  >
                    <Icon className="size-4" aria-hidden="true" />
                    {t(label)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}
