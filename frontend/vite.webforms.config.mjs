// Builds the browser form bundle: ODK Web Forms (Vue 3 + PrimeVue) and the Parcours host script, into
// parcours/questionnaires/static/questionnaires/webforms/. The output is committed, so the application runs
// without Node; `npm run check:webforms` rebuilds into a temporary folder and compares (make test does it).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { defineConfig } from "vite";

import { webFormsPatches } from "./src/webforms/patches.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = join(here, "..", "parcours", "questionnaires", "static", "questionnaires", "webforms");

export default defineConfig(() => ({
  root: join(here, "src", "webforms"),
  // Chunks are imported relative to the entry's URL, whatever STATIC_URL is.
  base: "./",
  publicDir: false,
  logLevel: "warn",
  plugins: [webFormsPatches()],
  define: {
    // PrimeVue components use the Options API; no devtools or hydration in production.
    __VUE_OPTIONS_API__: "true",
    __VUE_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
  build: {
    // check.mjs builds into a temporary folder to compare with the committed files.
    outDir: process.env.WEBFORMS_OUT_DIR || OUT_DIR,
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // The engine (with its XPath parser as WebAssembly) is one large module; the map is a separate chunk.
    chunkSizeWarningLimit: 4096,
    license: { fileName: "LICENSES.md" },
    rolldownOptions: {
      // Emscripten's loader of the XPath parser (tree-sitter) uses eval; timings are noise here.
      checks: { eval: false, pluginTimings: false },
      input: join(here, "src", "webforms", "main.js"),
      output: {
        entryFileNames: "parcours-webforms.js",
        // The map (OpenLayers) loads only for questions that show one.
        chunkFileNames: (chunk) => (chunk.name.startsWith("MapBlock") ? "map-[hash].js" : "engine-[hash].js"),
        assetFileNames: "parcours-webforms[extname]",
      },
    },
  },
}));
