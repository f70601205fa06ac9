import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/api/problem";
import { useWhatsAppPreview, type WhatsAppTemplate } from "../api/whatsapp-templates";
import { messageOf } from "../lib/components";
import { missingFromErrors } from "../lib/variables";
import { ContactPicker } from "./contact-picker";
import { useKeyLabel } from "./parameter-mapping";
import { PhonePreview } from "./phone-preview";

/** The template as a chosen contact sees it on the phone (POST /v1/whatsapp-templates/{id}/preview). */
export function WhatsAppPreview({ template, onMap }: { template: WhatsAppTemplate; onMap: () => void }) {
  const { t } = useTranslation("templates");
  const label = useKeyLabel();
  const [contactId, setContactId] = useState("");
  const preview = useWhatsAppPreview();
  const error = preview.error instanceof ApiError ? preview.error : null;
  const missing = error ? missingFromErrors(error.fieldErrors(), "parameters") : [];
  const data = preview.data;
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
          <p className="font-medium">{t("preview.missingParameters")}</p>
          <ul className="mt-1 list-disc pl-5">
            {missing.map((k) => (
              <li key={k}>{label(k)}</li>
            ))}
          </ul>
          <Button variant="link" className="h-auto p-0 text-amber-950 underline" onClick={onMap}>
            {t("preview.mapNow")}
          </Button>
        </div>
      ) : error ? (
        <p role="alert" className="text-sm text-destructive">
          {error.message}
        </p>
      ) : null}
      {!data ? <PhonePreview title={t("preview.asStored")} message={messageOf(template.components)} /> : null}
      {data ? (
        <PhonePreview
          title={t("preview.result")}
          message={{
            header: data.header,
            headerMedia: data.header_media ? { type: data.header_media.type ?? "image", link: data.header_media.link } : null,
            body: data.body,
            footer: data.footer,
            buttons: (data.buttons ?? []).map((b) => ({ type: b.type ?? "", text: b.text ?? "", url: b.url })),
          }}
        />
      ) : null}
    </div>
  );
}
