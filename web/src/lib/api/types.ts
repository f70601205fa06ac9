import type { components } from "./schema";

/** A schema of the API by name: `Schema<"ContactRead">`. */
export type Schema<K extends keyof components["schemas"]> = components["schemas"][K];
