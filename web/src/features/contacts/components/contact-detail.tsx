import { MessageSquare, Trash2, X } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { ApiError } from "@/lib/api/problem";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import {
  useContact,
  useContactConversations,
  useDeleteContact,
  useTagContact,
  useUpdateContact,
  type Contact,
  type ContactUpdate,
} from "../api/contacts";
import { ContactConsent } from "./contact-consent";
import { Combobox, type ComboboxOption } from "@/components/ui/combobox";
import { useCustomFields } from "../api/custom-fields";
import { useTagSearch } from "../api/tags";
import { CustomValueInput } from "./contact-filter-bar";
import { customChanges, customInputs, type CustomInputs } from "./custom-values";

const BASE = ["name", "phone", "email", "language", "notes"] as const;
type Base = (typeof BASE)[number];

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="grid min-w-0 gap-3 border-t pt-4" aria-label={title}>
      <h3 className="text-sm font-semibold">{title}</h3>
      {children}
    </section>
  );
}

function DetailsForm({ contact }: { contact: Contact }) {
  const { t } = useTranslation("contacts");
  // every definition: the form shows each custom field (a company's schema, see getAllCustomFields)
  const fields = useCustomFields();
  const update = useUpdateContact(contact.id);
  const { errors, fail, clear } = useFieldErrors();
  const [duplicate, setDuplicate] = useState<string>();
  const initial = (c: Contact) => Object.fromEntries(BASE.map((k) => [k, c[k] ?? ""])) as Record<Base, string>;
  const [values, setValues] = useState(() => initial(contact));
  const [custom, setCustom] = useState<CustomInputs>(() => customInputs(contact.custom_fields));
  const definitions = fields.data ?? [];

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setDuplicate(undefined);
    const body: ContactUpdate = {};
    for (const key of BASE) {
      if (values[key] === (contact[key] ?? "")) continue;
      if (key === "phone") body.phone = values.phone;
      else body[key] = values[key] || null;
    }
    const changedCustom = customChanges(definitions, contact.custom_fields, custom);
    if (Object.keys(changedCustom).length) body.custom_fields = changedCustom;
    if (!Object.keys(body).length) return;
    update.mutate(body, {
      onSuccess: (saved) => {
        clear();
        setValues(initial(saved));
        setCustom(customInputs(saved.custom_fields));
        toast.success(t("contacts.detail.saved"));
      },
      onError: (error) => {
        if (error instanceof ApiError && error.status === 409) {
          clear();
          setDuplicate(error.message);
        } else fail(error);
      },
    });
  };

  const set = (key: Base) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setValues((v) => ({ ...v, [key]: e.target.value }));

  return (
    <form onSubmit={submit} className="grid gap-3" noValidate aria-label={t("contacts.detail.details")}>
      <Field label={t("contacts.fields.name")} error={errors.name}>
        <Input value={values.name} onChange={set("name")} autoComplete="off" />
      </Field>
      <Field label={t("contacts.fields.phone")} error={errors.phone ?? duplicate} hint={t("contacts.phoneHint")}>
        <Input value={values.phone} onChange={set("phone")} inputMode="tel" autoComplete="off" />
      </Field>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={t("contacts.fields.email")} error={errors.email} className="content-start">
          <Input type="email" value={values.email} onChange={set("email")} autoComplete="off" />
        </Field>
        <Field label={t("contacts.fields.language")} error={errors.language} hint={t("contacts.languageHint")} className="content-start">
          <Input value={values.language} onChange={set("language")} autoComplete="off" />
        </Field>
      </div>
      <Field label={t("contacts.fields.notes")} error={errors.notes}>
        <Textarea value={values.notes} onChange={set("notes")} />
      </Field>
      {definitions.length ? (
        <fieldset className="grid gap-3 rounded-md border p-3">
          <legend className="px-1 text-sm font-semibold">{t("contacts.detail.customFields")}</legend>
          {definitions.map((definition) => (
            <Field key={definition.id} label={definition.label} error={errors[`custom_fields.${definition.key}`]}>
              <CustomValueInput field={definition} emptyLabel={t("contacts.detail.notSet")} value={custom[definition.key] ?? ""} onChange={(v) => setCustom((c) => ({ ...c, [definition.key]: v }))} />
            </Field>
          ))}
        </fieldset>
      ) : null}
      <div className="flex justify-end">
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? t("common:saving") : t("common:save")}
        </Button>
      </div>
    </form>
  );
}

