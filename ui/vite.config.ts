import { defineConfig } from "vite";

// The sounds in ../assets are served and bundled as static files.
export default defineConfig({
  publicDir: "../assets",
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
});
