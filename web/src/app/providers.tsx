import { MutationCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import * as React from "react";
import { ApiError } from "@/lib/api/problem";
import { AuthProvider } from "@/lib/auth/auth-provider";

// Toasts come after the first screen: the toaster is not part of the first download.
const Toaster = React.lazy(() => import("sonner").then((m) => ({ default: m.Toaster })));

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
      <AuthProvider>{children}</AuthProvider>
      <React.Suspense fallback={null}>
        <Toaster richColors closeButton position="top-right" />
      </React.Suspense>
    </QueryClientProvider>
  );
}