function TagsSection({ contact }: { contact: Contact }) {
  const { t } = useTranslation("contacts");
  const change = useTagContact(contact.id);
  const [adding, setAdding] = useState<ComboboxOption | null>(null);
  const onError = (error: Error) => toast.error(error.message);

  return (
    <Section title={t("contacts.fields.tags")}>
      {contact.tags.length ? (
        <ul className="flex flex-wrap gap-1.5" aria-label={t("contacts.detail.currentTags")}>
          {contact.tags.map((tag) => (
            <li key={tag.id}>
              <Badge variant="outline" className="gap-1.5 py-1 pr-1">
                <span aria-hidden="true" className="size-2 rounded-full" style={{ background: tag.color }} />
                {tag.name}
                <button
                  type="button"
                  className="rounded-full p-0.5 hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                  aria-label={t("contacts.detail.removeTag", { name: tag.name })}
                  disabled={change.isPending}
                  onClick={() => change.mutate({ tagId: tag.id, add: false }, { onError })}
                >
                  <X className="size-3" aria-hidden="true" />
                </button>
              </Badge>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-muted-foreground">{t("contacts.detail.noTags")}</p>
      )}
      <div className="flex flex-wrap gap-2">
        <Combobox
          aria-label={t("contacts.detail.addTag")}
          className="min-w-40 flex-1"
          value={adding?.label}
          placeholder={t("contacts.detail.chooseTag")}
          searchLabel={t("contacts.filters.searchTags")}
          emptyText={t("contacts.filters.noTagFound")}
          useOptions={useTagSearch}
          chosen={contact.tags.map((own) => own.id)}
          onSelect={setAdding}
        />
        <Button
          variant="secondary"
          disabled={!adding || change.isPending}
          onClick={() => adding && change.mutate({ tagId: adding.id, add: true }, { onSuccess: () => setAdding(null), onError })}
        >
          {t("contacts.detail.addTagButton")}
        </Button>
      </div>
    </Section>
  );
}

function Conversations({ contactId }: { contactId: string }) {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const conversations = useContactConversations(contactId);
  return (
    <Section title={t("contacts.detail.conversations")}>
      {conversations.isPending ? (
        <SkeletonRows rows={2} className="p-0" />
      ) : conversations.isError ? (
        <ErrorState error={conversations.error} onRetry={() => void conversations.refetch()} />
      ) : conversations.data.items.length ? (
        <ul className="grid gap-1">
          {conversations.data.items.map((c) => (
            <li key={c.id}>
              <Link to={`/inbox/${c.id}`} className="flex items-center gap-2 rounded-md border p-2 text-sm hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
                <MessageSquare className="size-4 text-muted-foreground" aria-hidden="true" />
                <span className="flex-1">
                  {t(`contacts.channels.${c.channel === "sms" ? "sms" : "whatsapp"}`)} · {t(`contacts.conversationStatus.${c.status}`, { defaultValue: c.status })}
                </span>
                {c.unread_count ? <Badge>{c.unread_count}</Badge> : null}
                <span className="text-xs text-muted-foreground">{format.relative(c.last_message_at)}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-muted-foreground">{t("contacts.detail.noConversations")}</p>
      )}
    </Section>
  );
}

/** The side panel of one contact (inside a right-side Dialog): edit, custom fields, tags, consent, conversations. */
export function ContactDetail({ id, onDeleted }: { id: string; onDeleted: () => void }) {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const isAdmin = useIsAdmin();
  const contact = useContact(id);
  const remove = useDeleteContact();

  if (contact.isPending)
    return (
      <>
        <DialogTitle className="sr-only">{t("contacts.detail.loading")}</DialogTitle>
        <DialogDescription className="sr-only">{t("common:loading")}</DialogDescription>
        <SkeletonRows rows={8} />
      </>
    );
  if (contact.isError)
    return (
      <>
        <DialogTitle>{t("contacts.detail.notFound")}</DialogTitle>
        <DialogDescription className="sr-only">{t("contacts.detail.notFound")}</DialogDescription>
        <ErrorState error={contact.error} onRetry={() => void contact.refetch()} />
      </>
    );

  const c = contact.data;
  return (
    <div className="grid gap-4">
      <DialogHeader>
        <DialogTitle>{c.name || c.phone}</DialogTitle>
        <DialogDescription>
          {c.phone} · {t("contacts.detail.since", { date: format.date(c.created_at) })}
          {c.is_valid ? null : ` · ${t("contacts.detail.invalid")}`}
        </DialogDescription>
      </DialogHeader>
      <DetailsForm key={c.id} contact={c} />
      <TagsSection contact={c} />
      <Conversations contactId={c.id} />
      <Section title={t("contacts.detail.consent")}>
        <ContactConsent contact={c} />
      </Section>
      {isAdmin ? (
        <div className="flex justify-end border-t pt-4">
          <Confirm
            title={t("contacts.delete.title")}
            description={t("contacts.delete.description", { name: c.name || c.phone })}
            action={t("common:delete")}
            onConfirm={() =>
              remove.mutate(c.id, {
                onSuccess: () => {
                  toast.success(t("contacts.delete.done"));
                  onDeleted();
                },
                onError: (error) => toast.error(error.message),
              })
            }
          >
            <Button variant="destructive" disabled={remove.isPending}>
              <Trash2 aria-hidden="true" />
              {t("contacts.delete.button")}
            </Button>
          </Confirm>
        </div>
      ) : null}
    </div>
  );
}
