// Parcours host for ODK Web Forms: mounts <OdkWebForm> on #pc-webform (see templates/questionnaires/fill/),
// gives it the XForm and the form's media from our server, and posts the finished instance to our submission
// endpoint, which hands it to submission_receive() like every other channel.
//
// Web Forms 0.22 API used (read in node_modules/@getodk/web-forms/dist, not guessed):
//   props  formXml (string), fetchFormAttachment ((url: URL) => Promise<Response>), missingResourceBehavior,
//          preloadProperties ({ username, email, … }), editInstance ({ resolveInstance, attachmentFileNames,
//          resolveAttachment }); the plugin webFormsPlugin installs PrimeVue with ODK's theme.
//   event  submit(payload, callback): payload.status "ready" | "pending", payload.data[0] is a FormData holding
//          "xml_submission_file" and the attachments; callback({ next: POST_SUBMIT__NEW_INSTANCE }) resets the
//          form, callback() keeps it as it is (so nothing is lost when the server refuses it).
import { OdkWebForm, POST_SUBMIT__NEW_INSTANCE, webFormsPlugin } from "@getodk/web-forms";
import { createApp, h } from "vue";

import { translateChrome, watchDirection } from "./chrome.js";
import "./host.css";

function readText() {
  const element = document.getElementById("pc-webform-text");
  return element ? JSON.parse(element.textContent) : {};
}

function csrfToken() {
  const input = document.querySelector("#pc-webform-csrf input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// The plugin puts a CSS reset for a whole page (body, every button and input) first in <head>; on a Parcours
// page it would restyle the menu and the language switcher. host.css has the same reset scoped to the form.
function dropGlobalReset(before) {
  const first = document.head.firstElementChild;
  if (first !== before && first?.tagName === "STYLE" && first.textContent.includes("-webkit-tap-highlight-color")) {
    first.remove();
  }
}

// PrimeVue's date picker: month and day names in the page's language, from the browser's own Intl data.
function localiseDatePicker(app, language) {
  const config = app.config.globalProperties.$primevue?.config;
  if (!config?.locale) return;
  const names = (options, count, make) =>
    Array.from({ length: count }, (_, i) => new Intl.DateTimeFormat(language, options).format(make(i)));
  const month = (i) => new Date(Date.UTC(2026, i, 15));
  const day = (i) => new Date(Date.UTC(2026, 1, 1 + i)); // 1 February 2026 is a Sunday
  Object.assign(config.locale, {
    monthNames: names({ month: "long", timeZone: "UTC" }, 12, month),
    monthNamesShort: names({ month: "short", timeZone: "UTC" }, 12, month),
    dayNames: names({ weekday: "long", timeZone: "UTC" }, 7, day),
    dayNamesShort: names({ weekday: "short", timeZone: "UTC" }, 7, day),
    dayNamesMin: names({ weekday: "narrow", timeZone: "UTC" }, 7, day),
    firstDayOfWeek: 1,
    dateFormat: "dd/mm/yy",
  });
}

function showStatus(box, kind, parts) {
  box.replaceChildren();
  if (!parts) {
    box.hidden = true;
    return;
  }
  const alert = document.createElement("div");
  alert.className = `alert alert-${kind} mb-3`;
  for (const part of parts) {
    if (!part) continue;
    if (part.href) {
      const link = document.createElement("a");
      link.href = part.href;
      link.textContent = part.text;
      link.className = "alert-link ms-2 me-2";
      alert.append(link);
    } else {
      const paragraph = document.createElement("p");
      paragraph.className = "mb-1";
      paragraph.textContent = part;
      alert.append(paragraph);
    }
  }
  box.append(alert);
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

function problemsOf(body) {
  return (body?.problems || []).map((p) => (p.where ? `${p.where}: ${p.message}` : p.message));
}

async function send({ url, payload, text }) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      body: payload.data[0],
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
  } catch {
    return { ok: false, parts: [text.network] };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A proxy's error page or Django's CSRF page: no JSON, say what happened with the status.
  }
  if (!response.ok || !body) {
    const message = body?.message || (text.failed || "").replace("{status}", String(response.status));
    return { ok: false, parts: [message, ...problemsOf(body)] };
  }
  const parts = [body.message];
  if (body.note) parts.push(body.note);
  if (body.submission_url) parts.push({ href: body.submission_url, text: text.open_submission });
  if (body.household_url) parts.push({ href: body.household_url, text: text.open_household });
  return { ok: true, quarantined: body.state === "quarantined", parts };
}

async function fetchText(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

export async function mount(root) {
  const text = readText();
  const status = document.getElementById("pc-webform-status");
  const { formUrl, mediaUrl, submitUrl, editUrl, uiLanguage } = root.dataset;
  let formXml;
  let instanceXml = null;
  try {
    formXml = await fetchText(formUrl);
    if (editUrl) instanceXml = await fetchText(editUrl);
  } catch {
    showStatus(status, "danger", [text.load_failed]);
    return null;
  }
  const props = {
    formXml,
    // The XForm names its files jr://file/<name> (jr://images/<name>…): ours are all under one address.
    fetchFormAttachment: (url) => {
      const name = decodeURIComponent(String(url.pathname || url).split("/").pop());
      return fetch(mediaUrl.replace("__NAME__", encodeURIComponent(name)), { credentials: "same-origin" });
    },
    missingResourceBehavior: "ERROR",
    preloadProperties: JSON.parse(root.dataset.preload || "{}"),
    onSubmit: async (payload, callback) => {
      if (payload.status !== "ready") {
        callback();
        return;
      }
      showStatus(status, "info", [text.sending]);
      const result = await send({ url: submitUrl, payload, text });
      if (result.ok) {
        showStatus(status, result.quarantined ? "warning" : "success", result.parts);
        // An edit is done once sent; a new form starts blank for the next household.
        callback(editUrl ? undefined : { next: POST_SUBMIT__NEW_INSTANCE });
        if (editUrl) root.hidden = true;
      } else {
        showStatus(status, "danger", result.parts);
        callback();
      }
    },
  };
  if (instanceXml !== null) {
    props.editInstance = {
      resolveInstance: () => instanceXml,
      attachmentFileNames: JSON.parse(root.dataset.attachments || "[]"),
      resolveAttachment: (name) => fetch(root.dataset.attachmentUrl.replace("__NAME__", encodeURIComponent(name)),
        { credentials: "same-origin" }),
    };
  }
  // Read by the map of geo questions (see patches.mjs): no base map unless the server names a tile address.
  globalThis.parcoursMapTiles = root.dataset.mapTiles || "";
  const before = document.head.firstElementChild;
  const app = createApp({ render: () => h(OdkWebForm, props) });
  app.use(webFormsPlugin);
  dropGlobalReset(before);
  localiseDatePicker(app, uiLanguage || document.documentElement.lang || "fr");
  translateChrome(document.body, root, text.chrome || {}, text.patterns || {});
  watchDirection(root);
  app.mount(root);
  return app;
}

const root = document.getElementById("pc-webform");
if (root) mount(root);
