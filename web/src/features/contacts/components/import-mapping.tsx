import { Play } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useCustomFields } from "../api/custom-fields";
import { useStartImport, type ContactImport } from "../api/imports";
import { initialMapping, mappingProblems, targetsFor } from "./import-mapping-model";

/** Step 2: each CSV column → a target (the API's suggestion first), then start. */
export function ImportMapping({ row }: { row: ContactImport }) {
  // every custom field is a target (a company's schema, see getAllCustomFields)
  const fields = useCustomFields();
  if (fields.isPending) return null;
  return <MappingForm row={row} customKeys={(fields.data ?? []).map((f) => f.key)} labels={Object.fromEntries((fields.data ?? []).map((f) => [`custom.${f.key}`, f.label]))} />;
}

function MappingForm({ row, customKeys, labels }: { row: ContactImport; customKeys: string[]; labels: Record<string, string> }) {
  const { t } = useTranslation("contacts");
  const targets = targetsFor(customKeys);
  const [mapping, setMapping] = useState(() => initialMapping(row.headers, row.mapping, targets));
  const start = useStartImport(row.id);
  const { errors, fail } = useFieldErrors();
  const problems = mappingProblems(mapping);
  const label = (target: string) => (target.startsWith("custom.") ? t("imports.mapping.customTarget", { label: labels[target] ?? target.slice(7) }) : t(`imports.mapping.targets.${target}`));

  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("imports.mapping.title")}</CardTitle>
        <CardDescription>{t("imports.mapping.description", { filename: row.filename })}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <Table>
          <caption className="sr-only">{t("imports.mapping.title")}</caption>
          <THead>
            <TR>
              <TH scope="col">{t("imports.mapping.column")}</TH>
              <TH scope="col">{t("imports.mapping.target")}</TH>
            </TR>
          </THead>
          <TBody>
            {row.headers.map((header, i) => (
              <TR key={`${i}-${header}`}>
                <TH scope="row" className="normal-case tracking-normal text-sm font-medium text-foreground">
                  {header || t("imports.mapping.unnamed", { n: i + 1 })}
                </TH>
                <TD>
                  <NativeSelect aria-label={t("imports.mapping.targetFor", { column: header || i + 1 })} value={mapping[header] ?? "ignore"} onChange={(e) => setMapping((m) => ({ ...m, [header]: e.target.value }))}>
                    {targets.map((target) => (
                      <option key={target} value={target}>
                        {label(target)}
                      </option>
                    ))}
                  </NativeSelect>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
        {problems.length || errors.mapping ? (
          <ul className="grid gap-1 text-sm text-destructive" role="alert">
            {problems.map((p) => (
              <li key={p.problem + (p.target ?? "")}>{p.problem === "noPhone" ? t("imports.mapping.noPhone") : t("imports.mapping.duplicate", { target: label(p.target!) })}</li>
            ))}
            {errors.mapping ? <li>{errors.mapping}</li> : null}
          </ul>
        ) : null}
        <div className="flex justify-end">
          <Button onClick={() => start.mutate(mapping, { onError: fail })} disabled={problems.length > 0 || start.isPending}>
            <Play aria-hidden="true" />
            {start.isPending ? t("imports.mapping.starting") : t("imports.mapping.start")}
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}
