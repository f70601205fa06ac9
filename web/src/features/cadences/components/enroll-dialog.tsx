/** Enroll contacts in a cadence: picked one by one, or (admins) everyone in a list or a segment. Contacts already in
 * it, or that went through it when re-enrollment is off, or opted out of its channel, are skipped. */
import { X } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Combobox, type ComboboxOption } from "@/components/ui/combobox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/input";
import { ApiError } from "@/lib/api/problem";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import type { Cadence } from "../api/cadences";
import { useBulkEnroll } from "../api/enrollments";
import { useEnrollOne } from "../api/insights";
import { useContactOptions } from "../api/lookups";
import { NamedPicker } from "@/components/pickers/pickers";

type Mode = "contacts" | "list" | "segment";

export function EnrollDialog({ cadence, open, onOpenChange }: { cadence: Cadence; open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation("cadences");
  const isAdmin = useIsAdmin();
  const [mode, setMode] = useState<Mode>("contacts");
  const [picked, setPicked] = useState<ComboboxOption[]>([]);
  const [listId, setListId] = useState("");
  const [segmentId, setSegmentId] = useState("");
  const [error, setError] = useState<string | undefined>();
  const bulk = useBulkEnroll();
  const one = useEnrollOne(cadence.id);
  const busy = bulk.isPending || one.isPending;
  const ready = mode === "contacts" ? picked.length > 0 : mode === "list" ? Boolean(listId) : Boolean(segmentId);

  const close = () => {
    onOpenChange(false);
    setPicked([]);
    setListId("");
    setSegmentId("");
    setError(undefined);
  };
  const done = (enrolled: number, skipped: number) => {
    toast.success(t("enroll.done", { count: enrolled, skipped }));
    close();
  };
  const fail = (e: unknown) => setError(e instanceof ApiError ? (Object.values(e.fieldErrors())[0] ?? e.message) : String(e));

  const submit = async () => {
    setError(undefined);
    try {
      if (isAdmin && !(mode === "contacts" && picked.length === 1)) {
        const body = mode === "contacts" ? { contact_ids: picked.map((p) => p.id) } : mode === "list" ? { list_id: listId } : { segment_id: segmentId };
        const r = await bulk.mutateAsync({ id: cadence.id, body });
        done(r.enrolled, r.skipped);
        return;
      }
      // one contact picked: enrolled by hand (and told why when it cannot be)
      if (picked.length === 1) {
        await one.mutateAsync(picked[0]!.id);
        done(1, 0);
        return;
      }
      // an agent enrolls the picked contacts one by one (the bulk is the admins'); the ones that cannot be are skipped
      let enrolled = 0;
      for (const contact of picked) {
        try {
          await one.mutateAsync(contact.id);
          enrolled += 1;
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 409)) throw e;
        }
      }
      done(enrolled, picked.length - enrolled);
    } catch (e) {
      fail(e);
    }
  };

  return (
    <Dialog open={open} onOpenChange={(o) => (o ? onOpenChange(true) : close())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t("enroll.title", { name: cadence.name })}</DialogTitle>
          <DialogDescription>{t("enroll.description")}</DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {isAdmin ? (
            <Field label={t("enroll.who")}>
              <NativeSelect value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
                <option value="contacts">{t("enroll.modes.contacts")}</option>
                <option value="list">{t("enroll.modes.list")}</option>
                <option value="segment">{t("enroll.modes.segment")}</option>
              </NativeSelect>
            </Field>
          ) : null}
          {mode === "contacts" ? (
            <div className="grid gap-2">
              <Field label={t("enroll.contacts")}>
                <Combobox
                  placeholder={t("enroll.addContact")}
                  searchLabel={t("enroll.searchContacts")}
                  emptyText={t("enroll.noContact")}
                  useOptions={useContactOptions}
                  chosen={picked.map((p) => p.id)}
                  onSelect={(o) => setPicked((list) => [...list, o])}
                />
              </Field>
              {picked.length ? (
                <ul aria-label={t("enroll.picked")} className="flex flex-wrap gap-1">
                  {picked.map((p) => (
                    <li key={p.id} className="flex items-center gap-1 rounded-full border bg-muted px-2 py-0.5 text-xs">
                      {p.label}
                      <button
                        type="button"
                        className="rounded-full p-0.5 hover:bg-background focus-visible:ring-2 focus-visible:ring-ring"
                        aria-label={t("enroll.remove", { name: p.label })}
                        onClick={() => setPicked((list) => list.filter((x) => x.id !== p.id))}
                      >
                        <X className="size-3" aria-hidden="true" />
                      </button>
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : mode === "list" ? (
            <Field label={t("enroll.list")}>
              <NamedPicker kind="lists" value={listId} onChange={setListId} />
            </Field>
          ) : (
            <Field label={t("enroll.segment")}>
              <NamedPicker kind="segments" value={segmentId} onChange={setSegmentId} />
            </Field>
          )}
          {error ? (
            <p role="alert" className="text-sm text-destructive">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="outline" onClick={close}>
              {t("common:cancel")}
            </Button>
            <Button type="submit" disabled={!ready || busy}>
              {t("enroll.submit")}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
