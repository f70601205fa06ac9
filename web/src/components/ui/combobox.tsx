/**
 * A searchable picker over a server-side collection: a button that opens a popover with a search box and
 * the matching options. The options come from `useOptions(q)`, called with the debounced search only while
 * the popover is open, so nothing loads until the user looks. Keyboard: Enter/Space/↓ open, ↑/↓ move,
 * Enter picks, Escape closes (focus goes back to the button). The button takes the `id` and aria props a
 * `<Field>` gives, so the field's label names it.
 */
import { ChevronsUpDown, Search } from "lucide-react";
import { Popover as PopoverPrimitive } from "radix-ui";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { cn } from "@/lib/utils";

export interface ComboboxOption {
  id: string;
  label: string;
  /** Shown after the label, dimmer (a count, a key). */
  hint?: string;
  /** A colour dot before the label (tags). */
  color?: string;
}

export interface ComboboxResult {
  options: ComboboxOption[];
  loading: boolean;
  error?: boolean;
}

export interface ComboboxProps {
  /** What the button shows: the chosen option's label, or the placeholder. */
  value?: string;
  placeholder: string;
  /** The search box's label (and placeholder). */
  searchLabel: string;
  emptyText: string;
  useOptions: (q: string) => ComboboxResult;
  onSelect: (option: ComboboxOption) => void;
  /** Ids already chosen (a multi-pick): shown ticked and not offered again. */
  chosen?: readonly string[];
  /** A first option that clears the choice ("Any"). */
  clearLabel?: string;
  onClear?: () => void;
  disabled?: boolean;
  className?: string;
  id?: string;
  "aria-label"?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}

export function Combobox({ value, placeholder, className, disabled, id, ...props }: ComboboxProps) {
  const [open, setOpen] = React.useState(false);
  const shown = value || placeholder;
  // a name of its own says what is shown too (what is seen is part of the name: axe, speech input)
  const name = props["aria-label"] && props["aria-label"] !== shown ? `${props["aria-label"]}: ${shown}` : props["aria-label"];
  return (
    <PopoverPrimitive.Root open={open} onOpenChange={setOpen}>
      <PopoverPrimitive.Trigger asChild>
        <button
          type="button"
          id={id}
          disabled={disabled}
          aria-label={name}
          aria-invalid={props["aria-invalid"]}
          aria-describedby={props["aria-describedby"]}
          aria-haspopup="listbox"
          onKeyDown={(e) => {
            if (e.key === "ArrowDown" && !open) {
              e.preventDefault();
              setOpen(true);
            }
          }}
          className={cn(
            "flex h-9 w-full min-w-0 items-center justify-between gap-2 rounded-md border border-input bg-background px-3 text-left text-sm shadow-sm",
            "focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-not-allowed disabled:opacity-50 aria-[invalid=true]:border-destructive",
            className,
          )}
        >
          <span className={cn("truncate", value ? null : "text-muted-foreground")}>{shown}</span>
          <ChevronsUpDown className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
        </button>
      </PopoverPrimitive.Trigger>
      <PopoverPrimitive.Portal>
        <PopoverPrimitive.Content
          aria-label={props.searchLabel}
          align="start"
          sideOffset={4}
          className="z-50 w-[min(20rem,calc(100vw-2rem))] min-w-(--radix-popover-trigger-width) rounded-md border bg-popover p-2 shadow-md outline-none"
        >
          <ComboboxPanel {...props} close={() => setOpen(false)} />
        </PopoverPrimitive.Content>
      </PopoverPrimitive.Portal>
    </PopoverPrimitive.Root>
  );
}

type PanelProps = Omit<ComboboxProps, "value" | "placeholder" | "className" | "disabled" | "id"> & { close: () => void };

function ComboboxPanel({ searchLabel, emptyText, useOptions, onSelect, chosen = [], clearLabel, onClear, close }: PanelProps) {
  const { t } = useTranslation();
  const [search, setSearch] = React.useState("");
  const q = useDebounced(search.trim(), 250);
  const { options, loading, error } = useOptions(q);
  // the rows shown are for an earlier search until the typed one is debounced and fetched: busy till then
  const busy = loading || q !== search.trim();
  const listId = React.useId();
  const rows: ComboboxOption[] = React.useMemo(
    () => [...(clearLabel && onClear ? [{ id: "", label: clearLabel }] : []), ...options.filter((o) => !chosen.includes(o.id))],
    [options, chosen, clearLabel, onClear],
  );
  const [active, setActive] = React.useState(0);
  const current = Math.min(active, rows.length - 1);
  const optionId = (i: number) => `${listId}-${i}`;

  React.useEffect(() => {
    document.getElementById(optionId(current))?.scrollIntoView?.({ block: "nearest" });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- ids follow listId
  }, [current]);

  const pick = (row: ComboboxOption) => {
    if (row.id === "") onClear?.();
    else onSelect(row);
    close();
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === "ArrowDown") setActive(Math.min(current + 1, rows.length - 1));
    else if (event.key === "ArrowUp") setActive(Math.max(current - 1, 0));
    else if (event.key === "Home") setActive(0);
    else if (event.key === "End") setActive(rows.length - 1);
    else if (event.key === "Enter" && rows[current]) pick(rows[current]);
    else return;
    event.preventDefault();
  };

  return (
    <div className="grid gap-2">
      <div className="relative">
        <Search className="pointer-events-none absolute left-2 top-2.5 size-4 text-muted-foreground" aria-hidden="true" />
        <input
          type="search"
          role="combobox"
          aria-label={searchLabel}
          placeholder={searchLabel}
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={rows[current] ? optionId(current) : undefined}
          autoComplete="off"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          className="h-9 w-full rounded-md border border-input bg-background pl-8 pr-2 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        />
      </div>
      <ul id={listId} role="listbox" aria-label={searchLabel} aria-busy={busy} className="grid max-h-60 gap-0.5 overflow-y-auto">
        {rows.map((row, i) => (
          <li
            key={row.id || "clear"}
            id={optionId(i)}
            role="option"
            aria-selected={i === current}
            onClick={() => pick(row)}
            onMouseMove={() => setActive(i)}
            className={cn("flex cursor-pointer items-center gap-2 rounded-sm px-2 py-1.5 text-sm", i === current ? "bg-accent text-accent-foreground" : null, row.id === "" ? "text-muted-foreground" : null)}
          >
            {row.color ? <span aria-hidden="true" className="size-2.5 shrink-0 rounded-full" style={{ background: row.color }} /> : null}
            <span className="min-w-0 flex-1 truncate">{row.label}</span>
            {row.hint ? <span className="shrink-0 text-xs text-muted-foreground">{row.hint}</span> : null}
          </li>
        ))}
      </ul>
      <p className="px-2 text-xs text-muted-foreground" aria-live="polite">
        {loading ? t("loading") : error ? t("error.generic") : options.filter((o) => !chosen.includes(o.id)).length === 0 ? emptyText : null}
      </p>
    </div>
  );
}
