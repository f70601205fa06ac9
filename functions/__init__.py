"""Lambda entry points: adapters only (parse → one use case → map result)."""
