import { MutationCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type * as React from "react";
import { Toaster } from "sonner";
import { TooltipProvider } from "@/components/ui/controls";
import { ApiError } from "@/lib/api/problem";
import { AuthProvider } from "@/lib/auth/auth-provider";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        // A 4xx will not change by asking again; a network blip or a 5xx may.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
    mutationCache: new MutationCache(),
  });
}

export function Providers({ client, children }: { client: QueryClient; children: React.ReactNode }) {
  return (
    <QueryClientProvider client={client}>
      <TooltipProvider delayDuration={300}>
        <AuthProvider>{children}</AuthProvider>
        <Toaster richColors closeButton position="top-right" />
      </TooltipProvider>
    </QueryClientProvider>
  );
}
