/** The steps in order, each editable, with "Add a step" (the kinds the cadence's number can send, and the others). */
import { Plus } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { EmptyState } from "@/components/ui/states";
import { MAX_STEPS, isSend, kindsFor, moveStep, newStep, removeStep, replaceStep, type DraftStep, type StepKind } from "../lib/steps";
import { StepCard } from "./step-card";

export function StepList({
  steps,
  onChange,
  connectionId,
  channel,
  errors,
  readOnly,
}: {
  steps: DraftStep[];
  onChange: (steps: DraftStep[]) => void;
  connectionId: string;
  channel: "whatsapp" | "sms" | null;
  /** per step index: field → message */
  errors: Map<number, Record<string, string>>;
  readOnly: boolean;
}) {
  const { t } = useTranslation("cadences");
  const kinds = kindsFor(channel);
  const add = (kind: StepKind) => onChange([...steps, newStep(kind)]);
  const menu = (list: StepKind[]) =>
    list.map((kind) => (
      <DropdownMenuItem key={kind} onSelect={() => add(kind)}>
        {t(`kinds.${kind}`)}
      </DropdownMenuItem>
    ));
  return (
    <div className="grid gap-3">
      {steps.length ? (
        <ol aria-label={t("builder.steps")} className="grid gap-3">
          {steps.map((step, index) => (
            <StepCard
              key={step.key}
              step={step}
              index={index}
              steps={steps}
              connectionId={connectionId}
              errors={errors.get(index) ?? {}}
              readOnly={readOnly}
              onChange={(s) => onChange(replaceStep(steps, s))}
              onMove={(delta) => onChange(moveStep(steps, index, delta))}
              onRemove={() => onChange(removeStep(steps, index))}
            />
          ))}
        </ol>
      ) : (
        <EmptyState title={t("builder.noSteps")} description={readOnly ? undefined : t("builder.noStepsHint")} />
      )}
      {readOnly ? null : (
        <div>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="outline" disabled={steps.length >= MAX_STEPS}>
                <Plus aria-hidden="true" />
                {t("builder.addStep")}
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="start">
              <DropdownMenuLabel>{t("builder.messages")}</DropdownMenuLabel>
              {menu(kinds.filter(isSend))}
              <DropdownMenuSeparator />
              <DropdownMenuLabel>{t("builder.flow")}</DropdownMenuLabel>
              {menu(kinds.filter((k) => k === "wait" || k === "branch"))}
              <DropdownMenuSeparator />
              <DropdownMenuLabel>{t("builder.actions")}</DropdownMenuLabel>
              {menu(kinds.filter((k) => !isSend(k) && k !== "wait" && k !== "branch"))}
            </DropdownMenuContent>
          </DropdownMenu>
        </div>
      )}
    </div>
  );
}
