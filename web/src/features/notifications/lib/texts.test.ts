import { describe, expect, it } from "vitest";
import { formatDateTime } from "@/lib/i18n/format";
import { bodyValues } from "./texts";

const data = {
  title: "Demo",
  lead_title: "Plano anual",
  contact_name: "Carla Dias",
  starts_at: "2026-12-02T17:00:00+00:00",
  timezone: "America/Sao_Paulo",
};

describe("bodyValues", () => {
  it("gives an appointment's time in its own timezone and the user's language", () => {
    const values = bodyValues("new_appointment", data, (v, o) => formatDateTime("pt-BR", v, o));
    expect(values).toMatchObject({ title: "Demo", lead: "Plano anual", contact: "Carla Dias", timezone: "America/Sao_Paulo" });
    expect(values?.when).toContain("14:00"); // 17:00 UTC is 14:00 in São Paulo
    expect(bodyValues("appointment_reminder", data, (v, o) => formatDateTime("en", v, o))?.when).toContain("2:00");
  });

  it("leaves other kinds, and data without a time, to the server's text", () => {
    expect(bodyValues("campaign_paused", data, (v) => v)).toBeNull();
    expect(bodyValues("new_appointment", { title: "Demo" }, (v) => v)).toBeNull();
    expect(bodyValues("new_appointment", { ...data, timezone: "Mars/Olympus" }, (v, o) => formatDateTime("en", v, o))).toBeNull();
  });
});
