import { RefreshCw, Search, Smartphone, X } from "lucide-react";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { toast } from "sonner";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Combobox, type ComboboxOption, type ComboboxResult } from "@/components/ui/combobox";
import { Switch } from "@/components/ui/controls";
import { Field, Label } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { money } from "@/features/sms";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import {
  rememberTemplate,
  useConnection,
  useConnections,
  useContact,
  useContactSearch,
  useAudienceChosen,
  useAudienceSearch,
  useCustomFields,
  useSyncTemplates,
  useTemplates,
  useWhatsAppTemplate,
  type AudienceItem,
  type AudienceKind,
  type Connection,
  type WhatsAppTemplate,
} from "../api/campaigns";
import { isSms, rateCap } from "../lib/channel";
import { maxRate } from "../lib/progress";
import { LocalTemplateStep } from "./sms-steps";
import { CONTACT_FIELDS, previewParts } from "../lib/template";
import type { AudienceForm, WizardForm } from "./wizard-form";

export interface StepProps {
  form: WizardForm;
  set: (patch: Partial<WizardForm>) => void;
  errors: Record<string, string>;
}

const TEMPLATE_VARIANT: Record<string, BadgeProps["variant"]> = { APPROVED: "success", PENDING: "warning", REJECTED: "destructive", PAUSED: "warning", DISABLED: "destructive" };

export function TemplateStatus({ status }: { status: string }) {
  const { t } = useTranslation("campaigns");
  const s = status.toUpperCase();
  return <Badge variant={TEMPLATE_VARIANT[s] ?? "outline"}>{t(`templateStatus.${s}`, { defaultValue: s })}</Badge>;
}

function Choice({ name, value, checked, disabled, onChange, children }: { name: string; value: string; checked: boolean; disabled?: boolean; onChange: () => void; children: React.ReactNode }) {
  return (
    <label
      className={cn(
        "flex cursor-pointer items-start gap-3 rounded-md border p-3 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring",
        checked && "border-primary bg-accent/40",
        disabled && "cursor-not-allowed opacity-60",
      )}
    >
      <input type="radio" className="mt-1 accent-[var(--color-primary)]" name={name} value={value} checked={checked} disabled={disabled} onChange={onChange} />
      <span className="grid min-w-0 flex-1 gap-1">{children}</span>
    </label>
  );
}

/** A step's search box, once there is more than one page to choose from (the server is asked as the user types). */
function PickSearch({ label, value, onChange, shown, more }: { label: string; value: string; onChange: (v: string) => void; shown: boolean; more: boolean }) {
  const { t } = useTranslation("campaigns");
  if (!shown) return null;
  return (
    <div className="grid gap-1">
      <div className="relative">
        <Search className="pointer-events-none absolute left-2 top-2.5 size-4 text-muted-foreground" aria-hidden="true" />
        <Input type="search" aria-label={label} placeholder={label} value={value} onChange={(e) => onChange(e.target.value)} className="pl-8" />
      </div>
      {more ? <p className="text-xs text-muted-foreground">{t("wizard.moreMatch")}</p> : null}
    </div>
  );
}

// 1. The number

