// Dashboard build: a static site in dashboard/dist, served by the Worker through wrangler's
// `[assets] directory = "dashboard/dist"` (SPA fallback), or deployed to Pages with VITE_API_ORIGIN set.
//   build: npx vite build dashboard      dev: npx vite dashboard   (proxies the API to wrangler dev on :8787)
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

const apiTarget = process.env.DASHBOARD_API_PROXY ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;

export default defineConfig({
  root: here,
  base: "/",
  envDir: here,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 250,
  },
  server: {
    proxy: {
      // the positions screen's WebSocket (listed before "/api": the first matching prefix wins)
      "/api/live": { target: apiTarget, ws: true },
      "/api": apiTarget,
      "/webhook": apiTarget,
      "/health": apiTarget,
      "/status": apiTarget,
    },
  },
});
