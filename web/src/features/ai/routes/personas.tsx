import { ArrowLeft, Bot, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useNavigate, useParams, useSearchParams } from "react-router";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Switch } from "@/components/ui/controls";
import { Label } from "@/components/ui/field";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useAuth, useIsAdmin } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import { currentLocale } from "@/lib/i18n";
import { useArchivePersona, useCreatePersona, usePersona, usePersonas, useSetActive, useUpdatePersona, type Persona } from "../api/personas";
import { PersonaEditor } from "../components/persona-editor";
import { PersonaTestPanel } from "../components/persona-test-panel";
import { VersionHistory } from "../components/version-history";
import { browserTimezone, draftOf, emptyDraft, type PersonaDraft } from "../lib/persona-form";

export function Component() {
  return (
    <div className="p-4 md:p-6">
      <Routes>
        <Route index element={<PersonaList />} />
        <Route path="new" element={<NewPersona />} />
        <Route path=":id" element={<PersonaDetail />} />
      </Routes>
    </div>
  );
}

export function PersonaStatus({ persona }: { persona: Pick<Persona, "is_active"> }) {
  const { t } = useTranslation("ai");
  return <Badge variant={persona.is_active ? "success" : "secondary"}>{persona.is_active ? t("status.active") : t("status.inactive")}</Badge>;
}