export function NumberStep({ form, set, errors }: StepProps) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const connections = useConnections(q);
  const chosen = useConnection(form.connectionId || null);
  const found = connections.data?.items ?? [];
  // the chosen number stays on screen while a search shows others
  const shown = chosen.data && !found.some((c) => c.id === chosen.data.id) ? [chosen.data, ...found] : found;
  return (
    <div className="grid gap-4">
      <Field label={t("wizard.name")} error={errors.name} hint={t("wizard.nameHint")}>
        <Input value={form.name} maxLength={200} onChange={(e) => set({ name: e.target.value })} />
      </Field>
      <fieldset className="grid gap-2">
        <legend className="pb-2 text-sm font-medium">{t("wizard.number")}</legend>
        <PickSearch label={t("wizard.searchNumbers")} value={search} onChange={setSearch} shown={!!(search || connections.data?.next_cursor)} more={!!connections.data?.next_cursor} />
        {connections.isPending ? (
          <SkeletonRows rows={2} />
        ) : connections.isError ? (
          <ErrorState error={connections.error} onRetry={() => void connections.refetch()} />
        ) : !shown.length && q ? (
          <p className="text-sm text-muted-foreground">{t("wizard.noNumberMatch")}</p>
        ) : !shown.length ? (
          <EmptyState
            icon={Smartphone}
            title={t("wizard.noNumbers")}
            action={
              <Button asChild size="sm" variant="outline">
                <Link to="/connections">{t("wizard.addNumber")}</Link>
              </Button>
            }
          />
        ) : (
          shown.map((c) => (
            <Choice key={c.id} name="connection" value={c.id} checked={form.connectionId === c.id} onChange={() => set({ connectionId: c.id, templateId: "", localTemplateId: "", parameters: {}, defaults: {} })}>
              <span className="flex flex-wrap items-center gap-2 font-medium">
                <span>
                  {c.name}
                  {c.display_phone_number ? ` · ${c.display_phone_number}` : ""}
                </span>
                <Badge variant={isSms(c) ? "secondary" : "outline"}>{t(`channel.${isSms(c) ? "sms" : "whatsapp"}`)}</Badge>
              </span>
              <span className="text-xs text-muted-foreground">
                {isSms(c)
                  ? `${t("wizard.smsFacts", { status: c.status, country: c.sms?.country ?? "—", rate: rateCap(c) })}${c.sms && Number(c.sms.cost_per_segment) > 0 ? t("wizard.smsPrice", { price: money(format.locale, c.sms.cost_per_segment, c.sms.currency) }) : ""}`
                  : t("wizard.numberFacts", { status: c.status, quality: c.quality_rating ?? "—", rate: maxRate(c.throughput_level) })}
              </span>
            </Choice>
          ))
        )}
        {errors.connection_id ? (
          <p role="alert" className="text-xs text-destructive">
            {errors.connection_id}
          </p>
        ) : null}
      </fieldset>
    </div>
  );
}

// 2. The template

export function TemplateStep(props: StepProps & { onPick: (template: WhatsAppTemplate) => void }) {
  const connection = useConnection(props.form.connectionId || null);
  if (props.form.connectionId && connection.isPending) return <SkeletonRows rows={3} />;
  return isSms(connection.data) ? <LocalTemplateStep {...props} /> : <WhatsAppTemplateStep {...props} />;
}

function WhatsAppTemplateStep({ form, errors, onPick }: StepProps & { onPick: (template: WhatsAppTemplate) => void }) {
  const { t } = useTranslation("campaigns");
  const isAdmin = useIsAdmin();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const templates = useTemplates(form.connectionId, q);
  const chosen = useWhatsAppTemplate(form.templateId || null);
  const client = useQueryClient();
  const sync = useSyncTemplates();
  const sorted = useMemo(() => {
    const found = templates.data?.items ?? [];
    // the chosen template stays on screen while a search shows others
    const all = chosen.data && chosen.data.connection_id === form.connectionId && !found.some((tpl) => tpl.id === chosen.data.id) ? [chosen.data, ...found] : found;
    return [...all].sort((a, b) => Number(b.status === "APPROVED") - Number(a.status === "APPROVED") || a.name.localeCompare(b.name));
  }, [templates.data, chosen.data, form.connectionId]);
  return (
    <fieldset className="grid gap-2">
      <legend className="flex w-full flex-wrap items-center justify-between gap-2 pb-2 text-sm font-medium">
        <span>{t("wizard.template")}</span>
      </legend>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-muted-foreground">{t("wizard.templateHint")}</p>
        {isAdmin ? (
          <Button
            size="sm"
            variant="outline"
            disabled={sync.isPending}
            onClick={() =>
              sync.mutate(form.connectionId, {
                onSuccess: (r) => toast.success(t("wizard.synced", { total: r.total })),
                onError: (e) => toast.error(e.message),
              })
            }
          >
            <RefreshCw aria-hidden="true" className={cn(sync.isPending && "animate-spin")} />
            {t("wizard.sync")}
          </Button>
        ) : null}
      </div>
      <PickSearch label={t("wizard.searchTemplates")} value={search} onChange={setSearch} shown={!!(search || templates.data?.next_cursor)} more={!!templates.data?.next_cursor} />
      {templates.isPending ? (
        <SkeletonRows rows={3} />
      ) : templates.isError ? (
        <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />
      ) : !sorted.length && q ? (
        <p className="text-sm text-muted-foreground">{t("wizard.noTemplateMatch")}</p>
      ) : !sorted.length ? (
        <EmptyState
          title={t("wizard.noTemplates")}
          description={t("wizard.noTemplatesHint")}
          action={
            <Button asChild size="sm" variant="outline">
              <Link to="/templates">{t("wizard.toTemplates")}</Link>
            </Button>
          }
        />
      ) : (
        sorted.map((tpl) => {
          const approved = tpl.status.toUpperCase() === "APPROVED";
          return (
            <Choice
              key={tpl.id}
              name="template"
              value={tpl.id}
              checked={form.templateId === tpl.id}
              disabled={!approved}
              onChange={() => {
                rememberTemplate(client, tpl);
                onPick(tpl);
              }}
            >
              <span className="flex flex-wrap items-center gap-2 font-medium">
                <span className="break-all">{tpl.name}</span>
                <TemplateStatus status={tpl.status} />
              </span>
              <span className="text-xs text-muted-foreground">
                {tpl.language} · {tpl.category}
                {tpl.quality ? ` · ${t("wizard.quality", { quality: tpl.quality })}` : ""}
                {!approved ? ` · ${t("wizard.notApproved")}` : ""}
              </span>
              {tpl.rejected_reason ? <span className="text-xs text-destructive">{tpl.rejected_reason}</span> : null}
            </Choice>
          );
        })
      )}
      {errors.whatsapp_template_id ? (
        <p role="alert" className="text-xs text-destructive">
          {errors.whatsapp_template_id}
        </p>
      ) : null}
    </fieldset>
  );
}

