import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// why: in development the kiosk runs on Vite's server and talks to a running agent; in production the agent serves
// the built kiosk itself, so /api is always same-origin.
const agentTarget = process.env.KEYWARD_AGENT_URL ?? "http://127.0.0.1:8081";

export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": { target: agentTarget, changeOrigin: false } } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
