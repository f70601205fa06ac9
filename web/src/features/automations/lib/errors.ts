/** The API's field errors (`trigger.tag_id`, `conditions.0.segment_id`, `actions.1.user_ids.0`…) sorted to the parts
 * of the editor that show them. */

export type Errors = Record<string, string>;

/** The errors under `prefix` (`actions.1`), their paths without it (`user_id`, `user_ids.0`; the item's own: `""`). */
export function scoped(errors: Errors, prefix: string): Errors {
  const out: Errors = {};
  for (const [field, message] of Object.entries(errors)) {
    if (field === prefix) out[""] = join(out[""], message);
    else if (field.startsWith(`${prefix}.`)) out[field.slice(prefix.length + 1)] = message;
  }
  return out;
}

function join(a: string | undefined, b: string): string {
  return a ? `${a}; ${b}` : b;
}

/** The error of `field` and of what is inside it (`user_ids` gathers `user_ids.0` and `user_ids.1`), joined. */
export function at(errors: Errors, field: string): string | undefined {
  let found: string | undefined;
  for (const [path, message] of Object.entries(errors)) {
    if (path === field || path.startsWith(`${field}.`)) found = found && found.includes(message) ? found : join(found, message);
  }
  return found;
}

/** The errors the editor places next to a field; those it cannot (a path it does not know) are shown together. */
export function unplaced(errors: Errors, conditions: number, actions: number): string[] {
  const known = /^(name|description|on_failure|enabled)$|^trigger(\.|$)|^conditions$|^actions$/;
  const out: string[] = [];
  for (const [field, message] of Object.entries(errors)) {
    const item = /^(conditions|actions)\.(\d+)(\.|$)/.exec(field);
    if (item) {
      if (Number(item[2]) < (item[1] === "conditions" ? conditions : actions)) continue;
    } else if (known.test(field)) continue;
    out.push(`${field}: ${message}`);
  }
  return out;
}

type Edited = { name?: unknown; description?: unknown; onFailure?: unknown; trigger?: unknown; conditions?: readonly unknown[]; actions?: readonly unknown[] };

/** The errors still standing once `patch` is applied to `draft`: an edited field's error goes (it is checked again
 * at the next save); a condition or an action added, moved or removed (`structural`) takes its list's errors with
 * it, whose paths by index no longer point at their items. */
export function withoutEdited(errors: Errors, draft: Edited, patch: Edited, structural: boolean): Errors {
  const gone = (field: string): boolean => {
    const [head, index] = field.split(".");
    if (head === "name" || head === "description") return head in patch;
    if (head === "on_failure") return "onFailure" in patch;
    if (head === "trigger") return "trigger" in patch;
    if (head === "conditions" || head === "actions") {
      const next = patch[head];
      if (!next) return false;
      if (structural) return true;
      const i = Number(index);
      return index !== undefined && next[i] !== draft[head]?.[i];
    }
    return false;
  };
  const out = Object.fromEntries(Object.entries(errors).filter(([field]) => !gone(field)));
  return Object.keys(out).length === Object.keys(errors).length ? errors : out;
}
