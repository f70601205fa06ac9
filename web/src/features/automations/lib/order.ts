/** The rules' run order: the ids with one rule moved up or down (what PUT /v1/automations/order takes). */

/** `ids` with the one at `index` moved by `delta`; null when it cannot move (first up, last down). */
export function moved(ids: readonly string[], index: number, delta: -1 | 1): string[] | null {
  const to = index + delta;
  if (index < 0 || index >= ids.length || to < 0 || to >= ids.length) return null;
  const out = [...ids];
  [out[index], out[to]] = [out[to]!, out[index]!];
  return out;
}