function PersonaList() {
  const { t } = useTranslation("ai");
  const fmt = useFormat();
  const admin = useIsAdmin();
  const personas = usePersonas();
  const add = admin ? (
    <Button asChild>
      <Link to="new">
        <Plus aria-hidden="true" />
        {t("list.add")}
      </Link>
    </Button>
  ) : null;
  const items = personas.items;
  return (
    <>
      <PageHeader title={t("personas.title")} description={t("list.description")} actions={add} />
      {personas.isPending ? (
        <SkeletonRows />
      ) : personas.isError ? (
        <ErrorState error={personas.error} onRetry={() => void personas.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={Bot} title={t("list.empty")} description={admin ? t("list.emptyHint") : t("list.emptyAgent")} action={add} />
      ) : (
        <div className="rounded-lg border">
          <Table aria-label={t("personas.title")}>
            <THead>
              <TR>
                <TH scope="col">{t("list.name")}</TH>
                <TH scope="col" className="hidden md:table-cell">
                  {t("list.numbers")}
                </TH>
                <TH scope="col" className="hidden md:table-cell">
                  {t("list.knowledge")}
                </TH>
                <TH scope="col">{t("list.status")}</TH>
                <TH scope="col" className="hidden sm:table-cell">
                  {t("list.version")}
                </TH>
              </TR>
            </THead>
            <TBody>
              {items.map((p) => (
                <TR key={p.id}>
                  <TD className="max-w-0 sm:max-w-none">
                    <Link to={p.id} className="block truncate font-medium text-primary underline-offset-4 hover:underline">
                      {p.name}
                    </Link>
                    {p.role ? <span className="block truncate text-xs text-muted-foreground">{p.role}</span> : null}
                  </TD>
                  <TD className="hidden tabular-nums md:table-cell">{fmt.number(p.connection_ids.length)}</TD>
                  <TD className="hidden tabular-nums md:table-cell">{fmt.number(p.knowledge_base_ids.length)}</TD>
                  <TD>
                    <PersonaStatus persona={p} />
                  </TD>
                  <TD className="hidden whitespace-nowrap text-muted-foreground sm:table-cell">
                    {t("list.versionOf", { version: p.current_version, when: fmt.dateTime(p.version_created_at) })}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <LoadMore hasMore={personas.hasNextPage} loading={personas.isFetchingNextPage} onClick={() => void personas.fetchNextPage()} />
        </div>
      )}
    </>
  );
}

function BackLink() {
  const { t } = useTranslation("ai");
  return (
    <Button asChild variant="link" className="mb-2 h-auto p-0">
      <Link to="/personas">
        <ArrowLeft aria-hidden="true" />
        {t("detail.back")}
      </Link>
    </Button>
  );
}

function NewPersona() {
  const { t } = useTranslation("ai");
  const navigate = useNavigate();
  const create = useCreatePersona();
  const { me } = useAuth();
  // a new schedule is in the company's timezone (the one its campaigns and reports use), else the browser's
  const [initial] = useState(() => emptyDraft(currentLocale(), me?.company.timezone || browserTimezone()));
  return (
    <>
      <BackLink />
      <PageHeader title={t("form.createTitle")} description={t("form.createDescription")} />
      <PersonaEditor
        initial={initial}
        pending={create.isPending}
        submitLabel={t("form.create")}
        onCancel={() => navigate("/personas")}
        onSubmit={(body, onError) =>
          create.mutate(body, {
            onSuccess: (persona) => {
              toast.success(t("toast.created"));
              navigate(`/personas/${persona.id}`, { replace: true });
              // the shell's <main> scrolls, not the window: the new persona opens at its top, not at the form's end
              document.getElementById("main")?.scrollTo({ top: 0 });
            },
            onError,
          })
        }
      />
    </>
  );
}

function PersonaDetail() {
  const { id = "" } = useParams();
  const persona = usePersona(id);
  return (
    <>
      <BackLink />
      {persona.isPending ? <SkeletonRows /> : persona.isError ? <ErrorState error={persona.error} onRetry={() => void persona.refetch()} /> : <PersonaView persona={persona.data} onReload={() => void persona.refetch()} />}
    </>
  );
}

type Tab = "settings" | "test" | "versions";

function PersonaView({ persona, onReload }: { persona: Persona; onReload: () => void }) {
  const { t } = useTranslation("ai");
  const admin = useIsAdmin();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const tab = (["settings", "test", "versions"] as const).find((x) => x === params.get("tab")) ?? "settings";
  const setTab = (next: Tab) => setParams(next === "settings" ? {} : { tab: next }, { replace: true });
  const update = useUpdatePersona(persona.id);
  const active = useSetActive(persona.id);
  const archive = useArchivePersona(persona.id);
  // the form starts over from what is saved when a new version lands (saved here, or reloaded after a 409), or
  // from an older version the user chose to restore
  const [restored, setRestored] = useState<{ draft: PersonaDraft; from: number } | null>(null);
  const formKey = `${persona.current_version}-${restored?.from ?? "current"}`;
  const toggle = (on: boolean) =>
    active.mutate(on, { onSuccess: () => toast.success(on ? t("toast.activated") : t("toast.deactivated")), onError: (e) => toast.error(e.message) });
  return (
    <div className="grid gap-4">
      <PageHeader
        title={persona.name}
        description={t("detail.description", { version: persona.current_version })}
        actions={
          <div className="flex flex-wrap items-center gap-3">
            {admin ? (
              <span className="flex items-center gap-2">
                <Switch id="persona-active" checked={persona.is_active} disabled={active.isPending} onCheckedChange={toggle} />
                <Label htmlFor="persona-active">{t("detail.active")}</Label>
              </span>
            ) : (
              <PersonaStatus persona={persona} />
            )}
            {admin ? (
              <Confirm
                title={t("archive.title", { name: persona.name })}
                description={t("archive.description")}
                action={t("archive.confirm")}
                onConfirm={() =>
                  archive.mutate(undefined, {
                    onSuccess: () => {
                      toast.success(t("toast.archived"));
                      navigate("/personas");
                    },
                    onError: (e) => toast.error(e.message),
                  })
                }
              >
                <Button variant="outline" disabled={archive.isPending}>
                  <Trash2 aria-hidden="true" />
                  {t("archive.open")}
                </Button>
              </Confirm>
            ) : null}
          </div>
        }
      />
      <Tabs value={tab} onValueChange={(v) => setTab(v as Tab)}>
        <TabsList aria-label={t("detail.sections")} className="max-w-full overflow-x-auto">
          <TabsTrigger value="settings">{t("detail.tabs.settings")}</TabsTrigger>
          <TabsTrigger value="test">{t("detail.tabs.test")}</TabsTrigger>
          <TabsTrigger value="versions">{t("detail.tabs.versions")}</TabsTrigger>
        </TabsList>
        <TabsContent value="settings">
          {restored ? (
            <p role="status" className="mb-3 rounded-md border bg-muted/40 px-3 py-2 text-sm">
              {t("versions.restoring", { version: restored.from })}{" "}
              <Button variant="link" className="h-auto p-0" onClick={() => setRestored(null)}>
                {t("versions.discardRestore")}
              </Button>
            </p>
          ) : null}
          <PersonaEditor
            key={formKey}
            initial={restored?.draft ?? draftOf(persona)}
            saved={persona}
            readOnly={!admin}
            pending={update.isPending}
            submitLabel={t("form.saveVersion")}
            onReload={() => {
              setRestored(null);
              onReload();
            }}
            onSubmit={(body, onError) =>
              update.mutate(
                { ...body, version: persona.current_version },
                {
                  onSuccess: (saved) => {
                    setRestored(null);
                    toast.success(t("toast.saved", { version: saved.current_version }));
                  },
                  onError,
                },
              )
            }
          />
        </TabsContent>
        <TabsContent value="test">
          <PersonaTestPanel personaId={persona.id} version={persona.current_version} />
        </TabsContent>
        <TabsContent value="versions">
          <VersionHistory
            persona={persona}
            canRestore={admin}
            onRestore={(version) => {
              setRestored({ draft: draftOf(version), from: version.version });
              setTab("settings");
            }}
          />
        </TabsContent>
      </Tabs>
    </div>
  );
}
