import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useFormat } from "@/lib/i18n/format";
import { buckets, type Counts } from "../lib/progress";

const COLORS: Record<string, string> = {
  queued: "#94a3b8",
  sending: "#60a5fa",
  unknown: "#f59e0b",
  sentOnly: "#3b82f6",
  deliveredOnly: "#0d9488",
  read: "#16a34a",
  failed: "#dc2626",
  skipped: "#a1a1aa",
};

/** Where each recipient is now, one bar per bucket (loaded apart: recharts is the heaviest piece here). */
export default function ProgressChart({ counts }: { counts: Counts }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const data = buckets(counts).map((b) => ({ name: t(`chart.${b.key}`), value: b.value, key: b.key }));
  return (
    <figure aria-label={t("chart.label")} className="h-64 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ left: 8, right: 24, top: 4, bottom: 4 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tickFormatter={(v: number) => format.number(v)} />
          <YAxis type="category" dataKey="name" width={110} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => [format.number(Number(v)), t("chart.recipients")]} />
          <Bar dataKey="value" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.key} fill={COLORS[d.key]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
