/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

// The runtime `make web-dev` proxies to (`masteria dev`); the browser sees one origin either way.
const runtime = process.env.MASTERIA_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [
    react(),
    tailwindcss(),
    VitePWA({
      registerType: "autoUpdate",
      injectRegister: "script-defer",
      includeAssets: ["favicon.svg"],
      manifest: {
        name: "Master IA",
        short_name: "Master IA",
        description: "WhatsApp and SMS campaigns, shared inbox and CRM",
        theme_color: "#0f766e",
        background_color: "#ffffff",
        display: "standalone",
        start_url: "/",
        icons: [
          { src: "/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        // A new build takes over open tabs at once, and the first visit is served offline from then on.
        clientsClaim: true,
        skipWaiting: true,
        navigateFallback: "/index.html",
        // API, webhooks, docs and the socket are never answered from the cache.
        navigateFallbackDenylist: [/^\/v1\//, /^\/webhooks\//, /^\/ws/, /^\/docs/, /^\/openapi\.json/, /^\/sandbox\//, /^\/health/],
        globPatterns: ["**/*.{js,css,html,svg,png,woff2}"],
      },
    }),
  ],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: {
    port: 5173,
    // The Host header is kept (no changeOrigin): the API's Origin check on the refresh cookie compares the
    // page's origin with the request's host, and both are the dev server's.
    proxy: {
      "/v1": { target: runtime, changeOrigin: false },
      "/sandbox": { target: runtime, changeOrigin: false },
      "/docs": { target: runtime, changeOrigin: false },
      "/openapi.json": { target: runtime, changeOrigin: false },
      "/ws": { target: runtime.replace(/^http/, "ws"), ws: true, changeOrigin: false },
    },
  },
  build: { sourcemap: false, chunkSizeWarningLimit: 600 },
  test: {
    // Pure logic runs in Node; a component test (*.test.tsx) gets a DOM from its `@vitest-environment jsdom` line.
    environment: "node",
    globals: false,
    setupFiles: ["./src/testing/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
