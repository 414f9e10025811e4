// A small map of a service: its places (markers) and the zones it covers (outlines). Map tiles only when the
// site configures a tile server (PARCOURS_MAP_TILES_URL): without one, the outlines give the places context.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("service-map");
    var source = document.getElementById("service-map-data");
    if (!holder || !source || typeof L === "undefined") return;
    var data = JSON.parse(source.textContent);
    var map = L.map(holder, { scrollWheelZoom: false, attributionControl: !!data.tiles });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
    }
    var layers = [];
    data.areas.forEach(function (area) {
      layers.push(L.geoJSON(area.geometry, { style: { color: "#0f5f6f", weight: 1, fillOpacity: 0.08 } })
        .bindTooltip(area.name).addTo(map));
    });
    data.places.forEach(function (place) {
      layers.push(L.circleMarker([place.lat, place.lon], { radius: 7, color: "#b33c00", fillOpacity: 0.9 })
        .bindTooltip(place.name).addTo(map));
    });
    if (!layers.length) return;
    var bounds = L.featureGroup(layers).getBounds();
    if (data.places.length === 1 && !data.areas.length) {
      map.setView([data.places[0].lat, data.places[0].lon], 14);
    } else {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15 });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
