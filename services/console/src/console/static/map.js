// Leaflet maps: district outlines (approximate) and open incidents; tiles only if configured.
(function () {
  "use strict";
  var COLOURS = { danger_now: "#b00020", high: "#c25400", standard: "#1f5fa8" };

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }

  function setUp(el) {
    var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles })
      .setView([51.14, 71.44], 11);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: "tiles" }).addTo(map);
    } else {
      el.classList.add("plain");
    }
    getJson(el.dataset.outlines).then(function (outlines) {
      var layer = L.geoJSON(outlines, {
        style: { color: "#333", weight: 2, fillColor: "#8aa", fillOpacity: 0.12 },
        onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "district-label" }); }
      }).addTo(map);
      map.fitBounds(layer.getBounds());
    });
    if (el.dataset.points) {
      var points = L.layerGroup().addTo(map);
      var load = function () {
        getJson(el.dataset.points).then(function (data) {
          points.clearLayers();
          data.points.forEach(function (p) {
            L.circleMarker([p.lat, p.lon], { radius: 8, color: "#000", weight: 1, fillColor: COLOURS[p.priority] || "#555", fillOpacity: 0.9 })
              .bindTooltip(p.code).on("click", function () { location.href = "/incidents/" + p.id; })
              .addTo(points);
          });
        });
      };
      load();
      setInterval(load, 5000);
    }
    if (el.dataset.pick) {
      var marker = null;
      map.on("click", function (e) {
        document.getElementById("lat").value = e.latlng.lat.toFixed(6);
        document.getElementById("lon").value = e.latlng.lng.toFixed(6);
        if (marker) { marker.setLatLng(e.latlng); } else { marker = L.circleMarker(e.latlng, { radius: 8 }).addTo(map); }
        htmx.ajax("POST", "/operator/district", { target: "#district-hint", values: { lat: e.latlng.lat, lon: e.latlng.lng } });
        document.getElementById("lat").dispatchEvent(new Event("change", { bubbles: true }));
      });
      var details = el.closest("details");
      if (details) { details.addEventListener("toggle", function () { map.invalidateSize(); }); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map").forEach(setUp);
  });
})();
