import { useTranslation } from "react-i18next";
import { isRouteErrorResponse, useRouteError } from "react-router";
import { Button } from "@/components/ui/button";

/** A screen that failed to load or render (e.g. a chunk missing after a deploy, or offline). */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  const offline = typeof navigator !== "undefined" && !navigator.onLine;
  const detail = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : "";
  return (
    <div role="alert" className="m-6 grid max-w-lg gap-3 rounded-lg border p-6">
      <h1 className="text-lg font-semibold">{offline ? t("offline") : t("error.title")}</h1>
      <p className="text-sm text-muted-foreground">{offline ? t("offlineBanner") : t("error.screen")}</p>
      {detail && !offline ? <pre className="overflow-auto rounded bg-muted p-2 text-xs">{detail}</pre> : null}
      <div>
        <Button onClick={() => window.location.reload()}>{t("reload")}</Button>
      </div>
    </div>
  );
}
