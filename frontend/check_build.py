"""Check that the committed parcours/static/vendor/ files are the build of the committed frontend/ sources.

Cheap and without Node: compares the SHA-256 of the sources (build.mjs, scss/) and of the built files, the
locked versions of the packages the build uses and the browser list with what frontend/build-manifest.json
recorded when `npm run build` wrote them. Exits 1 with the remedy when they
differ (someone edited the SCSS or the lockfile without rebuilding, or edited a built file by hand).
"""

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def current_inputs() -> list[str]:
    scss = sorted((ROOT / "frontend" / "scss").glob("*.scss"))
    return ["frontend/build.mjs"] + [str(path.relative_to(ROOT)) for path in scss]


def main() -> int:
    manifest = json.loads((ROOT / "frontend" / "build-manifest.json").read_text())
    problems = []
    if sorted(current_inputs()) != sorted(manifest["inputs"]):
        problems.append("the list of sources changed")
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())["packages"]
    for name, version in manifest["packages"].items():
        locked = lock.get(f"node_modules/{name}", {}).get("version")
        if locked != version:
            problems.append(f"{name} is locked at {locked}, the build used {version}")
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    if package.get("browserslist") != manifest["browserslist"]:
        problems.append("the browserslist of frontend/package.json changed")
    for group in ("inputs", "outputs"):
        for name, digest in manifest[group].items():
            path = ROOT / name
            if not path.exists():
                problems.append(f"{name} is missing")
            elif sha256(path) != digest:
                problems.append(f"{name} changed since the last build")
    if problems:
        print("The vendored CSS/JS is not the build of frontend/:", *problems, sep="\n  - ")
        print("Run `make frontend` and commit parcours/static/vendor/ and frontend/build-manifest.json.")
        return 1
    print("Vendored CSS/JS match frontend/ (build-manifest.json).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
