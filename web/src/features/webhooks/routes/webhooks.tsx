import { ArrowLeft, KeyRound, Pencil, Plus, Search, Trash2, Webhook } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Confirm } from "@/components/ui/confirm";
import { Switch } from "@/components/ui/controls";
import { Label } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { type Endpoint, useDeleteEndpoint, useEndpoint, useEndpoints, useRotateSecret, useUpdateEndpoint } from "../api/webhooks";
import { AttemptLog } from "../components/attempt-log";
import { ReplayFailedDialog, SendTestDialog } from "../components/endpoint-actions";
import { EndpointFormDialog } from "../components/endpoint-form";
import { endpointState, EndpointStatus, type EndpointState } from "../components/endpoint-status";
import { SecretDialog } from "../components/secret-dialog";

export function Component() {
  return (
    <div className="p-4 md:p-6">
      <Routes>
        <Route index element={<EndpointList />} />
        <Route path=":id" element={<EndpointDetail />} />
      </Routes>
    </div>
  );
}

function EventTypeBadges({ types }: { types: string[] }) {
  const { t } = useTranslation("webhooks");
  const shown = types.slice(0, 3);
  return (
    <div className="flex flex-wrap gap-1">
      {shown.map((type) => (
        <Badge key={type} variant="outline" className="font-mono font-normal">
          {type}
        </Badge>
      ))}
      {types.length > shown.length ? <Badge variant="secondary">{t("list.more", { count: types.length - shown.length })}</Badge> : null}
    </div>
  );
}

