// Checks that the committed form bundle (parcours/questionnaires/static/questionnaires/webforms/) is the build of
// frontend/: builds it again into a temporary folder and compares the files byte for byte. `make test` runs it
// when npm is installed; exits 1 with the remedy otherwise.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const frontend = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const committed = join(frontend, "..", "parcours", "questionnaires", "static", "questionnaires", "webforms");
const fresh = mkdtempSync(join(tmpdir(), "parcours-webforms-"));

try {
  execFileSync(process.execPath, [join(frontend, "node_modules", "vite", "bin", "vite.js"), "build", "--config",
    join(frontend, "vite.webforms.config.mjs")], {
    cwd: frontend, env: { ...process.env, WEBFORMS_OUT_DIR: fresh }, stdio: ["ignore", "ignore", "inherit"],
  });
  const names = (dir) => readdirSync(dir).sort();
  const problems = [];
  const expected = names(fresh);
  const present = names(committed);
  for (const name of expected) {
    if (!present.includes(name)) problems.push(`${name} is missing`);
    else if (!readFileSync(join(fresh, name)).equals(readFileSync(join(committed, name)))) {
      problems.push(`${name} differs from a fresh build`);
    }
  }
  for (const name of present) if (!expected.includes(name)) problems.push(`${name} is not built any more`);
  if (problems.length) {
    console.error("The committed form bundle is not the build of frontend/:", ...problems.map((p) => `\n  - ${p}`));
    console.error("Run `make frontend` and commit parcours/questionnaires/static/questionnaires/webforms/.");
    process.exitCode = 1;
  } else {
    const size = expected.reduce((sum, name) => sum + readFileSync(join(fresh, name)).length, 0);
    console.log(`Form bundle matches frontend/ (${expected.length} files, ${(size / 1024).toFixed(0)} KiB).`);
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
