/** Event types grouped by their first segment (`message.received` → `message`), in catalogue order. */
export function groupEventTypes<T extends { type: string }>(types: readonly T[]): { group: string; types: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of types) {
    const group = item.type.split(".")[0] ?? item.type;
    const list = groups.get(group);
    if (list) list.push(item);
    else groups.set(group, [item]);
  }
  return [...groups].map(([group, items]) => ({ group, types: items }));
}

/** Toggle every type of a group: all on when any is off, else all off. */
export function toggleGroup(selected: readonly string[], group: readonly string[]): string[] {
  const all = group.every((t) => selected.includes(t));
  if (all) return selected.filter((t) => !group.includes(t));
  return [...selected, ...group.filter((t) => !selected.includes(t))];
}

