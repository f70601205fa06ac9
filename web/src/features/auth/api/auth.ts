import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { adopt, refreshCookieHeader } from "@/lib/auth/session";

const cookie = { headers: refreshCookieHeader, credentials: "same-origin" as const };

export function useLogin() {
  return useMutation({
    mutationFn: (body: Schema<"Login">) => unwrap(api.POST("/v1/auth/login", { body, ...cookie })),
    onSuccess: adopt,
  });
}

export function useSignUp() {
  return useMutation({
    mutationFn: (body: Schema<"SignUp">) => unwrap(api.POST("/v1/auth/signup", { body, ...cookie })),
    onSuccess: adopt,
  });
}

export function useAcceptInvite() {
  return useMutation({
    mutationFn: (body: Schema<"AcceptInvite">) => unwrap(api.POST("/v1/auth/accept-invite", { body, ...cookie })),
    onSuccess: adopt,
  });
}
