/** Try the retrieval a persona gets: a question in, the passages that would be given to the model out, each with
 * its document, heading, fused score and how it was found (by meaning, by words, or both). */
import { Search } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { EmptyState } from "@/components/ui/states";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { useSearch } from "../api/knowledge";

export function SearchPanel({ knowledgeBaseId, hasPassages }: { knowledgeBaseId: string; hasPassages: boolean }) {
  const { t } = useTranslation("knowledge");
  const fmt = useFormat();
  const search = useSearch(knowledgeBaseId);
  const { errors, fail, clear } = useFieldErrors();
  const [question, setQuestion] = useState("");
  const [k, setK] = useState(5);
  const result = search.data;
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("search.title")}</CardTitle>
        <CardDescription>{t("search.description")}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <form
          role="search"
          aria-label={t("search.title")}
          className="grid gap-3 sm:grid-cols-[1fr_7rem_auto] sm:items-end xl:grid-cols-[1fr_auto] xl:[&>*:first-child]:col-span-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!question.trim()) return;
            clear();
            search.mutate({ question: question.trim(), k }, { onError: fail });
          }}
        >
          <Field label={t("search.question")} error={errors.question}>
            <Input maxLength={2000} placeholder={t("search.placeholder")} value={question} onChange={(e) => setQuestion(e.target.value)} />
          </Field>
          <Field label={t("search.k")}>
            <NativeSelect value={k} onChange={(e) => setK(Number(e.target.value))}>
              {[3, 5, 10, 20].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Button type="submit" disabled={!question.trim() || search.isPending}>
            <Search aria-hidden="true" />
            {search.isPending ? t("search.searching") : t("search.submit")}
          </Button>
        </form>
        {!hasPassages ? <p className="text-sm text-muted-foreground">{t("search.nothingYet")}</p> : null}
        {result ? (
          result.passages.length === 0 ? (
            <EmptyState icon={Search} title={t("search.none")} description={t("search.noneHint")} />
          ) : (
            <section aria-label={t("search.results")} aria-live="polite" className="grid gap-2">
              <p className="text-xs text-muted-foreground">
                {t("search.summary", {
                  count: result.passages.length,
                  similarity: result.best_similarity === null ? "—" : fmt.number(result.best_similarity, { maximumFractionDigits: 2 }),
                  model: result.embedding_model,
                })}
              </p>
              <ol className="grid gap-2">
                {result.passages.map((p, i) => (
                  <li key={p.chunk_id} className="grid gap-1 rounded-md border p-3" aria-label={t("search.passage", { n: i + 1, title: p.document_title })}>
                    <p className="text-sm">
                      <span className="font-medium">
                        {i + 1}. {p.document_title}
                      </span>
                      {p.heading ? <span className="text-muted-foreground"> › {p.heading}</span> : null}
                    </p>
                    <p className="whitespace-pre-wrap text-sm">{p.text}</p>
                    <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
                      <Badge variant="outline" className="font-normal tabular-nums">
                        {t("search.score", { score: fmt.number(p.score, { maximumFractionDigits: 4 }) })}
                      </Badge>
                      {p.similarity !== null ? (
                        <Badge variant="secondary" className="font-normal tabular-nums">
                          {t("search.similarity", { value: fmt.number(p.similarity, { maximumFractionDigits: 2 }) })}
                        </Badge>
                      ) : null}
                      <span>{foundBy(t, p.vector_rank, p.text_rank)}</span>
                    </div>
                  </li>
                ))}
              </ol>
            </section>
          )
        ) : null}
      </CardContent>
    </Card>
  );
}

function foundBy(t: (key: string, options?: Record<string, unknown>) => string, vector: number | null, text: number | null): string {
  if (vector !== null && text !== null) return t("search.foundBoth", { vector, text });
  if (vector !== null) return t("search.foundMeaning", { rank: vector });
  return t("search.foundWords", { rank: text ?? "—" });
}
