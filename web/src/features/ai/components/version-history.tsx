/**
 * A persona's versions, newest first: each one is what the persona was between two saves (every AI reply names
 * the version that made it). One opens read-only; an admin may load it into the editor, and saving it makes a new
 * version (history is never rewritten).
 */
import { Eye, History, RotateCcw } from "lucide-react";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFormat } from "@/lib/i18n/format";
import { useConnectionOptions, useKnowledgeBaseOptions } from "../api/lookups";
import { usePersonaVersion, usePersonaVersions, type Persona, type PersonaVersion } from "../api/personas";
import { DAYS, parseHours } from "../lib/active-hours";
import { useDayNames } from "./active-hours-editor";

interface Props {
  persona: Persona;
  canRestore: boolean;
  onRestore: (version: PersonaVersion) => void;
}

export function VersionHistory({ persona, canRestore, onRestore }: Props) {
  const { t } = useTranslation("ai");
  const fmt = useFormat();
  const versions = usePersonaVersions(persona.id);
  const [open, setOpen] = useState<number | null>(null);
  const items = [...versions.items].sort((a, b) => b.version - a.version);
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("versions.title")}</CardTitle>
        <CardDescription>{t("versions.description")}</CardDescription>
      </CardHeader>
      <CardContent>
        {versions.isPending ? (
          <SkeletonRows rows={3} />
        ) : versions.isError ? (
          <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState icon={History} title={t("versions.empty")} />
        ) : (
          <Table aria-label={t("versions.title")}>
            <THead>
              <TR>
                <TH scope="col">{t("versions.version")}</TH>
                <TH scope="col">{t("versions.saved")}</TH>
                <TH scope="col" className="hidden sm:table-cell">
                  {t("versions.name")}
                </TH>
                <TH scope="col" className="w-0 text-right">
                  <span className="sr-only">{t("common:actions")}</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {items.map((v) => (
                <TR key={v.version}>
                  <TD className="whitespace-nowrap font-medium">
                    {t("versions.number", { version: v.version })}
                    {v.version === persona.current_version ? (
                      <Badge variant="secondary" className="ml-2">
                        {t("versions.current")}
                      </Badge>
                    ) : null}
                  </TD>
                  <TD className="whitespace-nowrap">{fmt.dateTime(v.created_at)}</TD>
                  <TD className="hidden sm:table-cell">{v.name}</TD>
                  <TD className="text-right">
                    <Button variant="outline" size="sm" aria-label={t("versions.viewOne", { version: v.version })} onClick={() => setOpen(v.version)}>
                      <Eye aria-hidden="true" />
                      <span className="hidden sm:inline">{t("versions.view")}</span>
                    </Button>
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
        <LoadMore hasMore={versions.hasNextPage} loading={versions.isFetchingNextPage} onClick={() => void versions.fetchNextPage()} />
      </CardContent>
      <VersionDialog
        personaId={persona.id}
        version={open}
        current={persona.current_version}
        canRestore={canRestore}
        onClose={() => setOpen(null)}
        onRestore={(v) => {
          setOpen(null);
          onRestore(v);
        }}
      />
    </Card>
  );
}

function VersionDialog({ personaId, version, current, canRestore, onClose, onRestore }: { personaId: string; version: number | null; current: number; canRestore: boolean; onClose: () => void; onRestore: (v: PersonaVersion) => void }) {
  const { t } = useTranslation("ai");
  const one = usePersonaVersion(personaId, version);
  return (
    <Dialog open={version !== null} onOpenChange={(o) => (o ? null : onClose())}>
      <DialogContent side="right">
        <DialogHeader>
          <DialogTitle>{t("versions.dialogTitle", { version: version ?? "" })}</DialogTitle>
          <DialogDescription>{version === current ? t("versions.dialogCurrent") : t("versions.dialogOld")}</DialogDescription>
        </DialogHeader>
        {one.isPending ? <SkeletonRows rows={5} /> : one.isError ? <ErrorState error={one.error} onRetry={() => void one.refetch()} /> : <VersionFields v={one.data} />}
        <DialogFooter>
          <Button variant="outline" onClick={onClose}>
            {t("common:close")}
          </Button>
          {canRestore && one.data && version !== current ? (
            <Button onClick={() => onRestore(one.data)}>
              <RotateCcw aria-hidden="true" />
              {t("versions.restore")}
            </Button>
          ) : null}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function VersionFields({ v }: { v: PersonaVersion }) {
  const { t } = useTranslation("ai");
  const fmt = useFormat();
  const kbs = useKnowledgeBaseOptions();
  const numbers = useConnectionOptions();
  const dayNames = useDayNames();
  const nameOf = (options: { id: string; label: string }[], id: string) => options.find((o) => o.id === id)?.label ?? t("form.deleted");
  const hours = parseHours(v.active_hours);
  const none = <span className="text-muted-foreground">{t("versions.none")}</span>;
  const rows: [string, ReactNode][] = [
    [t("form.name"), v.name],
    [t("form.role"), v.role || none],
    [t("form.tone"), v.tone || none],
    [t("form.language"), t(`common:locales.${v.language}`, { defaultValue: v.language })],
    [t("form.instructions"), v.instructions ? <span className="whitespace-pre-wrap">{v.instructions}</span> : none],
    [t("form.knowledgeBases"), v.knowledge_base_ids.length ? v.knowledge_base_ids.map((id) => nameOf(kbs.options, id)).join(", ") : none],
    [t("form.tools"), v.tools.length ? v.tools.map((x) => t(`tools.${x}`, { defaultValue: x })).join(", ") : none],
    [t("form.connections"), v.connection_ids.length ? v.connection_ids.map((id) => nameOf(numbers.options, id)).join(", ") : none],
    [
      t("hours.legend"),
      hours ? (
        <span className="grid gap-0.5">
          <span className="text-muted-foreground">{hours.timezone}</span>
          {DAYS.filter((d) => hours.days[d]?.length).map((d) => (
            <span key={d}>
              {dayNames[d]}: {hours.days[d]!.map(([s, e]) => `${s}–${e}`).join(", ")}
            </span>
          ))}
        </span>
      ) : (
        t("hours.always")
      ),
    ],
    [t("form.blockedTopics"), v.blocked_topics.length ? v.blocked_topics.join(", ") : none],
    [t("form.maxReplyChars"), fmt.number(v.max_reply_chars)],
    [t("form.debounce"), t("versions.seconds", { count: v.debounce_seconds })],
    [t("form.chatModel"), v.chat_model ?? t("form.companyDefault")],
    [t("form.temperature"), v.temperature === null ? t("form.modelDefault") : fmt.number(Number(v.temperature))],
    [t("form.outsideWindowTemplate"), v.outside_window_template_id ? t("versions.templateSet") : none],
    [t("versions.saved"), fmt.dateTime(v.created_at)],
  ];
  return (
    <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-muted-foreground">{label}</dt>
          <dd className="break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
