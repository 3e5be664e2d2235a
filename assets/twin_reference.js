// Reference layers (roads, water, buildings, landmarks) on every map, drawn from twin's own
// vector tiles (/tiles/reference/{z}/{x}/{y}.mvt) by protomaps-leaflet (assets/vendor), styled
// per class from the catalog, with an entry in the map's layer control. Each map's store
// (twin.app.reference_map) says the URL, styles, the toggle's label, on or off, dimmed or not.
(function () {
  var maps = {};    // map container id -> {map, layer, control, url, label, on}
  var wanted = {};  // map container id -> the latest settings its store sent
  var PANE = "twinReference";

  // Every Leaflet map registers itself once ready, so a store can find its map by id.
  if (window.L && window.L.Map && window.L.Map.addInitHook) {
    window.L.Map.addInitHook(function () {
      var map = this;
      map.whenReady(function () {
        var id = map.getContainer().id;
        if (!id) { return; }
        maps[id] = { map: map };
        apply(id);
      });
    });
  }

  function zoomWidth(width) {
    // Lines thinner when zoomed out, so a city's street grid does not turn into a blot.
    return function (z) { return width * Math.min(1.4, Math.max(0.35, Math.pow(2, (z - 15) / 2))); };
  }

  function isClass(value, type) {
    return function (z, f) { return f.props["class"] === value && f.geomType === type; };
  }

  function rules(layers) {
    // Polygons first, then lines (the catalog's first classes, the major roads, on top),
    // then points; labels for the classes marked label, where the name fits.
    var P = window.protomapsL;
    var fills = [], casings = [], lines = [], points = [], labels = [];
    var halo = { fill: "#1f2933", stroke: "#ffffff", width: 3, font: "500 12px sans-serif" };
    (layers || []).forEach(function (layer) {
      var classes = (layer.classes || []).slice().reverse();
      classes.forEach(function (c) {
        var base = { dataLayer: layer.name, minzoom: c.min_zoom || 0 };
        var width = c.width || 1.5;
        fills.push(Object.assign({}, base, { filter: isClass(c.value, 3),
          symbolizer: new P.PolygonSymbolizer({ fill: c.fill || c.color,
            opacity: c.fill ? 0.6 : 0.25, stroke: c.color, width: c.width || 0.8 }) }));
        lines.push(Object.assign({}, base, { filter: isClass(c.value, 2),
          symbolizer: new P.LineSymbolizer({ color: c.color, width: zoomWidth(width),
            lineCap: "round", lineJoin: "round" }) }));
        // A dark casing under each line, so white streets read on pale fills too.
        casings.push(Object.assign({}, base, { filter: isClass(c.value, 2),
          symbolizer: new P.LineSymbolizer({ color: "#3e4c59", opacity: 0.55,
            width: zoomWidth(width + 1.6), lineCap: "round", lineJoin: "round" }) }));
        points.push(Object.assign({}, base, { filter: isClass(c.value, 1),
          symbolizer: new P.CircleSymbolizer({ radius: 4, fill: c.color, stroke: "#ffffff",
            width: 1 }) }));
        if (c.label) {
          labels.push(Object.assign({}, base, { filter: isClass(c.value, 2),
            symbolizer: new P.LineLabelSymbolizer(Object.assign({ labelProps: ["name"] }, halo)) }));
          labels.push(Object.assign({}, base, {
            filter: function (z, f) { return f.props["class"] === c.value && f.geomType !== 2; },
            symbolizer: new P.CenteredTextSymbolizer(Object.assign({ labelProps: ["name"] }, halo)),
          }));
        }
      });
    });
    return { paint: fills.concat(casings, lines, points), labels: labels };
  }

  function labelNode(text) {
    // Leaflet's layer control puts a name in as HTML: escape it (it is the app's own word,
    // but nothing reaches innerHTML unescaped).
    var span = document.createElement("span");
    span.textContent = text;
    return '<span class="twin-ref-name">' + span.innerHTML + "</span>";
  }

  function apply(id) {
    var entry = maps[id], cfg = wanted[id];
    if (!entry || !cfg || !window.protomapsL) { return; }
    var map = entry.map;
    if (!map.getPane(PANE)) {
      // Over the units' fills, under their outlines, labels and points.
      var pane = map.createPane(PANE);
      pane.style.zIndex = 405;
      pane.style.pointerEvents = "none";
    }
    map.getPane(PANE).style.opacity = cfg.dim ? "0.45" : "";
    var wasOn = entry.layer ? map.hasLayer(entry.layer) : null;
    if (!entry.layer || entry.url !== cfg.url) {
      if (entry.layer) {
        map.removeLayer(entry.layer);
        if (entry.control) { entry.control.removeLayer(entry.layer); }
      }
      var r = rules(cfg.layers);
      entry.layer = window.protomapsL.leafletLayer({
        url: cfg.url, paintRules: r.paint, labelRules: r.labels, pane: PANE, attribution: "",
        levelDiff: 0, maxDataZoom: 16, maxZoom: cfg.maxZoom || 22,
      });
      entry.url = cfg.url;
      entry.label = null;
    }
    if (!entry.control) {
      entry.control = window.L.control.layers(null, null, { collapsed: false, position: "topright" });
      entry.control.addTo(map);
      window.L.DomUtil.addClass(entry.control.getContainer(), "twin-ref-control");
    }
    if (entry.label !== cfg.label) {
      entry.control.removeLayer(entry.layer);
      entry.control.addOverlay(entry.layer, labelNode(cfg.label));
      entry.label = cfg.label;
    }
    // The store's on/off is where a page starts; after that the planner's click decides,
    // until the page asks otherwise (the wall starts off, the cockpit on).
    var on = entry.on !== cfg.on ? cfg.on : (wasOn === null ? cfg.on : wasOn);
    entry.on = cfg.on;
    if (on && !map.hasLayer(entry.layer)) { map.addLayer(entry.layer); }
    if (!on && map.hasLayer(entry.layer)) { map.removeLayer(entry.layer); }
  }

  window.dash_clientside = Object.assign(window.dash_clientside || {}, {
    twinRef: {
      sync: function (cfg) {
        if (cfg && cfg.map) {
          wanted[cfg.map] = cfg;
          apply(cfg.map);
        }
        return window.dash_clientside.no_update;
      },
    },
  });
  window.twinRef = { maps: maps, wanted: wanted, apply: apply };
})();
