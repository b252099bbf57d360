// The maps of the tracker, on the vendored Leaflet (static/vendor/leaflet/):
// - [data-map]: projects as pins coloured by their warning light, clustered when zoomed out; the
//   FeatureCollection is in the <script type="application/json"> the attribute names.
// - [data-picker]: the project form's point picker; a click fills the latitude and longitude inputs.
// Each map reads [map] of config.toml from its data-* attributes: tiles (none when empty), centre, zoom
// and the county outlines drawn underneath. Text from the data goes in with textContent, never as HTML.
(function () {
  "use strict";

  function baseMap(element) {
    // maxZoom on the map itself: without a tile layer nothing else sets it, and clustering needs it.
    var map = L.map(element, { maxZoom: 18, scrollWheelZoom: !element.hasAttribute("data-no-scroll-zoom") });
    map.attributionControl.setPrefix("Leaflet");
    map.setView(JSON.parse(element.dataset.center), Number(element.dataset.zoom));
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {
        subdomains: element.dataset.subdomains || "abc",
        attribution: element.dataset.attribution || "",
        maxZoom: 18,
      }).addTo(map);
    }
    if (element.dataset.outlines) {
      fetch(element.dataset.outlines)
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (outlines) {
          if (!outlines) return;
          var layer = L.geoJSON(outlines, {
            interactive: false,
            style: { className: "county-outline", weight: 1.5, fillOpacity: 0.08 },
          }).addTo(map);
          layer.bringToBack();
        });
    }
    return map;
  }

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text) element.textContent = text;
    return element;
  }

  function popup(properties, labels) {
    var box = node("div", "pin-popup");
    var title = node("strong");
    if (properties.url) {
      var link = node("a", "", properties.name);
      link.href = properties.url;
      title.appendChild(link);
    } else {
      title.textContent = properties.name;
    }
    box.appendChild(title);
    var facts = [properties.code, properties.county || "县区未填", labels.status[properties.status] || properties.status];
    box.appendChild(node("p", "muted", facts.join(" · ")));
    var light = node("p");
    light.appendChild(node("span", "light light-" + properties.light, labels.light[properties.light]));
    light.appendChild(document.createTextNode(" " + properties.light_reason));
    box.appendChild(light);
    return box;
  }

  var SEVERITY = ["red", "yellow", "green"];

  function clusterIcon(cluster) {
    // A cluster takes the colour of its worst light, so trouble shows at any zoom.
    var worst = 2;
    cluster.getAllChildMarkers().forEach(function (marker) {
      worst = Math.min(worst, SEVERITY.indexOf(marker.options.light));
    });
    var count = cluster.getChildCount();
    var size = count < 10 ? 34 : count < 100 ? 40 : 48;
    return L.divIcon({
      html: "<span>" + count + "</span>",
      className: "pin-cluster pin-cluster-" + SEVERITY[worst],
      iconSize: [size, size],
    });
  }

  function projectMap(element) {
    var collection = JSON.parse(document.getElementById(element.dataset.map).textContent);
    var labels = JSON.parse(document.getElementById("map-labels").textContent);
    var map = baseMap(element);
    var pins = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
    });
    collection.features.forEach(function (feature) {
      var coordinates = feature.geometry.coordinates;
      var properties = feature.properties;
      var marker = L.marker([coordinates[1], coordinates[0]], {
        light: properties.light,
        title: properties.name,
        icon: L.divIcon({ className: "pin pin-" + properties.light, iconSize: [18, 18] }),
      });
      marker.bindPopup(function () { return popup(properties, labels); });
      pins.addLayer(marker);
    });
    // Fitted before the pins go on: clustering once at the final zoom, not again in an animation.
    if (collection.features.length) {
      map.fitBounds(pins.getBounds(), { padding: [24, 24], maxZoom: 13, animate: false });
    }
    map.addLayer(pins);
  }

  function picker(element) {
    var latitude = document.getElementById(element.dataset.latitude);
    var longitude = document.getElementById(element.dataset.longitude);
    element.parentNode.hidden = false;  // hidden until now: without the script the inputs are all there is
    var map = baseMap(element);
    var marker = null;
    function place(lat, lng) {
      if (marker) marker.setLatLng([lat, lng]);
      else marker = L.marker([lat, lng], { icon: L.divIcon({ className: "pin pin-picked", iconSize: [18, 18] }) }).addTo(map);
    }
    var lat = parseFloat(latitude.value);
    var lng = parseFloat(longitude.value);
    if (isFinite(lat) && isFinite(lng)) {
      place(lat, lng);
      map.setView([lat, lng], Math.max(map.getZoom(), 12));
    }
    map.on("click", function (event) {
      var point = event.latlng.wrap();
      latitude.value = point.lat.toFixed(6);
      longitude.value = point.lng.toFixed(6);
      place(point.lat, point.lng);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(projectMap);
    document.querySelectorAll("[data-picker]").forEach(picker);
  });
})();
