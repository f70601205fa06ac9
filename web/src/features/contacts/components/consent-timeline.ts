import type { ConsentEvent } from "../api/consent-events";

/** What a history entry says besides what happened and who: the catalogue key (under
 * `contacts.consent.timeline`) and the text of each detail it has, in reading order. A keyword's text is
 * what the contact wrote. */
export function eventDetails(event: ConsentEvent): [key: "wrote" | "source" | "proof" | "reason", text: string][] {
  if (event.source === "inbound_keyword") {
    const wrote = event.status === "opted_in" ? event.proof : event.reason;
    return wrote ? [["wrote", wrote]] : [];
  }
  const details: [key: "source" | "proof" | "reason", text: string | null][] =
    event.status === "opted_in"
      ? [
          ["source", event.opt_in_source],
          ["proof", event.proof],
        ]
      : [["reason", event.reason]];
  return details.filter((d): d is [typeof d[0], string] => Boolean(d[1]));
}
