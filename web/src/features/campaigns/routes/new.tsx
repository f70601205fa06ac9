import { ArrowLeft, ArrowRight, Check, Rocket } from "lucide-react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui/states";
import { ApiError } from "@/lib/api/problem";
import { useAuth, useIsAdmin } from "@/lib/auth/auth-provider";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import {
  fetchAudienceCount,
  useCampaign,
  useConnection,
  useConnections,
  useCreateCampaign,
  useLocalTemplate,
  useScheduleCampaign,
  useUpdateCampaign,
  useWhatsAppTemplate,
  type CampaignUpdate,
  type WhatsAppTemplate,
} from "../api/campaigns";
import { isSms } from "../lib/channel";
import { missingParameters } from "../lib/template";
import {
  audienceSize,
  createBody,
  emptyForm,
  formFromCampaign,
  messageBody,
  scheduleBody,
  stepOfField,
  STEPS,
  timingBody,
  type Step,
  type WizardForm,
} from "../components/wizard-form";
import { ReplyLeadOption } from "../components/reply-lead-option";
import { SmsMessagePreview } from "../components/sms-steps";
import { AudienceStep, NumberStep, ParametersStep, PhonePreview, ScheduleStep, TemplateStatus, TemplateStep } from "../components/wizard-steps";

function Stepper({ step, reached, onGo }: { step: Step; reached: number; onGo: (s: Step) => void }) {
  const { t } = useTranslation("campaigns");
  const current = STEPS.indexOf(step);
  return (
    <nav aria-label={t("wizard.steps")} className="overflow-x-auto pb-1">
      <ol className="flex min-w-max gap-1">
        {STEPS.map((s, i) => {
          const state = i < current ? "done" : i === current ? "current" : "todo";
          return (
            <li key={s}>
              <button
                type="button"
                disabled={i > reached || i === current}
                aria-current={i === current ? "step" : undefined}
                onClick={() => onGo(s)}
                className={cn(
                  "flex items-center gap-1.5 rounded-full px-3 py-1 text-xs font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-default",
                  state === "current" ? "bg-primary text-primary-foreground" : state === "done" ? "bg-accent text-accent-foreground hover:bg-muted" : "bg-muted text-muted-foreground",
                )}
              >
                <span aria-hidden="true" className="grid size-4 place-items-center rounded-full bg-background/30 text-[10px]">
                  {state === "done" ? <Check className="size-3" /> : i + 1}
                </span>
                {t(`wizard.stepNames.${s}`)}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

function ReviewRow({ label, value, error }: { label: string; value: React.ReactNode; error?: string }) {
  return (
    <div className="grid gap-1 border-b py-2 last:border-0 sm:grid-cols-[12rem_1fr]">
      <dt className="text-sm text-muted-foreground">{label}</dt>
      <dd className="text-sm">
        {value}
        {error ? (
          <p role="alert" className="mt-1 text-xs text-destructive">
            {error}
          </p>
        ) : null}
      </dd>
    </div>
  );
}

function Review({ form, template, count, errors }: { form: WizardForm; template: WhatsAppTemplate | undefined; count: number | null; errors: Record<string, string> }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const connection = useConnection(form.connectionId || null).data;
  const sms = isSms(connection);
  const localTemplate = useLocalTemplate(sms ? form.localTemplateId || null : null).data;
  const mapping = (template?.parameter_keys ?? []).map((key) => {
    const field = form.parameters[key]?.trim();
    const fallback = form.defaults[key]?.trim();
    return `${key} → ${field ? t(`fields.${field}`, { defaultValue: field }) : "—"}${fallback ? ` (${t("wizard.default")}: ${fallback})` : ""}`;
  });
  const a = form.audience;
  return (
    <div className="grid gap-6 md:grid-cols-[1fr_auto]">
      <dl>
        <ReviewRow label={t("wizard.name")} value={form.name} error={errors.name} />
        <ReviewRow label={t("wizard.number")} value={connection ? `${connection.name}${connection.display_phone_number ? ` · ${connection.display_phone_number}` : ""}` : "—"} error={errors.connection_id} />
        <ReviewRow
          label={sms ? t("sms.template") : t("wizard.template")}
          value={
            sms ? (
              localTemplate?.name ?? "—"
            ) : template ? (
              <span className="flex flex-wrap items-center gap-2">
                {template.name} ({template.language}) <TemplateStatus status={template.status} />
              </span>
            ) : (
              "—"
            )
          }
          error={errors.local_template_id ?? errors.whatsapp_template_id}
        />
        {!sms ? <ReviewRow label={t("wizard.stepNames.parameters")} value={mapping.length ? <ul>{mapping.map((m) => <li key={m} className="font-mono text-xs">{m}</li>)}</ul> : t("wizard.noParameters")} /> : null}
        <ReviewRow
          label={t("wizard.stepNames.audience")}
          value={
            <>
              <span className="font-semibold">{count === null ? "—" : t("wizard.audienceCountHint", { count })}</span>
              <span className="block text-xs text-muted-foreground">
                {[
                  t("wizard.audienceTags", { count: a.tag_ids.length }),
                  t("wizard.audienceLists", { count: a.list_ids.length }),
                  t("wizard.audienceSegments", { count: a.segment_ids.length }),
                  t("wizard.audienceContacts", { count: a.contact_ids.length }),
                ].join(", ")}
              </span>
            </>
          }
          error={errors.audience}
        />
        <ReviewRow
          label={t("schedule.when")}
          value={form.startMode === "now" || !form.at ? t("schedule.now") : `${format.dateTime(form.at)} (${form.timezone})`}
          error={errors.at}
        />
        <ReviewRow
          label={t("schedule.window")}
          value={form.windowOn ? t("details.windowValue", { start: form.windowStart, end: form.windowEnd, zone: t(`schedule.windowZone.${form.windowZone}`) }) : t("details.anyTime")}
        />
        <ReviewRow label={t("schedule.rate")} value={t("details.ratePerSecond", { rate: form.rate })} error={errors.rate_per_second} />
      </dl>
      {sms ? localTemplate ? <SmsMessagePreview template={localTemplate} connectionId={form.connectionId} /> : null : template ? <PhonePreview template={template} form={form} /> : null}
    </div>
  );
}

function Wizard({ initial, initialId }: { initial: WizardForm; initialId: string | null }) {
  const { t } = useTranslation("campaigns");
  const navigate = useNavigate();
  const [chosen, setForm] = useState(initial);
  const [step, setStep] = useState<Step>(initialId ? "audience" : "number");
  const [reached, setReached] = useState(initialId ? STEPS.indexOf("review") - 1 : 0);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const campaignId = useRef<string | null>(initialId);
  const [savedId, setSavedId] = useState<string | null>(initialId);
  const creating = useRef<Promise<string> | null>(null);
  // mutateAsync is stable across renders (the mutation objects are not): `save` below must not change
  const { mutateAsync: createDraft } = useCreateCampaign();
  const { mutateAsync: updateDraft } = useUpdateCampaign();
  const schedule = useScheduleCampaign();
  const connections = useConnections();
  // One number: nothing to choose.
  const only = connections.data?.items.length === 1 && !connections.data.next_cursor ? connections.data.items[0]!.id : "";
  const form = chosen.connectionId || !only ? chosen : { ...chosen, connectionId: only };
  const formRef = useRef(form);
  useEffect(() => {
    formRef.current = form;
  });
  const chosenTemplate = useWhatsAppTemplate(form.templateId || null).data;
  const template = chosenTemplate?.connection_id === form.connectionId ? chosenTemplate : undefined;
  const connection = useConnection(form.connectionId || null).data;
  const sms = isSms(connection);
  const localTemplate = useLocalTemplate(sms ? form.localTemplateId || null : null).data;
  const headingRef = useRef<HTMLHeadingElement>(null);

  const set = useCallback((patch: Partial<WizardForm>) => setForm((f) => ({ ...f, ...patch })), []);

  /** Show an API error: field errors next to their fields (and on their step), anything else as a toast. */
  const fail = useCallback((error: unknown, where?: Step) => {
    if (error instanceof ApiError) {
      const fields = error.fieldErrors();
      setErrors(fields);
      const first = Object.keys(fields)[0];
      if (!first) toast.error(error.message);
      else if (where && stepOfField(first) !== where) toast.error(t("wizard.fixOn", { step: t(`wizard.stepNames.${stepOfField(first)}`), detail: fields[first] }));
      return;
    }
    toast.error(error instanceof Error ? error.message : String(error));
  }, [t]);

  /** The draft exists once the audience has someone in it (the API wants one); then each change is a PATCH. */
  const save = useCallback(
    async (body: CampaignUpdate): Promise<string> => {
      if (!campaignId.current) {
        if (!creating.current) {
          creating.current = createDraft(createBody(formRef.current))
            .then((c) => {
              campaignId.current = c.id;
              setSavedId(c.id);
              navigate({ search: `?draft=${c.id}` }, { replace: true });
              return c.id;
            })
            .finally(() => {
              creating.current = null;
            });
          return creating.current;
        }
        await creating.current;
      }
      await updateDraft({ id: campaignId.current!, body });
      return campaignId.current!;
    },
    [createDraft, updateDraft, navigate],
  );

  // The live count: after each change of the audience (debounced), save it and ask the API who it reaches.
  const audienceKey = JSON.stringify(form.audience);
  const debouncedAudience = useDebounced(audienceKey, 400);
  const onAudienceStep = step === "audience" || step === "review";
  const [counted, setCounted] = useState<{ key: string; count: number | null }>({ key: "", count: null });
  useEffect(() => {
    if (!onAudienceStep) return;
    const audience = JSON.parse(debouncedAudience) as WizardForm["audience"];
    if (!audienceSize(audience)) return;
    let stale = false;
    save({ audience })
      .then((id) => fetchAudienceCount(id))
      .then((r) => {
        if (stale) return;
        setCounted({ key: debouncedAudience, count: r.count });
        setErrors({});
      })
      .catch((e: unknown) => {
        if (stale) return;
        setCounted({ key: debouncedAudience, count: null });
        fail(e, "audience");
      });
    return () => {
      stale = true;
    };
  }, [debouncedAudience, onAudienceStep, save, fail]);
  const noAudience = !audienceSize(form.audience);
  const count = noAudience ? null : counted.count;
  const counting = !noAudience && counted.key !== audienceKey;

  const go = (next: Step) => {
    setStep(next);
    setReached((r) => Math.max(r, STEPS.indexOf(next)));
    requestAnimationFrame(() => headingRef.current?.focus());
  };

  const missing = !sms && template ? missingParameters(template.parameter_keys ?? [], form.parameters, form.defaults) : [];
  const [showMissing, setShowMissing] = useState(false);

  const next = async () => {
    const local: Record<string, string> = {};
    if (step === "number") {
      if (!form.name.trim()) local.name = t("wizard.required");
      if (!form.connectionId) local.connection_id = t("wizard.chooseNumber");
    }
    if (step === "template" && sms && !form.localTemplateId) local.local_template_id = t("sms.chooseTemplate");
    if (step === "template" && !sms && !form.templateId) local.whatsapp_template_id = t("wizard.chooseTemplate");
    if (step === "parameters" && missing.length) {
      setShowMissing(true);
      return;
    }
    if (step === "audience" && !audienceSize(form.audience)) local.audience = t("wizard.chooseAudience");
    if (step === "schedule" && form.startMode === "later" && !form.at) local.at = t("wizard.required");
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      setSaving(true);
      if (step === "parameters" && campaignId.current) await save(messageBody(form));
      if (step === "audience" && creating.current) await creating.current;
      if (step === "schedule") await save(timingBody(form));
      setErrors({});
      go(STEPS[STEPS.indexOf(step) + 1]!);
    } catch (e) {
      fail(e, step);
    } finally {
      setSaving(false);
    }
  };

  const launch = () => {
    const id = savedId;
    if (!id) return;
    schedule.mutate(
      { id, body: scheduleBody(form) },
      {
        onSuccess: (c) => {
          toast.success(c.status === "scheduled" && form.startMode === "later" ? t("wizard.scheduled") : t("wizard.launched"));
          navigate(`/campaigns/${c.id}`);
        },
        onError: (e) => fail(e, "review"),
      },
    );
  };

  const pickTemplate = (tpl: WhatsAppTemplate) => {
    if (tpl.id === form.templateId) return;
    set({ templateId: tpl.id, parameters: { ...tpl.parameters }, defaults: { ...tpl.defaults } });
  };

  const index = STEPS.indexOf(step);
  const stepProps = { form, set, errors };
  return (
    <div className="grid gap-4 p-4 md:p-6">
      <div>
        <Button asChild variant="ghost" size="sm" className="-ml-2">
          <Link to="..">
            <ArrowLeft aria-hidden="true" />
            {t("campaigns.title")}
          </Link>
        </Button>
      </div>
      <PageHeader title={savedId ? t("wizard.editTitle") : t("wizard.title")} description={t("wizard.description")} />
      <Stepper step={step} reached={reached} onGo={go} />
      <Card>
        <CardContent className="grid gap-4 pt-4">
          <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
            {t("wizard.stepOf", { n: index + 1, total: STEPS.length, name: t(`wizard.stepNames.${step}`) })}
          </h2>
          <form
            noValidate
            className="grid gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              if (step === "review") launch();
              else void next();
            }}
          >
            {step === "number" ? <NumberStep {...stepProps} /> : null}
            {step === "template" ? <TemplateStep {...stepProps} onPick={pickTemplate} /> : null}
            {step === "parameters" && sms ? (
              <div className="grid gap-4 md:grid-cols-[1fr_20rem]">
                <p className="text-sm text-muted-foreground">{t("sms.noParameters")}</p>
                {localTemplate ? <SmsMessagePreview template={localTemplate} connectionId={form.connectionId} /> : null}
              </div>
            ) : null}
            {step === "parameters" && !sms ? <ParametersStep {...stepProps} template={template} missing={showMissing ? missing : []} /> : null}
            {step === "audience" ? <AudienceStep {...stepProps} count={count} counting={counting} /> : null}
            {step === "schedule" ? <ScheduleStep {...stepProps} connection={connection} /> : null}
            {step === "schedule" ? <ReplyLeadOption {...stepProps} /> : null}
            {step === "review" ? <Review form={form} template={template} count={count} errors={errors} /> : null}
            <div className="flex flex-wrap justify-between gap-2 border-t pt-4">
              <Button variant="outline" disabled={index === 0} onClick={() => go(STEPS[index - 1]!)}>
                <ArrowLeft aria-hidden="true" />
                {t("common:back")}
              </Button>
              <div className="flex flex-wrap gap-2">
                {savedId ? (
                  <Button asChild variant="ghost">
                    <Link to={`/campaigns/${savedId}`}>{t("wizard.saveLater")}</Link>
                  </Button>
                ) : null}
                {step === "review" ? (
                  <Button type="submit" disabled={schedule.isPending || !savedId}>
                    <Rocket aria-hidden="true" />
                    {form.startMode === "later" && form.at ? t("wizard.schedule") : t("wizard.launch")}
                  </Button>
                ) : (
                  <Button type="submit" disabled={saving || (step === "audience" && counting)}>
                    {t("common:next")}
                    <ArrowRight aria-hidden="true" />
                  </Button>
                )}
              </div>
            </div>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}

/** The creation wizard; `?draft=<id>` goes on with a draft. Admins only (agents are not offered it). */
export function NewCampaign() {
  const { t } = useTranslation("campaigns");
  const isAdmin = useIsAdmin();
  const { me } = useAuth();
  const [params] = useSearchParams();
  const [draftId] = useState(() => params.get("draft"));
  const draft = useCampaign(draftId ?? "", Boolean(draftId));
  const initial = useMemo(() => (draft.data ? formFromCampaign(draft.data) : null), [draft.data]);
  if (!isAdmin) return <div className="p-4 md:p-6"><EmptyState title={t("wizard.adminsOnly")} /></div>;
  if (!me) return <SkeletonRows className="p-6" />;
  if (draftId) {
    if (draft.isPending) return <SkeletonRows className="p-6" />;
    if (draft.isError) return <div className="p-4 md:p-6"><ErrorState error={draft.error} /></div>;
    if (draft.data.status !== "draft") return <div className="p-4 md:p-6"><EmptyState title={t("wizard.notDraft")} action={<Button asChild size="sm"><Link to={`/campaigns/${draftId}`}>{t("wizard.openCampaign")}</Link></Button>} /></div>;
    return <Wizard initial={initial!} initialId={draftId} />;
  }
  return <Wizard initial={emptyForm(me.company.timezone)} initialId={null} />;
}