function EndpointList() {
  const { t } = useTranslation("webhooks");
  const admin = useIsAdmin();
  const navigate = useNavigate();
  const endpoints = useEndpoints();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ id: string; value: string } | null>(null);
  const [query, setQuery] = useState("");
  const [state, setState] = useState<"" | EndpointState>("");
  const q = useDebounced(query).trim().toLowerCase();
  // The endpoints come in one answer (a company has a handful): search and filter here.
  const shown = useMemo(
    () =>
      (endpoints.data ?? []).filter(
        (e) => (!state || endpointState(e) === state) && (!q || e.url.toLowerCase().includes(q) || (e.description ?? "").toLowerCase().includes(q) || e.event_types.some((x) => x.includes(q))),
      ),
    [endpoints.data, q, state],
  );
  return (
    <>
      <PageHeader
        title={t("webhooks.title")}
        description={t("list.description")}
        actions={
          admin ? (
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden="true" />
              {t("list.add")}
            </Button>
          ) : null
        }
      />
      <div className="mb-3 flex flex-wrap gap-2">
        <div className="relative min-w-0 flex-1 basis-56">
          <Search aria-hidden="true" className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-muted-foreground" />
          <Input type="search" className="pl-8" aria-label={t("list.search")} placeholder={t("list.search")} value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
        <NativeSelect aria-label={t("list.filter")} className="w-auto" value={state} onChange={(e) => setState(e.target.value as "" | EndpointState)}>
          <option value="">{t("list.allStates")}</option>
          <option value="enabled">{t("state.enabled")}</option>
          <option value="failing">{t("state.failing")}</option>
          <option value="disabled">{t("state.disabled")}</option>
        </NativeSelect>
      </div>
      {endpoints.isPending ? (
        <SkeletonRows />
      ) : endpoints.isError ? (
        <ErrorState error={endpoints.error} onRetry={() => void endpoints.refetch()} />
      ) : endpoints.data.length === 0 ? (
        <EmptyState
          icon={Webhook}
          title={t("list.empty")}
          description={admin ? t("list.emptyHint") : t("list.emptyAgent")}
          action={
            admin ? (
              <Button onClick={() => setCreating(true)}>
                <Plus aria-hidden="true" />
                {t("list.add")}
              </Button>
            ) : null
          }
        />
      ) : shown.length === 0 ? (
        <EmptyState title={t("list.noMatch")} />
      ) : (
        <div className="rounded-lg border">
          <Table>
            <THead>
              <TR>
                <TH scope="col">{t("list.url")}</TH>
                <TH scope="col">{t("list.eventTypes")}</TH>
                <TH scope="col">{t("list.state")}</TH>
              </TR>
            </THead>
            <TBody>
              {shown.map((e) => (
                <TR key={e.id}>
                  <TD className="max-w-80">
                    <Link to={e.id} className="block break-all font-medium text-primary underline-offset-4 hover:underline">
                      {e.url}
                    </Link>
                    {e.description ? <span className="block text-xs text-muted-foreground">{e.description}</span> : null}
                  </TD>
                  <TD>
                    <EventTypeBadges types={e.event_types} />
                  </TD>
                  <TD>
                    <EndpointStatus endpoint={e} />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </div>
      )}
      <EndpointFormDialog open={creating} onOpenChange={setCreating} onCreated={(e) => setSecret({ id: e.id, value: e.secret })} />
      <SecretDialog
        secret={secret?.value ?? null}
        onClose={() => {
          const id = secret?.id;
          setSecret(null);
          if (id) navigate(id);
        }}
      />
    </>
  );
}

function EndpointDetail() {
  const { t } = useTranslation("webhooks");
  const { id = "" } = useParams();
  const endpoint = useEndpoint(id);
  return (
    <>
      <Button asChild variant="link" className="mb-2 h-auto p-0">
        <Link to="..">
          <ArrowLeft aria-hidden="true" />
          {t("detail.back")}
        </Link>
      </Button>
      {endpoint.isPending ? <SkeletonRows /> : endpoint.isError ? <ErrorState error={endpoint.error} onRetry={() => void endpoint.refetch()} /> : <EndpointView endpoint={endpoint.data} />}
    </>
  );
}

function EndpointView({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useTranslation("webhooks");
  const fmt = useFormat();
  const admin = useIsAdmin();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [watchTick, setWatchTick] = useState(0);
  const [watching, setWatching] = useState(false);
  const update = useUpdateEndpoint(endpoint.id);
  const rotate = useRotateSecret(endpoint.id);
  const remove = useDeleteEndpoint(endpoint.id);
  const watch = () => {
    setWatching(true);
    setWatchTick((n) => n + 1);
  };
  useEffect(() => {
    if (!watchTick) return;
    const timer = setTimeout(() => setWatching(false), 30_000); // a test or replay arrives within seconds: follow the log meanwhile
    return () => clearTimeout(timer);
  }, [watchTick]);
  const toggle = (enabled: boolean) =>
    update.mutate({ enabled }, { onSuccess: () => toast.success(enabled ? t("toast.enabled") : t("toast.disabled")), onError: (e) => toast.error(e.message) });
  return (
    <div className="grid gap-4">
      <PageHeader
        title={endpoint.description || t("detail.title")}
        description={endpoint.url}
        actions={
          admin ? (
            <>
              <SendTestDialog endpoint={endpoint} onSent={watch} />
              <ReplayFailedDialog endpoint={endpoint} onQueued={watch} />
              <Button variant="outline" onClick={() => setEditing(true)}>
                <Pencil aria-hidden="true" />
                {t("common:edit")}
              </Button>
              <Confirm
                title={t("rotate.title")}
                description={t("rotate.description")}
                action={t("rotate.confirm")}
                destructive={false}
                onConfirm={() => rotate.mutate(undefined, { onSuccess: (r) => setSecret(r.secret), onError: (e) => toast.error(e.message) })}
              >
                <Button variant="outline" disabled={rotate.isPending}>
                  <KeyRound aria-hidden="true" />
                  {t("rotate.open")}
                </Button>
              </Confirm>
              <Confirm
                title={t("delete.title")}
                description={t("delete.description", { url: endpoint.url })}
                action={t("common:delete")}
                onConfirm={() =>
                  remove.mutate(undefined, {
                    onSuccess: () => {
                      toast.success(t("toast.deleted"));
                      navigate("..");
                    },
                    onError: (e) => toast.error(e.message),
                  })
                }
              >
                <Button variant="destructive" disabled={remove.isPending}>
                  <Trash2 aria-hidden="true" />
                  {t("common:delete")}
                </Button>
              </Confirm>
            </>
          ) : null
        }
      />
      <Card>
        <CardHeader>
          <CardTitle>{t("detail.settings")}</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid gap-3 text-sm sm:grid-cols-[12rem_1fr]">
            <dt className="font-medium text-muted-foreground">{t("list.url")}</dt>
            <dd className="break-all font-mono text-xs">{endpoint.url}</dd>
            <dt className="font-medium text-muted-foreground">{t("list.state")}</dt>
            <dd className="flex flex-wrap items-center gap-3">
              <EndpointStatus endpoint={endpoint} />
              {admin ? (
                <span className="flex items-center gap-2">
                  <Switch id="endpoint-enabled-switch" checked={endpoint.enabled} disabled={update.isPending} onCheckedChange={toggle} />
                  <Label htmlFor="endpoint-enabled-switch">{t("detail.enabled")}</Label>
                </span>
              ) : null}
            </dd>
            <dt className="font-medium text-muted-foreground">{t("list.eventTypes")}</dt>
            <dd>
              <div className="flex flex-wrap gap-1">
                {endpoint.event_types.map((type) => (
                  <Badge key={type} variant="outline" className="font-mono font-normal">
                    {type}
                  </Badge>
                ))}
              </div>
            </dd>
            {endpoint.rotating_until ? (
              <>
                <dt className="font-medium text-muted-foreground">{t("detail.rotating")}</dt>
                <dd>{t("detail.rotatingUntil", { when: fmt.dateTime(endpoint.rotating_until) })}</dd>
              </>
            ) : null}
            <dt className="font-medium text-muted-foreground">{t("detail.created")}</dt>
            <dd>{fmt.dateTime(endpoint.created_at)}</dd>
          </dl>
        </CardContent>
      </Card>
      <AttemptLog endpointId={endpoint.id} canReplay={admin} watching={watching} onReplayed={watch} />
      <EndpointFormDialog open={editing} onOpenChange={setEditing} endpoint={endpoint} />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
    </div>
  );
}