// 3. The parameters, with a phone-like preview

function keyLabel(t: (k: string, o?: Record<string, unknown>) => string, key: string): string {
  const [part, a, b] = key.split(".");
  if (key === "header.media") return t("wizard.param.media");
  if (part === "button") return t("wizard.param.button", { n: Number(a) + 1, name: b });
  return t(`wizard.param.${part}`, { name: a });
}

export function PhonePreview({ template, form }: { template: WhatsAppTemplate; form: WizardForm }) {
  const { t } = useTranslation("campaigns");
  const parts = previewParts(template.components, (key) => {
    const variable = form.parameters[key]?.trim();
    if (variable) return `[${t(`fields.${variable}`, { defaultValue: variable })}]`;
    return form.defaults[key]?.trim() || `{{${key.split(".").pop()}}}`;
  });
  return (
    <figure aria-label={t("wizard.preview")} className="mx-auto w-full max-w-xs rounded-[2rem] border-8 border-slate-800 bg-[#e9e2d8] p-3 shadow-md">
      <figcaption className="mb-2 text-center text-xs font-medium text-slate-700">{t("wizard.preview")}</figcaption>
      <div className="ml-auto grid max-w-[95%] gap-1 rounded-lg rounded-tr-none bg-white p-2 text-sm text-slate-900 shadow">
        {parts.headerMedia ? <div className="grid h-20 place-items-center rounded bg-slate-200 text-xs text-slate-600">{t(`wizard.media.${parts.headerMedia}`, { defaultValue: parts.headerMedia })}</div> : null}
        {parts.header ? <p className="font-semibold">{parts.header}</p> : null}
        <p className="whitespace-pre-wrap break-words">{parts.body}</p>
        {parts.footer ? <p className="text-xs text-slate-500">{parts.footer}</p> : null}
      </div>
      {parts.buttons.map((b) => (
        <div key={b} className="ml-auto mt-1 max-w-[95%] rounded-lg bg-white p-1.5 text-center text-sm text-sky-700 shadow">
          {b}
        </div>
      ))}
    </figure>
  );
}

