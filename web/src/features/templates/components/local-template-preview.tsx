import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { SmsSegments } from "@/features/sms";
import { ApiError } from "@/lib/api/problem";
import { useLocalPreview, type LocalTemplate } from "../api/local-templates";
import { missingFromErrors } from "../lib/variables";
import { ContactPicker } from "./contact-picker";
import { PhonePreview } from "./phone-preview";

/** The text a chosen contact would receive; a 422 lists the variables with no value and no default. */
export function LocalTemplatePreview({ template }: { template: LocalTemplate }) {
  const { t } = useTranslation("templates");
  const [contactId, setContactId] = useState("");
  const preview = useLocalPreview();
  const error = preview.error instanceof ApiError ? preview.error : null;
  const missing = error ? missingFromErrors(error.fieldErrors(), "variables") : [];
  return (
    <div className="grid gap-4">
      <ContactPicker value={contactId} onChange={setContactId} />
      <div>
        <Button onClick={() => preview.mutate({ id: template.id, contactId })} disabled={!contactId || preview.isPending}>
          {t("preview.show")}
        </Button>
      </div>
      {missing.length ? (
        <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          <p className="font-medium">{t("preview.missingVariables")}</p>
          <ul className="mt-1 list-disc pl-5">
            {missing.map((v) => (
              <li key={v}>
                <code>{`{{${v}}}`}</code>
              </li>
            ))}
          </ul>
          <p className="mt-1 text-xs">{t("preview.missingHint")}</p>
        </div>
      ) : error ? (
        <p role="alert" className="text-sm text-destructive">
          {error.message}
        </p>
      ) : null}
      {preview.data ? (
        <>
          <PhonePreview
            title={t("preview.result")}
            message={{ body: preview.data.text, headerMedia: preview.data.header ? { type: preview.data.header.type, link: preview.data.header.url } : null }}
          />
          <div className="grid gap-0.5">
            <p className="text-xs font-medium">{t("preview.asSms")}</p>
            <SmsSegments text={preview.data.text} />
          </div>
        </>
      ) : null}
    </div>
  );
}
