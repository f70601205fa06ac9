import { FileUp } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/controls";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { useUploadImport } from "../api/imports";

const MAX_BYTES = 100 * 1024 * 1024;

/** Step 1: choose a CSV and send it, with the upload's real progress; then the mapping step. */
export function ImportUpload() {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const navigate = useNavigate();
  const upload = useUploadImport();
  const { errors, fail, clear } = useFieldErrors();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState(0);
  const [tooBig, setTooBig] = useState(false);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    clear();
    setProgress(0);
    upload.mutate(
      { file, onProgress: setProgress },
      {
        onSuccess: (row) => void navigate(`/imports/${row.id}`),
        onError: fail,
      },
    );
  };

  const percent = Math.round(progress * 100);
  return (
    <Card className="max-w-2xl">
      <CardHeader>
        <CardTitle>{t("imports.upload.title")}</CardTitle>
        <CardDescription>{t("imports.upload.description")}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="grid gap-4">
          <Field label={t("imports.upload.file")} error={errors.file ?? (tooBig ? t("imports.upload.tooBig") : undefined)} hint={t("imports.upload.hint")}>
            <Input
              type="file"
              accept=".csv,text/csv,text/plain"
              onChange={(e) => {
                const chosen = e.target.files?.[0] ?? null;
                clear();
                setTooBig(!!chosen && chosen.size > MAX_BYTES);
                setFile(chosen);
              }}
              disabled={upload.isPending}
              className="h-auto py-1.5"
            />
          </Field>
          {file ? (
            <p className="text-sm text-muted-foreground">
              {t("imports.upload.chosen", { name: file.name, size: format.number(file.size / 1024, { maximumFractionDigits: 1 }) })}
            </p>
          ) : null}
          {upload.isPending ? (
            <div className="grid gap-1">
              <Progress value={percent} label={t("imports.upload.progressLabel")} />
              <p className="text-sm tabular-nums text-muted-foreground" aria-live="polite">
                {percent < 100 ? t("imports.upload.sending", { percent }) : t("imports.upload.reading")}
              </p>
            </div>
          ) : null}
          <div className="flex justify-end">
            <Button type="submit" disabled={!file || tooBig || upload.isPending}>
              <FileUp aria-hidden="true" />
              {upload.isPending ? t("imports.upload.uploading") : t("imports.upload.submit")}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