export function ParametersStep({ form, set, errors, template, missing }: StepProps & { template: WhatsAppTemplate | undefined; missing: string[] }) {
  const { t } = useTranslation("campaigns");
  const custom = useCustomFields();
  if (!template) return <Skeleton className="h-40 w-full" />;
  const keys = template.parameter_keys ?? [];
  return (
    <div className="grid gap-6 md:grid-cols-[1fr_auto]">
      <div className="grid content-start gap-4">
        {!keys.length ? <p className="text-sm text-muted-foreground">{t("wizard.noParameters")}</p> : <p className="text-sm text-muted-foreground">{t("wizard.parametersHint")}</p>}
        {keys.map((key) => {
          const label = keyLabel(t, key);
          const problem = errors[`parameters.${key}`] ?? (missing.includes(key) ? t("wizard.missingParameter") : undefined);
          if (key === "header.media")
            return (
              <Field key={key} label={label} error={errors[`defaults.${key}`] ?? problem} hint={t("wizard.mediaHint")}>
                <Input type="url" placeholder="https://" value={form.defaults[key] ?? ""} onChange={(e) => set({ defaults: { ...form.defaults, [key]: e.target.value } })} />
              </Field>
            );
          return (
            <fieldset key={key} className="grid items-start gap-2 rounded-md border p-3 sm:grid-cols-2">
              <legend className="px-1 text-sm font-medium">{label}</legend>
              <Field label={t("wizard.contactField")} error={problem}>
                <NativeSelect value={form.parameters[key] ?? ""} onChange={(e) => set({ parameters: { ...form.parameters, [key]: e.target.value } })}>
                  <option value="">{t("wizard.noField")}</option>
                  {CONTACT_FIELDS.map((f) => (
                    <option key={f} value={f}>
                      {t(`fields.${f}`)}
                    </option>
                  ))}
                  {(custom.data ?? []).map((f) => (
                    <option key={f.id} value={`custom.${f.key}`}>
                      {f.label}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
              <Field label={t("wizard.default")} error={errors[`defaults.${key}`]} hint={t("wizard.defaultHint")}>
                <Input value={form.defaults[key] ?? ""} maxLength={2000} onChange={(e) => set({ defaults: { ...form.defaults, [key]: e.target.value } })} />
              </Field>
            </fieldset>
          );
        })}
      </div>
      <PhonePreview template={template} form={form} />
    </div>
  );
}

// 4. The audience, with its live count

/** Tags, lists or segments of the audience: the chosen ones as removable chips, and a picker searched on the server. */
function AudiencePicker({ kind, legend, selected, onChange }: { kind: AudienceKind; legend: string; selected: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation("campaigns");
  const chosen = useAudienceChosen(kind, selected);
  // names of what was just picked, before the lookup by id answers
  const [picked, setPicked] = useState<Map<string, AudienceItem>>(() => new Map());
  const byId = new Map([...picked, ...(chosen.data ?? []).map((o) => [o.id, o] as const)]);
  const hint = (item: AudienceItem) => (item.count === undefined ? undefined : t("wizard.members", { count: item.count }));
  const useOptions = (q: string): ComboboxResult => {
    const found = useAudienceSearch(kind, q);
    return { options: (found.data ?? []).map((o) => ({ id: o.id, label: o.name, color: o.color, hint: hint(o) })), loading: found.isFetching, error: found.isError };
  };
  const pick = (option: ComboboxOption) => {
    const item = { id: option.id, name: option.label, color: option.color };
    setPicked((m) => new Map(m).set(option.id, item));
    onChange([...selected, option.id]);
  };
  return (
    <fieldset className="grid content-start gap-2 rounded-md border p-3">
      <legend className="px-1 text-sm font-medium">{legend}</legend>
      <Combobox
        aria-label={t(`wizard.pick.${kind}`)}
        placeholder={t(`wizard.pick.${kind}`)}
        searchLabel={t(`wizard.pickSearch.${kind}`)}
        emptyText={t(`wizard.pickNone.${kind}`)}
        useOptions={useOptions}
        chosen={selected}
        onSelect={pick}
      />
      {selected.length ? (
        <ul className="flex flex-wrap gap-1" aria-label={t(`wizard.picked.${kind}`)}>
          {selected.map((id) => {
            const item = byId.get(id);
            const name = item?.name ?? (chosen.isPending ? "…" : t("wizard.deleted"));
            const extra = item ? hint(item) : undefined;
            return (
              <li key={id} className="flex items-center gap-1 rounded-full border bg-muted px-2 py-0.5 text-xs">
                {item?.color ? <span aria-hidden="true" className="size-2 rounded-full" style={{ background: item.color }} /> : null}
                {name}
                {extra ? <span className="text-muted-foreground">{extra}</span> : null}
                <button
                  type="button"
                  className="rounded-full p-0.5 hover:bg-background focus-visible:ring-2 focus-visible:ring-ring"
                  aria-label={t("wizard.removeChosen", { name })}
                  onClick={() => onChange(selected.filter((x) => x !== id))}
                >
                  <X className="size-3" aria-hidden="true" />
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </fieldset>
  );
}

function ChosenContact({ id, onRemove }: { id: string; onRemove: () => void }) {
  const { t } = useTranslation("campaigns");
  const contact = useContact(id);
  const label = contact.data ? contact.data.name || contact.data.phone : "…";
  return (
    <li className="flex items-center gap-1 rounded-full border bg-muted px-2 py-0.5 text-xs">
      {label}
      <button type="button" className="rounded-full p-0.5 hover:bg-background focus-visible:ring-2 focus-visible:ring-ring" aria-label={t("wizard.removeContact", { name: label })} onClick={onRemove}>
        <X className="size-3" aria-hidden="true" />
      </button>
    </li>
  );
}

function ContactPicker({ selected, onChange }: { selected: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation("campaigns");
  const [q, setQ] = useState("");
  const query = useDebounced(q, 300);
  const found = useContactSearch(query);
  return (
    <fieldset className="grid content-start gap-2 rounded-md border p-3">
      <legend className="px-1 text-sm font-medium">{t("wizard.contacts")}</legend>
      <div className="relative">
        <Search className="pointer-events-none absolute left-2 top-2.5 size-4 text-muted-foreground" aria-hidden="true" />
        <Input type="search" aria-label={t("wizard.searchContacts")} placeholder={t("wizard.searchContacts")} className="pl-8" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      {query && found.data ? (
        found.data.items.length ? (
          <ul className="grid max-h-40 gap-1 overflow-y-auto" aria-label={t("wizard.searchResults")}>
            {found.data.items.map((c) => {
              const on = selected.includes(c.id);
              return (
                <li key={c.id} className="flex items-center justify-between gap-2 text-sm">
                  <span className="min-w-0 truncate">
                    {c.name ?? "—"} <span className="font-mono text-xs text-muted-foreground">{c.phone}</span>
                  </span>
                  <Button size="sm" variant="ghost" disabled={on} onClick={() => onChange([...selected, c.id])} aria-label={t("wizard.addContact", { name: c.name ?? c.phone })}>
                    {on ? t("wizard.added") : t("wizard.add")}
                  </Button>
                </li>
              );
            })}
          </ul>
        ) : (
          <p className="text-xs text-muted-foreground">{t("wizard.noContactFound")}</p>
        )
      ) : null}
      {selected.length ? (
        <ul className="flex flex-wrap gap-1" aria-label={t("wizard.chosenContacts")}>
          {selected.map((id) => (
            <ChosenContact key={id} id={id} onRemove={() => onChange(selected.filter((x) => x !== id))} />
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}

export function AudienceStep({ form, set, errors, count, counting }: StepProps & { count: number | null; counting: boolean }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const setAudience = (patch: Partial<AudienceForm>) => set({ audience: { ...form.audience, ...patch } });
  const problem = errors.audience ?? Object.entries(errors).find(([k]) => k.startsWith("audience."))?.[1];
  return (
    <div className="grid gap-4">
      <div role="status" aria-live="polite" className="rounded-md border bg-muted/40 p-3">
        <p className="text-xs font-medium text-muted-foreground">{t("wizard.audienceCount")}</p>
        <p className="text-2xl font-semibold tabular-nums">
          {count === null ? "—" : format.number(count)}
          {counting ? <span className="ml-2 text-xs font-normal text-muted-foreground">{t("wizard.counting")}</span> : null}
        </p>
        <p className="text-xs text-muted-foreground">{count === null ? t("wizard.audienceEmpty") : t("wizard.audienceCountHint", { count })}</p>
      </div>
      {problem ? (
        <p role="alert" className="text-sm text-destructive">
          {problem}
        </p>
      ) : null}
      <div className="grid gap-3 md:grid-cols-2">
        <AudiencePicker kind="tags" legend={t("wizard.tags")} selected={form.audience.tag_ids} onChange={(tag_ids) => setAudience({ tag_ids })} />
        <AudiencePicker kind="lists" legend={t("wizard.lists")} selected={form.audience.list_ids} onChange={(list_ids) => setAudience({ list_ids })} />
        <AudiencePicker kind="segments" legend={t("wizard.segments")} selected={form.audience.segment_ids} onChange={(segment_ids) => setAudience({ segment_ids })} />
        <ContactPicker selected={form.audience.contact_ids} onChange={(contact_ids) => setAudience({ contact_ids })} />
      </div>
    </div>
  );
}

// 5. When and how fast

function timezones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC", "America/Sao_Paulo"];
  }
}

export function ScheduleStep({ form, set, errors, connection }: StepProps & { connection: Connection | undefined }) {
  const { t } = useTranslation("campaigns");
  const zones = useMemo(() => {
    const all = timezones();
    return all.includes(form.timezone) || !form.timezone ? all : [form.timezone, ...all];
  }, [form.timezone]);
  const cap = rateCap(connection);
  const windowError = errors.window ?? errors["window.start"] ?? errors["window.end"];
  return (
    <div className="grid gap-6">
      <fieldset className="grid gap-2">
        <legend className="pb-2 text-sm font-medium">{t("schedule.when")}</legend>
        <Choice name="start" value="now" checked={form.startMode === "now"} onChange={() => set({ startMode: "now" })}>
          <span className="font-medium">{t("schedule.now")}</span>
          <span className="text-xs text-muted-foreground">{t("schedule.nowHint")}</span>
        </Choice>
        <Choice name="start" value="later" checked={form.startMode === "later"} onChange={() => set({ startMode: "later" })}>
          <span className="font-medium">{t("schedule.later")}</span>
          <span className="text-xs text-muted-foreground">{t("schedule.laterHint")}</span>
        </Choice>
      </fieldset>
      <div className="grid items-start gap-3 sm:grid-cols-2">
        {form.startMode === "later" ? (
          <Field label={t("schedule.at")} error={errors.at}>
            <Input type="datetime-local" value={form.at} onChange={(e) => set({ at: e.target.value })} />
          </Field>
        ) : null}
        <Field label={t("schedule.timezone")} error={errors.timezone} hint={t("schedule.timezoneHint")}>
          <NativeSelect value={form.timezone} onChange={(e) => set({ timezone: e.target.value })}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </div>
      <fieldset className="grid gap-3 rounded-md border p-3">
        <legend className="px-1 text-sm font-medium">{t("schedule.window")}</legend>
        <div className="flex items-center gap-2">
          <Switch id="window-on" checked={form.windowOn} onCheckedChange={(v) => set({ windowOn: v })} />
          <Label htmlFor="window-on" className="font-normal">
            {t("schedule.windowOn")}
          </Label>
        </div>
        {form.windowOn ? (
          <div className="grid items-start gap-3 sm:grid-cols-3">
            <Field label={t("schedule.windowStart")} error={errors["window.start"]}>
              <Input type="time" value={form.windowStart} onChange={(e) => set({ windowStart: e.target.value })} />
            </Field>
            <Field label={t("schedule.windowEnd")} error={errors["window.end"]}>
              <Input type="time" value={form.windowEnd} onChange={(e) => set({ windowEnd: e.target.value })} />
            </Field>
            <Field label={t("schedule.windowZoneLabel")}>
              <NativeSelect value={form.windowZone} onChange={(e) => set({ windowZone: e.target.value as "company" | "contact" })}>
                <option value="company">{t("schedule.windowZone.company")}</option>
                <option value="contact">{t("schedule.windowZone.contact")}</option>
              </NativeSelect>
            </Field>
          </div>
        ) : null}
        {windowError && !errors["window.start"] && !errors["window.end"] ? (
          <p role="alert" className="text-xs text-destructive">
            {windowError}
          </p>
        ) : null}
      </fieldset>
      <Field label={t("schedule.rate")} error={errors.rate_per_second} hint={t("schedule.rateHint", { max: cap })} className="sm:max-w-xs">
        <Input type="number" inputMode="numeric" min={1} step={1} value={form.rate} onChange={(e) => set({ rate: e.target.value })} />
      </Field>
    </div>
  );
}
