import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// why: in development the dashboard runs on Vite's server and the API on Keyward's; proxying /api keeps the session
// cookie same-origin exactly as in production, where Keyward serves the built dashboard itself.
const apiTarget = process.env.KEYWARD_API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": { target: apiTarget, changeOrigin: false } } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
