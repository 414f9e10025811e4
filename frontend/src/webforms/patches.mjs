// Build-time changes to the published @getodk/web-forms 0.22.0 bundle (node_modules/@getodk/web-forms/dist).
// Each one names its reason; each must match exactly once, so that a new release fails the build here instead
// of changing behaviour silently. Remove a patch when the release that fixes it is installed.

// The Roboto subsets kept: Latin and Latin Extended (French, Portuguese, English, names in Latin script). The
// others (Cyrillic, Greek, Vietnamese, symbols) are 600 kB of base64 fonts in every page load; Arabic is drawn
// with the system's fonts anyway (Roboto has no Arabic).
const KEPT_FONT_RANGES = ["U+0000-00FF,", "U+0100-02BA,"];

export const PATCHES = [
  {
    why: "The map of geo questions draws OpenStreetMap's tiles from tile.openstreetmap.org: Parcours loads nothing "
      + "from another site. The base map comes from the tile address the page gives (PARCOURS_MAP_TILES_URL), "
      + "else there is none: the points and shapes are drawn on a blank background.",
    find: "layers: [new wy({ source: new Xy() })],",
    replace: "layers: globalThis.parcoursMapTiles ? [new wy({ source: new Xy({ url: globalThis.parcoursMapTiles }) })]"
      + " : [],",
  },
  {
    why: "decimal-date-time(.) and decimal-date-time(${dob}) throw on a node argument in 0.22.0, so a form using them "
      + "(the default questionnaire's ages) does not open: getodk/web-forms#740, fixed upstream by #741 (0.23).",
    find: `    case "STRING": {
      const nA = tA.toString();
      return dateTimeFromString(AA, nA);
    }
    default:
      throw new Error(
        "Expected a NUMBER or STRING evaluation type for date-time conversion, but received an invalid type."
      );`,
    replace: `    case "BOOLEAN":
      throw new Error(
        "Expected a NUMBER or STRING evaluation type for date-time conversion, but received an invalid type."
      );
    default:
      return dateTimeFromString(AA, tA.toString());`,
  },
];

function trimRoboto(code, fail) {
  let kept = 0;
  const trimmed = code.replace(/@font-face\{font-family:Roboto;[^}]*\}/g, (face) => {
    const keep = KEPT_FONT_RANGES.some((range) => face.includes(`unicode-range:${range}`));
    kept += keep ? 1 : 0;
    return keep ? face : "";
  });
  if (kept === 0) fail("no Latin Roboto @font-face found in Web Forms: check trimRoboto() in patches.mjs");
  return trimmed;
}

export function webFormsPatches() {
  const applied = new Set();
  return {
    name: "parcours-web-forms-patches",
    transform(code, id) {
      if (!id.includes("/@getodk/web-forms/dist/")) return null;
      let out = code;
      if (out.includes("@font-face{font-family:Roboto;")) out = trimRoboto(out, (m) => this.error(m));
      PATCHES.forEach((patch, index) => {
        const count = out.split(patch.find).length - 1;
        if (count === 0) return;
        if (count > 1) this.error(`patch ${index} matches ${count} times in ${id}`);
        out = out.replace(patch.find, () => patch.replace);
        applied.add(index);
      });
      return out === code ? null : { code: out, map: null };
    },
    buildEnd() {
      PATCHES.forEach((patch, index) => {
        if (!applied.has(index)) this.error(`patch ${index} did not apply (${patch.why.slice(0, 60)}…)`);
      });
    },
  };
}
