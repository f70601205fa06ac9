/** A lead made by hand: its contact (searched as one types), title, value and currency, owner, stage (the first
 * by default) and, optionally, tags, next step and due date. The API's field errors sit next to their fields; when
 * the contact already has an open lead on this pipeline (409), that lead is offered instead. */
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Combobox, type ComboboxOption, type ComboboxResult } from "@/components/ui/combobox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { useAuth, useIsAdmin } from "@/lib/auth/auth-provider";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { existingOpenLead, useContactSearch, useCreateLead, useTags, useUsers, type Pipeline } from "../api/pipelines";
import type { Lead } from "../lib/board";
import { toApiValue } from "../lib/money";

function useContactOptions(q: string): ComboboxResult {
  const found = useContactSearch(q);
  return {
    options: (found.data ?? []).map((c) => ({ id: c.id, label: c.name || c.phone, hint: c.name ? c.phone : undefined })),
    loading: found.isFetching,
    error: found.isError,
  };
}

export function NewLeadDialog({ pipeline, onCancel, onOpen }: { pipeline: Pipeline; onCancel: () => void; onOpen: (leadId: string) => void }) {
  const { t } = useTranslation("pipelines");
  const { me } = useAuth();
  const admin = useIsAdmin();
  const users = useUsers();
  const tags = useTags();
  const create = useCreateLead(pipeline.id);
  const format = useFormat();
  const { errors, fail, clear } = useFieldErrors();
  const [existing, setExisting] = useState<Lead | null>(null);
  const stages = pipeline.stages.filter((s) => s.semantic_type !== "won" && s.semantic_type !== "lost");
  const [contact, setContact] = useState<ComboboxOption | null>(null);
  const [form, setForm] = useState({
    title: "",
    value: "",
    currency: "BRL",
    owner: me?.user.id ?? "",
    stage: stages[0]?.id ?? "",
    tags: [] as string[],
    nextStep: "",
    due: "",
  });
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const tagsLabel = useId();
  const owners = admin ? (users.data ?? []).filter((u) => u.is_active) : (users.data ?? []).filter((u) => u.id === me?.user.id);
  return (
    <Dialog open onOpenChange={(open) => !open && onCancel()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t("newLead.title")}</DialogTitle>
          <DialogDescription>{t("newLead.description", { pipeline: pipeline.name })}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          aria-label={t("newLead.title")}
          onSubmit={(e) => {
            e.preventDefault();
            if (!contact) return;
            setExisting(null);
            create.mutate(
              {
                pipeline_id: pipeline.id,
                contact_id: contact.id,
                stage_id: form.stage || null,
                title: form.title.trim(),
                value: toApiValue(form.value, format.number(1.5).includes(",")),
                currency: form.currency.trim().toUpperCase() || "BRL",
                owner_id: form.owner || null,
                tag_ids: form.tags,
                next_step: form.nextStep.trim() || null,
                due_date: form.due || null,
                source: "manual",
              },
              {
                onSuccess: (lead) => {
                  clear();
                  toast.success(t("newLead.created", { title: lead.title }));
                  onCancel();
                },
                onError: (error) => {
                  const open = existingOpenLead(error);
                  if (open) {
                    clear();
                    setExisting(open);
                  } else fail(error);
                },
              },
            );
          }}
        >
          <Field label={t("newLead.contact")} error={errors.contact_id ?? (existing ? t("newLead.hasOpenLead", { title: existing.title }) : undefined)}>
            <Combobox
              value={contact?.label}
              placeholder={t("newLead.pickContact")}
              searchLabel={t("newLead.searchContacts")}
              emptyText={t("newLead.noContacts")}
              useOptions={useContactOptions}
              onSelect={(option) => {
                setContact(option);
                setExisting(null);
                if (!form.title.trim()) set({ title: option.label });
              }}
            />
          </Field>
          {existing ? (
            <Button type="button" variant="outline" className="justify-self-start" onClick={() => onOpen(existing.id)}>
              {t("newLead.openExisting")}
            </Button>
          ) : null}
          <Field label={t("lead.title")} error={errors.title}>
            <Input value={form.title} required maxLength={200} onChange={(e) => set({ title: e.target.value })} />
          </Field>
          <div className="grid grid-cols-[1fr_6rem] gap-3">
            <Field label={t("lead.value")} error={errors.value} hint={t("newLead.valueHint", { example: format.number(1500.5, { minimumFractionDigits: 2 }) })}>
              <Input inputMode="decimal" value={form.value} onChange={(e) => set({ value: e.target.value })} />
            </Field>
            <Field label={t("lead.currency")} error={errors.currency}>
              <Input value={form.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value })} />
            </Field>
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t("lead.owner")} error={errors.owner_id}>
              <NativeSelect value={form.owner} onChange={(e) => set({ owner: e.target.value })}>
                <option value="">{t("card.unassigned")}</option>
                {owners.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name || u.email}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field label={t("newLead.stage")} error={errors.stage_id}>
              <NativeSelect value={form.stage} onChange={(e) => set({ stage: e.target.value })}>
                {stages.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </NativeSelect>
            </Field>
          </div>
          {tags.data?.length ? (
            <fieldset className="grid gap-1.5">
              <legend id={tagsLabel} className="mb-1.5 text-sm font-medium">
                {t("lead.tags")}
              </legend>
              <div className="flex flex-wrap gap-1.5">
                {tags.data.map((tag) => {
                  const on = form.tags.includes(tag.id);
                  return (
                    <button
                      key={tag.id}
                      type="button"
                      aria-pressed={on}
                      className={`rounded-full border px-2 py-0.5 text-xs ${on ? "bg-primary text-primary-foreground" : "bg-background"}`}
                      onClick={() => set({ tags: on ? form.tags.filter((id) => id !== tag.id) : [...form.tags, tag.id] })}
                    >
                      {tag.name}
                    </button>
                  );
                })}
              </div>
              {errors.tag_ids ? <p className="text-xs text-destructive">{errors.tag_ids}</p> : null}
            </fieldset>
          ) : null}
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t("lead.nextStep")} error={errors.next_step}>
              <Input value={form.nextStep} maxLength={300} onChange={(e) => set({ nextStep: e.target.value })} />
            </Field>
            <Field label={t("lead.due")} error={errors.due_date}>
              <Input type="date" value={form.due} onChange={(e) => set({ due: e.target.value })} />
            </Field>
          </div>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onCancel}>
              {t("common:cancel")}
            </Button>
            <Button type="submit" disabled={create.isPending || !contact || !form.title.trim()}>
              {create.isPending ? t("common:saving") : t("newLead.create")}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
