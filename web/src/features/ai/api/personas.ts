/** Personas: `GET/POST /v1/personas`, `GET/PATCH/DELETE /v1/personas/{id}` (a PATCH writes a new version, with the
 * version the user saw: a 409 when another was saved since), `POST …/activate|deactivate`, the versions
 * (`GET …/versions`, `GET …/versions/{n}`) and `POST …/test`. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import type { PersonaBody } from "../lib/persona-form";

export type Persona = Schema<"PersonaRead">;
export type PersonaVersion = Schema<"PersonaVersionRead">;
export type PersonaTestResult = Schema<"PersonaTestResult">;

export const personaKeys = {
  all: ["personas"] as const,
  list: ["personas", "list"] as const,
  one: (id: string) => ["personas", "one", id] as const,
  versions: (id: string) => ["personas", "versions", id] as const,
  version: (id: string, n: number) => ["personas", "versions", id, n] as const,
};

const path = (id: string) => ({ params: { path: { persona_id: id } } });

export const personaQuery = (id: string) => queryOptions({ queryKey: personaKeys.one(id), queryFn: () => unwrap(api.GET("/v1/personas/{persona_id}", path(id))) });

/** The company's personas, newest first, a page at a time. */
export function usePersonas() {
  return useCursorList(personaKeys.list, (cursor) => unwrap(api.GET("/v1/personas", { params: { query: { cursor } } })));
}
export const usePersona = (id: string) => useQuery(personaQuery(id));

/** The versions, newest first, a page at a time. */
export function usePersonaVersions(id: string) {
  return useCursorList(personaKeys.versions(id), (cursor) =>
    unwrap(api.GET("/v1/personas/{persona_id}/versions", { params: { path: { persona_id: id }, query: { cursor } } })),
  );
}

export function usePersonaVersion(id: string, version: number | null) {
  return useQuery({
    queryKey: personaKeys.version(id, version ?? 0),
    queryFn: () => unwrap(api.GET("/v1/personas/{persona_id}/versions/{version}", { params: { path: { persona_id: id, version: version! } } })),
    enabled: version !== null,
    staleTime: Infinity, // a version never changes
  });
}

/** Put the persona's fresh state in the cache (the list and its page) without asking again. */
function useStore() {
  const client = useQueryClient();
  return (persona: Persona) => {
    client.setQueryData(personaKeys.one(persona.id), persona);
    void client.invalidateQueries({ queryKey: personaKeys.list });
    void client.invalidateQueries({ queryKey: personaKeys.versions(persona.id) });
  };
}

export function useCreatePersona() {
  const store = useStore();
  return useMutation({
    mutationFn: (body: PersonaBody & { is_active?: boolean }) => unwrap(api.POST("/v1/personas", { body })),
    onSuccess: store,
  });
}

export function useUpdatePersona(id: string) {
  const store = useStore();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PersonaBody & { version: number }) => unwrap(api.PATCH("/v1/personas/{persona_id}", { ...path(id), body })),
    onSuccess: store,
    onError: () => void client.invalidateQueries({ queryKey: personaKeys.versions(id) }),
  });
}

export function useSetActive(id: string) {
  const store = useStore();
  return useMutation({
    mutationFn: (active: boolean) =>
      active ? unwrap(api.POST("/v1/personas/{persona_id}/activate", path(id))) : unwrap(api.POST("/v1/personas/{persona_id}/deactivate", path(id))),
    onSuccess: store,
  });
}

export function useArchivePersona(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/personas/{persona_id}", path(id))),
    onSuccess: () => {
      client.removeQueries({ queryKey: personaKeys.one(id) });
      return client.invalidateQueries({ queryKey: personaKeys.list });
    },
  });
}

export function useTestPersona(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { question: string; version?: number }) => unwrap(api.POST("/v1/personas/{persona_id}/test", { ...path(id), body })),
    // a test is a model call: the month's usage moved
    onSuccess: () => void client.invalidateQueries({ queryKey: ["ai", "usage"] }),
  });
}
