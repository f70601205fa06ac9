/** The AI in a conversation: pause it, hand the conversation (back) to it, and the names of the personas that
 * answer (any user may read a persona). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/problem";
import { inboxKeys, storeConversation } from "./inbox";

export const aiKeys = {
  persona: (id: string) => ["inbox", "persona", id] as const,
};

export function usePauseAi(conversationId: string, meId: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/v1/conversations/{conversation_id}/ai/pause", { params: { path: { conversation_id: conversationId } } })),
    onSuccess: (conversation) => storeConversation(client, conversation, meId),
  });
}

export function useResumeAi(conversationId: string, meId: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/v1/conversations/{conversation_id}/ai/resume", { params: { path: { conversation_id: conversationId } } })),
    onSuccess: (conversation) => storeConversation(client, conversation, meId),
    // the conversation changed meanwhile (taken by someone else): show it as it is
    onError: () => void client.invalidateQueries({ queryKey: inboxKeys.conversation(conversationId) }),
  });
}

/** A persona's name (null: unknown, or gone), asked once per persona and kept a while. */
export function usePersonaName(personaId: string | null | undefined): string | null {
  const query = useQuery({
    queryKey: aiKeys.persona(personaId ?? ""),
    queryFn: async () => {
      try {
        const persona = await unwrap(api.GET("/v1/personas/{persona_id}", { params: { path: { persona_id: personaId! } } }));
        return persona.name;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return null;
        throw error;
      }
    },
    enabled: !!personaId,
    staleTime: 5 * 60_000,
    retry: false,
  });
  return query.data ?? null;
}
