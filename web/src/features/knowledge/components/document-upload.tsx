/**
 * Add a document: a file (chosen, or dropped on the zone) of the kinds the API reads, or a web page by its address.
 * The file's upload shows its real progress; the ingestion that follows shows on the document's row.
 */
import { FileUp, Globe, Upload } from "lucide-react";
import { useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/controls";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import { useUploadDocument } from "../api/knowledge";
import { ACCEPT, fileProblem, MAX_BYTES } from "../lib/files";

export function DocumentUpload({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const { t } = useTranslation("knowledge");
  const [tab, setTab] = useState<"file" | "url">("file");
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("upload.title")}</CardTitle>
        <CardDescription>{t("upload.description", { mb: MAX_BYTES / 1024 / 1024 })}</CardDescription>
      </CardHeader>
      <CardContent>
        <Tabs value={tab} onValueChange={(v) => setTab(v as "file" | "url")}>
          <TabsList aria-label={t("upload.kind")}>
            <TabsTrigger value="file">
              <FileUp className="mr-1 size-4" aria-hidden="true" />
              {t("upload.fileTab")}
            </TabsTrigger>
            <TabsTrigger value="url">
              <Globe className="mr-1 size-4" aria-hidden="true" />
              {t("upload.urlTab")}
            </TabsTrigger>
          </TabsList>
          <TabsContent value="file">
            <FileForm knowledgeBaseId={knowledgeBaseId} />
          </TabsContent>
          <TabsContent value="url">
            <UrlForm knowledgeBaseId={knowledgeBaseId} />
          </TabsContent>
        </Tabs>
      </CardContent>
    </Card>
  );
}

function FileForm({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const { t } = useTranslation("knowledge");
  const fmt = useFormat();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const upload = useUploadDocument(knowledgeBaseId);
  const { errors, fail, clear } = useFieldErrors();
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState("");
  const [progress, setProgress] = useState(0);
  const [over, setOver] = useState(false);
  const problem = file ? fileProblem(file) : null;
  const choose = (chosen: File | null) => {
    clear();
    setFile(chosen);
  };
  const submit = () => {
    if (!file || problem) return;
    setProgress(0);
    upload.mutate(
      { upload: { kind: "file", file, title: title.trim() || undefined }, onProgress: setProgress },
      {
        onSuccess: () => {
          toast.success(t("upload.sent", { name: file.name }));
          setFile(null);
          setTitle("");
          if (input.current) input.current.value = "";
        },
        onError: fail,
      },
    );
  };
  const percent = Math.round(progress * 100);
  const fileError = errors.file ?? errors.body ?? (problem ? t(`upload.problems.${problem}`, { mb: MAX_BYTES / 1024 / 1024 }) : undefined);
  return (
    <form
      className="grid gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          choose(e.dataTransfer.files[0] ?? null);
        }}
        className={cn("grid justify-items-center gap-2 rounded-lg border-2 border-dashed p-4 text-center transition-colors", over ? "border-primary bg-accent" : "border-input")}
      >
        <p className="flex items-center gap-2 text-sm">
          <Upload className="size-5 text-muted-foreground" aria-hidden="true" />
          {t("upload.drop")}
        </p>
        <label htmlFor={`${id}-file`} className="sr-only">
          {t("upload.file")}
        </label>
        <Input
          ref={input}
          id={`${id}-file`}
          type="file"
          accept={ACCEPT}
          className="h-auto max-w-xs py-1.5"
          disabled={upload.isPending}
          aria-invalid={fileError ? true : undefined}
          aria-describedby={`${id}-file-${fileError ? "error" : "hint"}`}
          onChange={(e) => choose(e.target.files?.[0] ?? null)}
        />
        {fileError ? (
          <p id={`${id}-file-error`} role="alert" className="text-xs text-destructive">
            {fileError}
          </p>
        ) : (
          <p id={`${id}-file-hint`} className="text-xs text-muted-foreground">
            {file ? t("upload.chosen", { name: file.name, size: fmt.number(file.size / 1024, { maximumFractionDigits: 1 }) }) : t("upload.formats")}
          </p>
        )}
      </div>
      <Field label={t("upload.docTitle")} error={errors.title} hint={t("upload.docTitleHint")}>
        <Input maxLength={300} value={title} disabled={upload.isPending} onChange={(e) => setTitle(e.target.value)} />
      </Field>
      {upload.isPending ? (
        <div className="grid gap-1">
          <Progress value={percent} label={t("upload.progressLabel")} />
          <p className="text-sm tabular-nums text-muted-foreground" aria-live="polite">
            {percent < 100 ? t("upload.sending", { percent }) : t("upload.storing")}
          </p>
        </div>
      ) : null}
      <div className="flex justify-end">
        <Button type="submit" disabled={!file || !!problem || upload.isPending}>
          <FileUp aria-hidden="true" />
          {upload.isPending ? t("upload.uploading") : t("upload.submit")}
        </Button>
      </div>
    </form>
  );
}

function UrlForm({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const { t } = useTranslation("knowledge");
  const upload = useUploadDocument(knowledgeBaseId);
  const { errors, fail, clear } = useFieldErrors();
  const [url, setUrl] = useState("");
  const [title, setTitle] = useState("");
  return (
    <form
      className="grid gap-3"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!url.trim()) return;
        clear();
        upload.mutate(
          { upload: { kind: "url", url: url.trim(), title: title.trim() || undefined }, onProgress: () => undefined },
          {
            onSuccess: () => {
              toast.success(t("upload.fetching"));
              setUrl("");
              setTitle("");
            },
            onError: fail,
          },
        );
      }}
    >
      <Field label={t("upload.url")} error={errors.url ?? errors.body} hint={t("upload.urlHint")}>
        <Input type="url" inputMode="url" placeholder="https://example.com/faq" value={url} onChange={(e) => setUrl(e.target.value)} />
      </Field>
      <Field label={t("upload.docTitle")} error={errors.title} hint={t("upload.urlTitleHint")}>
        <Input maxLength={300} value={title} onChange={(e) => setTitle(e.target.value)} />
      </Field>
      <div className="flex justify-end">
        <Button type="submit" disabled={!url.trim() || upload.isPending}>
          <Globe aria-hidden="true" />
          {upload.isPending ? t("upload.adding") : t("upload.addPage")}
        </Button>
      </div>
    </form>
  );
}
