// Builds parcours/static/vendor/: the trimmed Bootstrap (LTR and, through rtlcss, RTL) and htmx; copies Leaflet
// (vendor/leaflet/) and Vega, Vega-Lite and vega-embed (vendor/vega/), which only the diagnostics dashboards load.
//
// Steps, as Bootstrap's own build does them: Sass (expanded, so rtlcss sees Bootstrap's /* rtl:… */
// directives) → Autoprefixer → rtlcss for the RTL file → clean-css. The built files are committed, so the
// application runs without Node; build-manifest.json records what they were built from (make test checks it
// with check_build.py).
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import autoprefixer from "autoprefixer";
import CleanCSS from "clean-css";
import postcss from "postcss";
import rtlcss from "rtlcss";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const vendor = join(root, "parcours", "static", "vendor");
const bootstrapVersion = JSON.parse(readFileSync(join(here, "node_modules/bootstrap/package.json"))).version;

const banner =
  `/*! Bootstrap v${bootstrapVersion} (https://getbootstrap.com/), trimmed for Parcours` +
  " | MIT licence, Copyright 2011-2026 The Bootstrap Authors, see LICENSES.md */\n";

function compileScss() {
  const result = sass.compile(join(here, "scss/parcours.scss"), {
    style: "expanded",
    loadPaths: [join(here, "node_modules")],
    // Bootstrap 5.3 still uses @import and global functions; its warnings are not ours to fix.
    quietDeps: true,
    silenceDeprecations: ["import", "global-builtin", "color-functions", "if-function"],
  });
  return result.css;
}

async function prefix(css, { rtl }) {
  const plugins = [autoprefixer({ cascade: false })];
  if (rtl) plugins.push(rtlcss());
  return (await postcss(plugins).process(css, { from: undefined })).css;
}

function minify(css) {
  const output = new CleanCSS({ level: 1, format: { breakWith: "lf" } }).minify(css);
  if (output.errors.length) throw new Error(output.errors.join("\n"));
  // Bootstrap's own /*! */ banners are dropped: ours names the trimmed build and its licence. It goes after
  // @charset, which a browser honours only as the very first bytes of the file.
  const styles = output.styles.replace(/\/\*![\s\S]*?\*\/\n?/g, "").trim();
  const charset = styles.match(/^@charset "[^"]*";/);
  return charset ? `${charset[0]}\n${banner}${styles.slice(charset[0].length)}\n` : `${banner}${styles}\n`;
}

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function inputs() {
  const scss = readdirSync(join(here, "scss"))
    .filter((name) => name.endsWith(".scss"))
    .sort()
    .map((name) => join(here, "scss", name));
  return [join(here, "build.mjs"), ...scss];
}

// The packages whose versions decide these files (the lockfile may also hold other builds' packages, which
// must not make this build look stale), and the browsers Autoprefixer targets.
const PACKAGES = ["autoprefixer", "bootstrap", "browserslist", "caniuse-lite", "clean-css", "htmx.org", "postcss",
  "rtlcss", "sass", "leaflet", "vega", "vega-lite", "vega-embed"];

function packageVersions() {
  const lock = JSON.parse(readFileSync(join(here, "package-lock.json")));
  return Object.fromEntries(PACKAGES.map((name) => [name, lock.packages[`node_modules/${name}`].version]));
}

const css = compileScss();
const outputs = {
  "bootstrap.min.css": minify(await prefix(css, { rtl: false })),
  "bootstrap.rtl.min.css": minify(await prefix(css, { rtl: true })),
};
for (const [name, text] of Object.entries(outputs)) {
  writeFileSync(join(vendor, name), text);
}
copyFileSync(join(here, "node_modules/htmx.org/dist/htmx.min.js"), join(vendor, "htmx.min.js"));

// Leaflet and Vega are copied unchanged (their own minified UMD builds, which set the globals L, vega, vegaLite and
// vegaEmbed): the dashboards' own script (parcours/insights/static/insights/dashboard.js) needs no bundler.
const COPIED = {
  "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
  "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
  "leaflet/images/layers.png": "leaflet/dist/images/layers.png",
  "leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
  "leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
  "leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
  "leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
  "vega/vega.min.js": "vega/build/vega.min.js",
  "vega/vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
  "vega/vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
};
for (const [target, source] of Object.entries(COPIED)) {
  mkdirSync(dirname(join(vendor, target)), { recursive: true });
  copyFileSync(join(here, "node_modules", source), join(vendor, target));
}

const browserslist = JSON.parse(readFileSync(join(here, "package.json"))).browserslist;
const manifest = { inputs: {}, packages: packageVersions(), browserslist, outputs: {} };
for (const path of inputs()) manifest.inputs[relative(root, path)] = sha256(path);
for (const name of [...Object.keys(outputs), "htmx.min.js", ...Object.keys(COPIED)]) {
  const path = join(vendor, name);
  manifest.outputs[relative(root, path)] = sha256(path);
  console.log(`${relative(root, path)}: ${(readFileSync(path).length / 1024).toFixed(1)} KiB`);
}
writeFileSync(join(here, "build-manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
