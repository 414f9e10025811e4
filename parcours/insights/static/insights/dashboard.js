/* Diagnostics dashboards: draws the Leaflet choropleth and the Vega-Lite charts whose data and specifications the
 * server wrote into the page as JSON (<script type="application/json">). No figure is computed here.
 * Runs on page load and again on every part of the page htmx swaps in. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawMap(container) {
    if (container.dataset.pcDrawn) return;
    container.dataset.pcDrawn = "1";
    var data = readJson(container.dataset.pcMap);
    if (!data || typeof L === "undefined") return;
    var rtl = document.documentElement.dir === "rtl";
    // Leaflet lays its panes out left to right; its controls are placed on the reading side instead.
    var map = L.map(container, { zoomControl: false, attributionControl: Boolean(data.tiles), scrollWheelZoom: false });
    L.control.zoom({ position: rtl ? "topright" : "topleft" }).addTo(map);
    if (data.tiles) {
      L.tileLayer(data.tiles, { attribution: data.attribution || "", maxZoom: 18 }).addTo(map);
    }
    var layer = L.geoJSON(data.features, {
      style: function (feature) {
        var p = feature.properties;
        return {
          color: "#37474f", weight: 1, fillOpacity: data.tiles ? 0.75 : 0.9, fillColor: p.fill,
          className: p.suppressed ? "pc-map-zone pc-suppressed" : "pc-map-zone",
        };
      },
      onEachFeature: function (feature, zone) {
        var p = feature.properties;
        var tip = document.createElement("div");
        tip.dir = rtl ? "rtl" : "ltr";
        tip.textContent = p.tooltip;
        zone.bindTooltip(tip, { sticky: true });
        zone.on("mouseover", function () { zone.setStyle({ weight: 3 }); });
        zone.on("mouseout", function () { zone.setStyle({ weight: 1 }); });
        if (p.url) zone.on("click", function () { window.location.href = p.url; });
      },
    }).addTo(map);
    // Keep the zones clear of the legend, which sits in the bottom corner on the reading side's end.
    var reserve = Math.min(210, Math.round(container.clientWidth * 0.35));
    var fit = rtl ? { paddingTopLeft: [reserve, 10], paddingBottomRight: [10, 10] }
      : { paddingTopLeft: [10, 10], paddingBottomRight: [reserve, 10] };
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), fit);
    else map.setView([0, 0], 1);

    var legend = L.control({ position: rtl ? "bottomleft" : "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "pc-map-legend");
      box.dir = rtl ? "rtl" : "ltr";
      var title = document.createElement("strong");
      title.textContent = data.legendTitle;
      box.appendChild(title);
      data.legend.forEach(function (line) {
        var row = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.className = "pc-swatch pc-swatch-" + line.kind;
        swatch.style.backgroundColor = line.colour;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(line.label));
        box.appendChild(row);
      });
      return box;
    };
    legend.addTo(map);
    container.setAttribute("data-pc-zones", String(layer.getLayers().length));
  }

  function drawChart(holder) {
    if (holder.dataset.pcDrawn) return;
    holder.dataset.pcDrawn = "1";
    var spec = readJson(holder.dataset.pcChart);
    if (!spec || typeof vegaEmbed === "undefined") return;
    var locale = readJson("pc-format-locale");
    var options = { actions: false, renderer: "svg" };
    if (locale) options.formatLocale = locale;
    vegaEmbed(holder, spec, options).then(function () {
      holder.setAttribute("data-pc-rendered", "1");
    }).catch(function (error) {
      holder.textContent = holder.dataset.pcError || String(error);
    });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-pc-map]").forEach(drawMap);
    (root || document).querySelectorAll("[data-pc-chart]").forEach(drawChart);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
