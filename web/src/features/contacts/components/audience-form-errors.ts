import { useCallback, useState } from "react";
import { ApiError } from "@/lib/api/problem";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";

/**
 * `useFieldErrors`, plus: a 409 (a name or key already taken) is shown next to `conflictField` instead of
 * in a toast, since that is the field the user has to change; as `conflictMessage` (in the user's language)
 * when given, else as the API's words.
 */
export function useAudienceFormErrors(conflictField: string, conflictMessage?: string) {
  const { errors, fail, clear } = useFieldErrors();
  const [conflict, setConflict] = useState<string | undefined>();
  const onError = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 409) {
        clear();
        setConflict(conflictMessage ?? error.message);
        return;
      }
      setConflict(undefined);
      fail(error);
    },
    [clear, fail, conflictMessage],
  );
  const reset = useCallback(() => {
    clear();
    setConflict(undefined);
  }, [clear]);
  const all: Record<string, string> = conflict ? { ...errors, [conflictField]: conflict } : errors;
  return { errors: all, fail: onError, clear: reset };
}

/** The first error at `path` or under it (`options` also finds `options.2`). */
export function errorAt(errors: Readonly<Record<string, string>>, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const nested = Object.entries(errors).find(([key]) => key.startsWith(`${path}.`));
  return nested?.[1];
}
