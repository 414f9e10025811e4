// What Web Forms 0.22 does not do itself: its own words ("Send", "Remove", validation messages) are in English
// only, and it lays every language out left to right (getodk/web-forms#480). The host translates those words
// with the table the page gives (Django's translations) and turns the form right to left for Arabic.

const RTL_LANGUAGES = new Set(["ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"]);
const RTL_SCRIPT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;

// A form language is named like "العربية (ar)" or "French (fr)"; the code decides, else the script of the name.
export function languageCode(name) {
  const match = /\(([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\)\s*$/u.exec(name || "");
  return match ? match[1].toLowerCase() : "";
}

export function directionOf(name, fallback = "ltr") {
  if (!name) return fallback;
  const code = languageCode(name);
  if (code) return RTL_LANGUAGES.has(code) ? "rtl" : "ltr";
  const letter = /\p{L}/u.exec(name);
  return letter && RTL_SCRIPT.test(letter[0]) ? "rtl" : "ltr";
}

// The form's own language menu shows the active language: the form's direction follows it.
export function watchDirection(root) {
  const update = () => {
    const menu = root.querySelector(".language-changer");
    const name = menu ? menu.textContent.trim() : "";
    if (!name) return;
    const dir = directionOf(name, root.dir);
    if (root.dir !== dir) root.dir = dir;
    const code = languageCode(name);
    if (code && root.lang !== code) root.lang = code;
  };
  new MutationObserver(update).observe(root, { childList: true, subtree: true, characterData: true });
  update();
}

// Text nodes of Web Forms and PrimeVue whose whole text is one of the engine's English phrases get the page's
// translation. Only those, inside the form or PrimeVue's overlays (dialogs and lists are appended to <body>).
export function translateChrome(scope, root, table, patterns) {
  const rules = Object.entries(patterns).map(([source, target]) => [new RegExp(`^${source}$`, "u"), target]);
  const translate = (node) => {
    const value = node.nodeValue;
    const key = value.trim();
    if (!key || key.length > 200) return;
    let out = Object.hasOwn(table, key) ? table[key] : undefined;
    if (out === undefined) {
      for (const [pattern, target] of rules) {
        const match = pattern.exec(key);
        if (match) {
          out = target.replace("{count}", match[1] ?? "");
          break;
        }
      }
    }
    if (out !== undefined && out !== key) node.nodeValue = value.replace(key, out);
  };
  const inForm = (node) => {
    const element = node.parentElement;
    return !!element && (root.contains(element) || !!element.closest(".p-component, [data-pc-name]"));
  };
  const visit = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      if (inForm(node)) translate(node);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (inForm(text)) translate(text);
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "characterData") visit(record.target);
      else record.addedNodes.forEach(visit);
    }
  }).observe(scope, { childList: true, subtree: true, characterData: true });
  visit(scope);
}
