// The plan editor's map (/planner/<plan>): the plan's units over the map in force, problems
// where they are, the points that change unit. Names from data go in as text nodes.
window.twinPlan = Object.assign(window.twinPlan || {}, {
  unitStyle: function (feature) {
    var changed = feature.properties.changed;
    return { color: changed ? "#b35c00" : "#3e4c59", weight: changed ? 2 : 1,
      fillColor: changed ? "#ffd8a8" : "#d9e2ec", fillOpacity: 0.45 };
  },
  parentStyle: function () { return { color: "#102a43", weight: 3, fill: false }; },
  baseStyle: function () {
    return { color: "#7b8794", weight: 1, dashArray: "4 4", fill: false };
  },
  selStyle: function () {
    return { color: "#1d5fa8", weight: 4, fillColor: "#1d5fa8", fillOpacity: 0.2 };
  },
  pendingStyle: function () {
    return { color: "#6b21a8", weight: 3, dashArray: "6 4", fillOpacity: 0.1 };
  },
  problemStyle: function () {
    return { color: "#c81e1e", weight: 2, fillColor: "#f05252", fillOpacity: 0.6 };
  },
  problemPoint: function (feature, latlng) {
    return L.circleMarker(latlng, { radius: 7, color: "#c81e1e", weight: 2, fillOpacity: 0.6 });
  },
  movedPoint: function (feature, latlng) {
    var p = feature.properties;
    var fill = p.layer === "incident" ? "#d97706" : p.layer === "camera" ? "#1d5fa8" : "#047857";
    return L.circleMarker(latlng, { radius: 4, color: "#1f2933", weight: 1, fillColor: fill,
      fillOpacity: 0.9 });
  },
  textTip: function (layer, lines) {
    layer.bindTooltip(function () {
      var div = document.createElement("div");
      div.className = "tip";
      lines.forEach(function (t) {
        var p = document.createElement("div"); p.textContent = t; div.appendChild(p);
      });
      return div;
    }, { sticky: true });
  },
  unitTooltip: function (feature, layer, context) {
    // The map, known to the page's scripts (and to the browser tests, which turn a place
    // into the pixel a planner clicks).
    if (context && context.map) { window.twinPlan.map = context.map; }
    var p = feature.properties;
    window.twinPlan.textTip(layer, [p.code + " · " + (p.name || ""), p.officer || "–"]);
  },
  problemTooltip: function (feature, layer) {
    var p = feature.properties;
    window.twinPlan.textTip(layer, [p.kind + " · " + (p.codes || []).join(", "),
      Math.round(p.area_m2) + " m²"]);
  },
  movedTooltip: function (feature, layer) {
    var p = feature.properties;
    window.twinPlan.textTip(layer, [p.layer + " " + p.code, (p.from || "–") + " → " + (p.to || "–")]);
  },
});
