import { Bot, Hand, PauseCircle, PlayCircle } from "lucide-react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import { usePauseAi, usePersonaName, useResumeAi } from "../api/ai";
import { aiAction, aiReasonKey, type AiAuthor, type AiStatus } from "../lib/ai";
import type { Conversation } from "../lib/filters";

const ICONS = { active: Bot, paused: PauseCircle, handed_off: Hand } as const;
const TONES: Record<AiStatus, string> = {
  active: "border-transparent bg-violet-100 text-violet-900",
  paused: "border-transparent bg-secondary text-secondary-foreground",
  handed_off: "border-transparent bg-amber-100 text-amber-900",
};

/** The AI's state as a badge: answering, paused or handed off (nothing where it has never been). */
export function AiBadge({ ai, compact = false }: { ai: Conversation["ai"] | undefined; compact?: boolean }) {
  const { t } = useTranslation("inbox");
  if (!ai) return null;
  const Icon = ICONS[ai.status];
  const label = t(`ai.state.${ai.status}`);
  if (compact)
    return (
      <span role="img" aria-label={label} title={label} data-ai={ai.status} className={cn("inline-flex shrink-0 items-center rounded-full p-0.5", TONES[ai.status])}>
        <Icon className="size-3" aria-hidden="true" />
      </span>
    );
  return (
    <Badge variant="outline" className={cn("whitespace-nowrap", TONES[ai.status])} data-ai={ai.status}>
      <Icon className="size-3" aria-hidden="true" />
      {label}
    </Badge>
  );
}

/** "Pause AI" while it answers, "Hand back to AI" once it stopped (any user who sees the conversation may). */
export function AiToggle({ conversation, meId }: { conversation: Conversation; meId: string | undefined }) {
  const { t } = useTranslation("inbox");
  const pause = usePauseAi(conversation.id, meId);
  const resume = useResumeAi(conversation.id, meId);
  const action = aiAction(conversation.ai);
  if (!action) return null;
  const onError = (error: Error) => toast.error(error.message);
  if (action === "pause")
    return (
      <Button variant="outline" size="sm" disabled={pause.isPending} onClick={() => pause.mutate(undefined, { onSuccess: () => toast.success(t("ai.pausedToast")), onError })}>
        <PauseCircle aria-hidden="true" />
        <span className="sr-only sm:not-sr-only">{t("ai.pause")}</span>
      </Button>
    );
  return (
    <Button variant="outline" size="sm" disabled={resume.isPending} onClick={() => resume.mutate(undefined, { onSuccess: () => toast.success(t("ai.resumedToast")), onError })}>
      <PlayCircle aria-hidden="true" />
      <span className="sr-only sm:not-sr-only">{t("ai.resume")}</span>
    </Button>
  );
}

/** Why the AI stopped, in a sentence, and the model's own words for a handoff when it gave them. */
function useWhy(ai: NonNullable<Conversation["ai"]>): { reason: string | null; said: string | null } {
  const { t } = useTranslation("inbox");
  const key = aiReasonKey(ai);
  return { reason: key ? t(`ai.${key}`) : null, said: ai.status === "handed_off" && ai.detail ? t("ai.said", { detail: ai.detail }) : null };
}

/** Above the thread while the AI does not answer: that it stopped and why (a handoff's reason, for the agent who
 * now has the conversation). */
export function AiNotice({ conversation, assigneeName }: { conversation: Conversation; assigneeName: (id: string | null) => string | null }) {
  const { t } = useTranslation("inbox");
  const ai = conversation.ai;
  if (!ai || ai.status === "active") return null;
  return <AiStopped ai={ai} assignee={ai.assignee_id ? assigneeName(ai.assignee_id) : null} title={t(ai.status === "handed_off" ? "ai.handedOffTitle" : "ai.pausedTitle")} />;
}

function AiStopped({ ai, assignee, title }: { ai: NonNullable<Conversation["ai"]>; assignee: string | null; title: string }) {
  const { t } = useTranslation("inbox");
  const { reason, said } = useWhy(ai);
  const heading = useId();
  const handedOff = ai.status === "handed_off";
  const Icon = handedOff ? Hand : PauseCircle;
  return (
    <section
      aria-labelledby={heading}
      data-ai-notice={ai.status}
      className={cn("flex gap-2 border-b px-3 py-2 text-sm", handedOff ? "bg-amber-50 text-amber-950" : "bg-muted/60")}
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <div className="grid min-w-0 gap-0.5">
        <h3 id={heading} className="font-medium">
          {title}
        </h3>
        {reason ? <p>{reason}</p> : null}
        {said ? <p className="[overflow-wrap:anywhere]">{said}</p> : null}
        {handedOff && assignee ? <p className="text-xs">{t("ai.handedTo", { name: assignee })}</p> : null}
      </div>
    </section>
  );
}

/** The details pane's AI section: its state, why, the persona and since when. */
export function AiDetails({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation("inbox");
  const format = useFormat();
  const heading = useId();
  const ai = conversation.ai;
  const persona = usePersonaName(ai?.persona_id);
  if (!ai) return null;
  return (
    <section aria-labelledby={heading} className="grid gap-2">
      <h3 id={heading} className="flex items-center gap-2 text-sm font-semibold">
        <Bot className="size-4" aria-hidden="true" />
        {t("ai.title")}
      </h3>
      <dl className="grid gap-2 text-sm [&_dd]:[overflow-wrap:anywhere] [&_dt]:text-xs [&_dt]:text-muted-foreground">
        <div>
          <dt>{t("ai.status")}</dt>
          <dd>
            <AiBadge ai={ai} />
          </dd>
        </div>
        <AiWhy ai={ai} />
        {persona ? (
          <div>
            <dt>{t("ai.persona")}</dt>
            <dd>{persona}</dd>
          </div>
        ) : null}
        <div>
          <dt>{t("ai.since")}</dt>
          <dd>{format.dateTime(ai.since)}</dd>
        </div>
      </dl>
      {ai.status === "active" ? <p className="text-xs text-muted-foreground">{t("ai.activeHint")}</p> : null}
    </section>
  );
}

function AiWhy({ ai }: { ai: NonNullable<Conversation["ai"]> }) {
  const { t } = useTranslation("inbox");
  const { reason, said } = useWhy(ai);
  if (!reason) return null;
  return (
    <div>
      <dt>{t("ai.why")}</dt>
      <dd>
        {reason}
        {said ? <span className="block text-muted-foreground">{said}</span> : null}
      </dd>
    </div>
  );
}

/** The line on a message the AI sent: "AI · Aurora" (and its part of a split answer). */
export function AiAuthorLine({ author }: { author: AiAuthor }) {
  const { t } = useTranslation("inbox");
  const name = usePersonaName(author.personaId);
  return (
    <p className="flex items-center gap-1 text-xs font-medium text-violet-800" data-ai-author="true">
      <Bot className="size-3.5 shrink-0" aria-hidden="true" />
      <span>{name ? t("ai.sentBy", { name }) : t("ai.sentByAi")}</span>
      {author.parts > 1 ? <span className="font-normal text-violet-800/80">· {t("ai.part", { part: author.part, parts: author.parts })}</span> : null}
    </p>
  );
}
