/**
 * "Test this persona": ask a question as a customer would and read the answer the saved version gives, with the
 * passages it was given (document, heading, snippet) and the tools it would have called. Nothing is sent to a
 * customer; the model call is counted in the month's usage ("test").
 */
import { Bot, FileText, SendHorizontal, User, Wrench } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { useFormat } from "@/lib/i18n/format";
import { useTestPersona, type PersonaTestResult } from "../api/personas";

interface Exchange {
  id: number;
  question: string;
  version: number;
  result?: PersonaTestResult;
  error?: string;
}

export function PersonaTestPanel({ personaId, version }: { personaId: string; version: number }) {
  const { t } = useTranslation("ai");
  const test = useTestPersona(personaId);
  const [question, setQuestion] = useState("");
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const next = useRef(1);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "nearest" });
  }, [exchanges]);

  const ask = () => {
    const text = question.trim();
    if (!text || test.isPending) return;
    const id = next.current++;
    setExchanges((list) => [...list, { id, question: text, version }]);
    setQuestion("");
    test.mutate(
      { question: text, version },
      {
        onSuccess: (result) => setExchanges((list) => list.map((x) => (x.id === id ? { ...x, result } : x))),
        onError: (error) => setExchanges((list) => list.map((x) => (x.id === id ? { ...x, error: error.message } : x))),
      },
    );
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("test.title")}</CardTitle>
        <CardDescription>{t("test.description", { version })}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <section aria-label={t("test.conversation")} aria-live="polite" aria-busy={test.isPending} className="grid max-h-[60vh] gap-4 overflow-y-auto rounded-md border bg-muted/30 p-3">
          {exchanges.length === 0 ? <p className="py-6 text-center text-sm text-muted-foreground">{t("test.empty")}</p> : null}
          {exchanges.map((x) => (
            <article key={x.id} className="grid gap-2" aria-label={t("test.exchange", { question: x.question })}>
              <div className="flex items-start justify-end gap-2">
                <p className="max-w-[85%] whitespace-pre-wrap rounded-lg bg-primary px-3 py-2 text-sm text-primary-foreground">{x.question}</p>
                <User className="mt-1.5 size-4 shrink-0 text-muted-foreground" aria-label={t("test.you")} />
              </div>
              <div className="flex items-start gap-2">
                <Bot className="mt-1.5 size-4 shrink-0 text-muted-foreground" aria-label={t("test.persona")} />
                <div className="grid min-w-0 max-w-[85%] gap-2">
                  {x.result ? (
                    <Answer result={x.result} />
                  ) : x.error ? (
                    <p role="alert" className="rounded-lg border border-destructive/40 bg-red-50 px-3 py-2 text-sm text-destructive">
                      {x.error}
                    </p>
                  ) : (
                    <p className="animate-pulse rounded-lg border bg-background px-3 py-2 text-sm text-muted-foreground">{t("test.thinking")}</p>
                  )}
                </div>
              </div>
            </article>
          ))}
          <div ref={end} />
        </section>
        <form
          className="grid gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            ask();
          }}
        >
          <Label htmlFor="persona-test-question">{t("test.question")}</Label>
          <div className="flex items-end gap-2">
            <Textarea
              id="persona-test-question"
              rows={2}
              maxLength={2000}
              className="min-h-[44px]"
              placeholder={t("test.placeholder")}
              value={question}
              onChange={(e) => setQuestion(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey) {
                  e.preventDefault();
                  ask();
                }
              }}
            />
            <Button type="submit" disabled={!question.trim() || test.isPending}>
              <SendHorizontal aria-hidden="true" />
              {t("test.ask")}
            </Button>
          </div>
          <p className="text-xs text-muted-foreground">{t("test.hint")}</p>
        </form>
      </CardContent>
    </Card>
  );
}

function Answer({ result }: { result: PersonaTestResult }) {
  const { t } = useTranslation("ai");
  const fmt = useFormat();
  const tokens = (result.usage?.prompt_tokens ?? 0) + (result.usage?.completion_tokens ?? 0);
  return (
    <>
      <div className="whitespace-pre-wrap rounded-lg border bg-background px-3 py-2 text-sm">{result.answer || <span className="text-muted-foreground">{t("test.noAnswer")}</span>}</div>
      {result.tool_calls.length ? (
        <div className="grid gap-1">
          <p className="text-xs font-medium text-muted-foreground">{t("test.toolCalls")}</p>
          <ul className="grid gap-1" aria-label={t("test.toolCalls")}>
            {result.tool_calls.map((call, i) => (
              <li key={i} className="rounded-md border border-amber-200 bg-amber-50 px-2 py-1.5 text-xs text-amber-950">
                <span className="flex items-center gap-1 font-medium">
                  <Wrench className="size-3" aria-hidden="true" />
                  {t(`tools.${call.name}`, { defaultValue: call.name })}
                </span>
                {Object.keys(call.arguments ?? {}).length ? <pre className="mt-1 overflow-x-auto whitespace-pre-wrap break-words font-mono">{JSON.stringify(call.arguments, null, 1)}</pre> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {result.sources.length ? (
        <details className="group rounded-md border bg-background px-2 py-1.5 text-xs" open>
          <summary className="cursor-pointer font-medium text-muted-foreground">{t("test.sources", { count: result.sources.length })}</summary>
          <ol className="mt-2 grid gap-2" aria-label={t("test.sourcesLabel")}>
            {result.sources.map((s, i) => (
              <li key={`${s.chunk_id}-${i}`} className="grid gap-0.5 border-l-2 border-primary/40 pl-2">
                <span className="flex flex-wrap items-center gap-1 font-medium">
                  <FileText className="size-3" aria-hidden="true" />
                  {s.document_title}
                  {s.heading ? <span className="font-normal text-muted-foreground">› {s.heading}</span> : null}
                  {typeof s.score === "number" ? (
                    <Badge variant="outline" className="font-normal tabular-nums">
                      {t("test.score", { score: fmt.number(s.score, { maximumFractionDigits: 3 }) })}
                    </Badge>
                  ) : null}
                </span>
                <span className="line-clamp-3 text-muted-foreground">{s.text}</span>
              </li>
            ))}
          </ol>
        </details>
      ) : (
        <p className="text-xs text-muted-foreground">{t("test.noSources")}</p>
      )}
      <p className="text-xs text-muted-foreground">{t("test.meta", { model: result.model, tokens: fmt.number(tokens) })}</p>
    </>
  );
}
