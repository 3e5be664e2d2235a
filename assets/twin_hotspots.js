// The hotspot page's map: units coloured by class, emerging category or coverage share, all
// sent in `hideout` (values by code); the outlines come once by URL, as on the cockpit.
window.twinHot = Object.assign(window.twinHot || {}, {
  colour: function (code, h) {
    var v = (h.values || {})[code];
    if (v === null || v === undefined || v === "") { return h.noData; }
    if (h.kind === "share") {
      var breaks = h.breaks || [];
      for (var i = 0; i < breaks.length; i++) { if (v <= breaks[i]) { return h.ramp[i]; } }
      return h.ramp[h.ramp.length - 1];
    }
    return (h.colours || {})[v] || h.noData;
  },
  unitStyle: function (feature, context) {
    var h = (context && context.hideout) || {};
    var code = feature.properties.code;
    var strong = (h.strong || []).indexOf((h.values || {})[code]) >= 0;
    return {
      color: strong ? "#102a43" : "#7b8794",
      weight: strong ? 2.2 : 0.6,  // the strongest classes outlined too, not by colour alone
      fillColor: window.twinHot.colour(code, h),
      fillOpacity: 0.78,
    };
  },
  unitTooltip: function (feature, layer, context) {
    layer.bindTooltip(function () {
      var h = (context && context.hideout) || {};
      var code = feature.properties.code;
      var v = (h.values || {})[code];
      var words = h.words || {};
      var what = h.kind === "share"
        ? words.share + ": " + (v === null || v === undefined ? "–" : (v * 100).toFixed(0) + "%")
        : ((h.labels || {})[v === null || v === undefined ? "" : v] || "–");
      var z = (h.z || {})[code];
      var lines = [((h.names || {})[code] || code) + " · " + code, what,
        words.count + " " + ((h.counts || {})[code] || 0) + (z === null || z === undefined ? "" : " · z " + z)];
      // Nodes, not a string: Leaflet puts a string in as HTML, and names come from files.
      var div = document.createElement("div");
      div.className = "tip";
      lines.forEach(function (t) { var p = document.createElement("div"); p.textContent = t; div.appendChild(p); });
      return div;
    }, { sticky: true, direction: "top", className: "unit-tip" });
  },
  caseMarker: function (feature, latlng) {
    return L.circleMarker(latlng, { radius: 5, color: "#102a43", weight: 1.2, fillColor: "#ffd23f", fillOpacity: 1 });
  },
  caseTooltip: function (feature, layer) {
    var tip = document.createElement("div");
    tip.textContent = feature.properties.code + " · " + feature.properties.what;
    layer.bindTooltip(tip);
  },
});
