// Map functions for dash-leaflet. Outlines are sent once (geobuf by URL); everything that
// changes — values, status, names, class breaks, labels in the page's language — comes in
// `hideout`, so a refresh never resends a polygon.
window.twin = Object.assign(window.twin || {}, {
  unitColour: function (code, h) {
    var v = (h.values || {})[code];
    if (h.kind === "status") { return (h.colours || {})[v] || h.noData; }
    if (v === null || v === undefined) { return h.noData; }
    var breaks = h.breaks || [];
    for (var i = 0; i < breaks.length; i++) { if (v <= breaks[i]) { return h.ramp[i]; } }
    return h.ramp[h.ramp.length - 1];
  },
  unitStyle: function (feature, context) {
    var h = (context && context.hideout) || {};
    return {
      color: "#ffffff",
      weight: 0.8,
      fillColor: window.twin.unitColour(feature.properties.code, h),
      fillOpacity: 0.68,
    };
  },
  hoverStyle: function () {
    return { weight: 2.5, color: "#102a43" };
  },
  selectedStyle: function () {
    return { color: "#102a43", weight: 3.5, fill: false, dashArray: null };
  },
  cityStyle: function () {
    return { color: "#52606d", weight: 2.2, fill: true, fillColor: "#f5f7fa", fillOpacity: 1 };
  },
  formatValue: function (v, h) {
    if (v === null || v === undefined) { return (h.labels || {}).noData || "–"; }
    if (h.kind === "status") { return ((h.labels || {}).status || {})[v] || v; }
    if ((h.labels || {}).percent) { return (v * 100).toFixed(1) + "%"; }
    return Number(v).toLocaleString();
  },
  unitTooltip: function (feature, layer, context) {
    layer.bindTooltip(function () {
      var h = (context && context.hideout) || {};
      var code = feature.properties.code;
      var name = (h.names || {})[code] || code;
      var labels = h.labels || {};
      var status = ((labels.status || {})[(h.status || {})[code]]) || "";
      var line = labels.metric + ": " + window.twin.formatValue((h.values || {})[code], h);
      var div = document.createElement("div");
      div.className = "tip";
      [name + " · " + code, line, h.kind === "status" ? "" : status].forEach(function (t) {
        if (t) { var p = document.createElement("div"); p.textContent = t; div.appendChild(p); }
      });
      return div;
    }, { sticky: true, direction: "top", className: "unit-tip" });
  },
  pointToLayer: function (feature, latlng, context) {
    var h = (context && context.hideout) || {};
    var colour = (h.colours || {})[feature.properties.v] || "#52606d";
    return L.circleMarker(latlng, {
      radius: 6, color: "#ffffff", weight: 1.2, fillColor: colour, fillOpacity: 0.95,
    });
  },
  pointTooltip: function (feature, layer, context) {
    var h = (context && context.hideout) || {};
    if (feature.properties.cluster) { return; }
    var label = (h.labels || {})[feature.properties.v] || feature.properties.v;
    // A node, not a string: Leaflet puts a string in as HTML, and codes come from files.
    var tip = document.createElement("div");
    tip.textContent = feature.properties.code + " · " + label;
    layer.bindTooltip(tip);
  },
});

// Clientside callbacks: a click or a search result goes straight to the unit's page, in the
// page's language; the code is percent-encoded as the server's links are (/, &, #, 中文).
window.dash_clientside = Object.assign(window.dash_clientside || {}, {
  twin: {
    goToUnit: function (feature, searched, state) {
      var nothing = window.dash_clientside.no_update;
      if (state && state.mode === "screen") { return [nothing, nothing]; }  // the wall is not clicked
      var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
      var code = trigger.indexOf("search.") === 0 ? searched
        : ((feature || {}).properties || {}).code;
      if (!code) { return [nothing, nothing]; }
      var lang = (state && state.lang) || "";
      var query = lang ? "?lang=" + encodeURIComponent(lang) : "";
      var chosen = new URLSearchParams(window.location.search).get("window");  // keep the window
      if (chosen) { query += (query ? "&" : "?") + "window=" + encodeURIComponent(chosen); }
      return ["/grid/" + encodeURIComponent(code), query];
    },
  },
});
