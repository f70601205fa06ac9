import { useCallback, useState } from "react";
import { toast } from "sonner";
import { ApiError } from "@/lib/api/problem";

/**
 * Field errors from the API's problem+json `errors`, to show next to each field; an error without field
 * errors becomes a toast. `fail` is the mutation's onError.
 */
export function useFieldErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const fail = useCallback((error: unknown) => {
    if (error instanceof ApiError) {
      const fields = error.fieldErrors();
      setErrors(fields);
      if (Object.keys(fields).length === 0) toast.error(error.message);
      return;
    }
    setErrors({});
    toast.error(error instanceof Error ? error.message : String(error));
  }, []);
  const clear = useCallback(() => setErrors({}), []);
  return { errors, fail, clear };
}
