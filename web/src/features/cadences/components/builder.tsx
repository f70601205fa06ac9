/**
 * The cadence builder: its settings and its steps, saved as a new cadence or as changes to one. New steps or a new
 * sending window write the next version; enrollments already running finish on the version they started on.
 */
import { Save } from "lucide-react";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ApiError } from "@/lib/api/problem";
import { useCreateCadence, useUpdateCadence, type Cadence } from "../api/cadences";
import { useConnection } from "@/components/pickers/lookups";
import { createBody, emptySettings, makesVersion, settingsFrom, settingsProblems, updateBody, type SettingsDraft } from "../lib/settings";
import { errorsByStep, fromApi, newStep, problems, type DraftStep } from "../lib/steps";
import { GeneralSettings, RunSettings } from "./settings-form";
import { StepList } from "./step-list";

/** The API's field of each setting of the draft (the window's: all of `window`). */
const SETTING_FIELDS: Record<string, string> = {
  connectionId: "connection_id", goalTagId: "goal_tag_id", segmentId: "segment_id", segmentMode: "segment_mode",
  exitOnReply: "exit_on_reply", exitOnStageChange: "exit_on_stage_change", allowReenrollment: "allow_reenrollment",
  timezoneMode: "window", timezone: "window", days: "window", allDay: "window", startTime: "window", endTime: "window",
};

/** ``errors`` without the fields ``drop`` says (the same object when none is dropped). */
function withoutFields(errors: Record<string, string>, drop: (field: string) => boolean): Record<string, string> {
  const kept = Object.entries(errors).filter(([field]) => !drop(field));
  return kept.length === Object.keys(errors).length ? errors : Object.fromEntries(kept);
}

function initialSteps(cadence: Cadence | undefined): DraftStep[] {
  return cadence ? fromApi(cadence.steps) : [newStep("send_template")];
}

export function Builder({ cadence, readOnly }: { cadence?: Cadence; readOnly: boolean }) {
  const { t } = useTranslation("cadences");
  const navigate = useNavigate();
  const [settings, setSettings] = useState<SettingsDraft>(() => (cadence ? settingsFrom(cadence) : emptySettings()));
  const [steps, setSteps] = useState<DraftStep[]>(() => initialSteps(cadence));
  const [errors, setErrors] = useState<Record<string, string>>({});
  // the cadence the draft was read from: another version saved (here or elsewhere) starts the draft again
  const [base, setBase] = useState(cadence);
  if (cadence && base && cadence.current_version !== base.current_version) {
    setBase(cadence);
    setSettings(settingsFrom(cadence));
    setSteps(fromApi(cadence.steps));
  }
  const create = useCreateCadence();
  const update = useUpdateCadence();
  const channel = useConnection(settings.connectionId || null).data?.channel ?? null;
  const pending = useMemo(() => (base ? updateBody(base, settings, steps) : null), [base, settings, steps]);
  const live = base ? (base.enrollments.active ?? 0) + (base.enrollments.sending ?? 0) : 0;

  const byStep = errorsByStep(errors);
  const fail = (error: unknown) => {
    if (error instanceof ApiError && error.problem.code === "stale_version") {
      toast.error(t("builder.stale"));
      return;
    }
    if (error instanceof ApiError) {
      const fields = error.fieldErrors();
      setErrors(fields);
      toast.error(Object.keys(fields).length ? t("builder.fixMarked") : error.message);
      return;
    }
    toast.error(error instanceof Error ? error.message : String(error));
  };

  const save = () => {
    const local: Record<string, string> = {};
    for (const [field, problem] of Object.entries(problems(steps))) local[field] = t(`problems.${problem.code}`, problem.params);
    for (const [field, code] of Object.entries(settingsProblems(settings))) local[field] = t(`problems.${code}`);
    setErrors(local);
    if (Object.keys(local).length) {
      toast.error(t("builder.fixMarked"));
      return;
    }
    if (!base) {
      create.mutate(createBody(settings, steps), {
        onSuccess: (created) => {
          toast.success(t("builder.created"));
          navigate(`/cadences/${created.id}`, { replace: true });
        },
        onError: fail,
      });
      return;
    }
    if (!pending) return;
    update.mutate(
      { id: base.id, body: pending },
      {
        onSuccess: (saved) => {
          toast.success(makesVersion(pending) ? t("builder.savedVersion", { version: saved.current_version }) : t("builder.saved"));
          setBase(saved);
          setSettings(settingsFrom(saved));
          setSteps(fromApi(saved.steps));
        },
        onError: fail,
      },
    );
  };

  const set = (patch: Partial<SettingsDraft>) => {
    setSettings((s) => ({ ...s, ...patch }));
    const touched = Object.keys(patch).map((key) => SETTING_FIELDS[key] ?? key);
    setErrors((e) => withoutFields(e, (field) => touched.some((f) => field === f || field.startsWith(`${f}.`))));
  };
  // a step edited drops its marks (steps added, removed or moved: every step's, their indexes shift)
  const changeSteps = (next: DraftStep[]) => {
    const same = next.length === steps.length && next.every((s, i) => s.key === steps[i]!.key);
    const changed = new Set(next.flatMap((s, i) => (s !== steps[i] ? [i] : [])));
    setSteps(next);
    setErrors((e) => withoutFields(e, (field) => field === "steps" || (field.startsWith("steps.") && (!same || changed.has(Number(field.split(".")[1]))))));
  };
  const busy = create.isPending || update.isPending;
  return (
    <form
      noValidate
      className="grid grid-cols-1 gap-4"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <GeneralSettings value={settings} onChange={set} errors={byStep.other} readOnly={readOnly} />
      <Card>
        <CardHeader>
          <CardTitle>{t("builder.steps")}</CardTitle>
          <CardDescription>{t("builder.stepsHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          {byStep.other.steps ? (
            <p role="alert" className="text-sm text-destructive">
              {byStep.other.steps}
            </p>
          ) : null}
          <StepList steps={steps} onChange={changeSteps} connectionId={settings.connectionId} channel={channel} errors={byStep.steps} readOnly={readOnly} />
        </CardContent>
      </Card>
      <RunSettings value={settings} onChange={set} errors={byStep.other} readOnly={readOnly} />
      {readOnly ? null : (
        <div className="sticky bottom-0 z-10 -mx-4 flex flex-wrap items-center justify-between gap-3 border-t bg-background/95 px-4 py-3 backdrop-blur md:-mx-6 md:px-6">
          <p className="text-sm text-muted-foreground" aria-live="polite">
            {!base
              ? t("builder.newNote")
              : !pending
                ? t("builder.noChanges")
                : makesVersion(pending)
                  ? t("builder.versionNote", { next: base.current_version + 1, current: base.current_version, count: live })
                  : t("builder.settingsNote")}
          </p>
          <Button type="submit" disabled={busy || Boolean(base && !pending)}>
            <Save aria-hidden="true" />
            {!base ? t("builder.create") : pending && makesVersion(pending) ? t("builder.saveVersion") : t("builder.save")}
          </Button>
        </div>
      )}
    </form>
  );
}
