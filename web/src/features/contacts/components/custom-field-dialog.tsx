import * as React from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { CUSTOM_FIELD_TYPES, useCreateCustomField, type CustomFieldType } from "../api/custom-fields";
import { errorAt, useAudienceFormErrors } from "./audience-form-errors";

/** A key from a label, as the API wants keys: `^[a-z][a-z0-9_]{0,63}$` ("Plano mensal" → "plano_mensal"). */
export function keyFromLabel(label: string): string {
  const key = label
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+/, "")
    .replace(/_+$/, "");
  return key.slice(0, 64).replace(/_+$/, "");
}

/** The options of a select field, one per line, blank lines dropped. */
export function parseOptions(text: string): string[] {
  return text
    .split("\n")
    .map((o) => o.trim())
    .filter(Boolean);
}

/** Define a custom field (admin and up). A key already taken shows next to the key. */
export function CustomFieldDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <CustomFieldForm onDone={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function CustomFieldForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation("contacts");
  const [label, setLabel] = React.useState("");
  const [key, setKey] = React.useState("");
  const [keyEdited, setKeyEdited] = React.useState(false);
  const [type, setType] = React.useState<CustomFieldType>("text");
  const [options, setOptions] = React.useState("");
  const { errors, fail } = useAudienceFormErrors("key", t("customFields.keyTaken"));
  const create = useCreateCustomField();

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    create.mutate(
      { key, label, type, options: type === "select" ? parseOptions(options) : [] },
      {
        onSuccess: (field) => {
          toast.success(t("customFields.created", { label: field.label }));
          onDone();
        },
        onError: fail,
      },
    );
  };

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      <DialogHeader>
        <DialogTitle>{t("customFields.newTitle")}</DialogTitle>
        <DialogDescription>{t("customFields.dialogDescription")}</DialogDescription>
      </DialogHeader>
      <Field label={t("customFields.label")} error={errors.label}>
        <Input
          value={label}
          onChange={(e) => {
            setLabel(e.target.value);
            if (!keyEdited) setKey(keyFromLabel(e.target.value));
          }}
          maxLength={200}
          required
          autoFocus
        />
      </Field>
      <Field label={t("customFields.key")} error={errors.key} hint={t("customFields.keyHint")}>
        <Input
          value={key}
          onChange={(e) => {
            setKey(e.target.value);
            setKeyEdited(true);
          }}
          maxLength={64}
          required
          spellCheck={false}
          autoCapitalize="off"
          className="font-mono"
        />
      </Field>
      <Field label={t("customFields.type")} error={errors.type}>
        <NativeSelect value={type} onChange={(e) => setType(e.target.value as CustomFieldType)}>
          {CUSTOM_FIELD_TYPES.map((value) => (
            <option key={value} value={value}>
              {t(`customFields.types.${value}`)}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {type === "select" ? (
        <Field label={t("customFields.options")} error={errorAt(errors, "options")} hint={t("customFields.optionsHint")}>
          <Textarea value={options} onChange={(e) => setOptions(e.target.value)} rows={4} />
        </Field>
      ) : null}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? t("common:saving") : t("common:create")}
        </Button>
      </DialogFooter>
    </form>
  );
}
