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
    var code = feature.properties.code;
    // Alert has a second channel besides its colour: a heavy outline, whatever the metric.
    var alert = (h.status || {})[code] === "red";
    var wall = document.querySelector(".screen") !== null;
    var outline = (h.outline || {})[wall ? "dark" : "light"] || "#000000";
    return {
      color: alert ? outline : "#ffffff",
      weight: alert ? 3 : 0.8,
      fillColor: window.twin.unitColour(code, h),
      fillOpacity: 0.82,
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
    window.twin.trackUnitLabel(feature, layer, context);
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
    // A point in its layer's shape and its catalog colour; an alert point larger, with a
    // heavy dark outline (a second channel besides colour); a case shows its severity.
    var h = (context && context.hideout) || {};
    var p = feature.properties;
    var s = p._s || 0;
    var fill = (h.colours || {})[p[h.colourBy]] || "#52606d";
    var size = s === 2 ? 22 : 16;
    var badge = h.badge ? p[h.badge] : null;
    var el = window.twin.shapeElement(h.shape, size, fill, s === 2 ? "#1f2933" : "#ffffff",
      s === 2 ? 2.6 : 1.4, badge, window.twin.inkOn(fill));
    el.setAttribute("data-code", p.code);  // an attribute is text, never markup
    var icon = L.divIcon({
      html: el, className: "pt-icon pt-" + h.layer + " pt-s" + s, iconSize: [size, size],
    });
    return L.marker(latlng, { icon: icon, keyboard: false });
  },
  clusterToLayer: function (feature, latlng, index, context) {
    // Leaflet's default clusters are green whatever is inside: this one takes the worst
    // status among its points, so one severity-1 case among many calm ones still shows.
    var h = (context && context.hideout) || {};
    var leaves = index.getLeaves(feature.properties.cluster_id, Infinity);
    var worst = 0;
    for (var i = 0; i < leaves.length && worst < 2; i++) {
      worst = Math.max(worst, leaves[i].properties._s || 0);
    }
    feature.properties._worst = worst;
    var n = feature.properties.point_count;
    var size = n < 10 ? 30 : (n < 100 ? 36 : 44);
    var fill = (h.status || [])[worst] || "#52606d";
    var key = (h.statusKeys || [])[worst] || String(worst);
    var el = window.twin.shapeElement(h.shape, size, fill, "#1f2933", worst === 2 ? 3 : 1.5,
      String(feature.properties.point_count_abbreviated), window.twin.inkOn(fill));
    el.setAttribute("data-worst", key);
    var icon = L.divIcon({
      html: el, className: "pt-cluster pt-cluster-" + key + " pt-" + h.layer,
      iconSize: [size, size],
    });
    return L.marker(latlng, { icon: icon, keyboard: false });
  },
  shapeElement: function (shape, size, fill, stroke, width, text, ink) {
    // Built as nodes (Leaflet's SVG element factory), never from a string: the badge text
    // comes from data.
    var make = L.SVG.create;
    var shapeDef = shape || { path: "M12 3a9 9 0 1 0 0.001 0Z", mark: "" };
    var svg = make("svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", size);
    svg.setAttribute("height", size);
    var body = make("path");
    body.setAttribute("d", shapeDef.path);
    body.setAttribute("fill", fill);
    body.setAttribute("stroke", stroke);
    body.setAttribute("stroke-width", (width * 24 / size).toFixed(2));
    svg.appendChild(body);
    if (shapeDef.mark && !text) {
      var mark = make("path");
      mark.setAttribute("d", shapeDef.mark);
      mark.setAttribute("fill", "#ffffff");
      svg.appendChild(mark);
    }
    if (text !== null && text !== undefined && text !== "") {
      var t = make("text");
      var triangle = shapeDef.path.indexOf("L") >= 0;
      t.setAttribute("x", "12");
      t.setAttribute("y", triangle ? "15.5" : "12.5");
      t.setAttribute("text-anchor", "middle");
      t.setAttribute("dominant-baseline", "middle");
      t.setAttribute("font-size", String(text).length > 2 ? "8" : "11");
      t.setAttribute("font-weight", "700");
      t.setAttribute("fill", ink);
      t.textContent = String(text);
      svg.appendChild(t);
    }
    return svg;
  },
  inkOn: function (hex) {
    // Black or white, whichever contrasts more with the fill (WCAG relative luminance).
    var m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) { return "#000000"; }
    var lum = [0, 2, 4].map(function (i) {
      var c = parseInt(m[1].substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? "#ffffff" : "#000000";
  },
  formatTime: function (seconds, lang, tz) {
    // As the server's fmt_datetime: "Nov 26 08:05" in English, "11月26日 08:05" in Chinese.
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", {
        timeZone: tz || "UTC", month: "numeric", day: "numeric", hour: "2-digit",
        minute: "2-digit", hourCycle: "h23",
      }).formatToParts(new Date(seconds * 1000)).forEach(function (x) { parts[x.type] = x.value; });
    } catch (e) { return new Date(seconds * 1000).toISOString(); }
    var hm = parts.hour + ":" + parts.minute;
    if (lang === "en") {
      var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"];
      return months[Number(parts.month) - 1] + " " + ("0" + parts.day).slice(-2) + " " + hm;
    }
    return Number(parts.month) + "月" + Number(parts.day) + "日 " + hm;
  },
  pointLines: function (p, h) {
    // The tooltip's lines: what the point is, then each catalog field in the page's language.
    if (p.cluster) {
      var worst = (h.statusNames || [])[p._worst || 0] || "";
      return [(h.title || "") + " · " + p.point_count, worst];
    }
    var lines = [(h.title || "") + " · " + p.code];
    (h.fields || []).forEach(function (f) {
      var v = p[f.name];
      var shown = "–";
      if (v !== undefined && v !== null) {
        if (f.kind === "enum") { shown = (f.labels || {})[v] || String(v); }
        else if (f.kind === "time") { shown = window.twin.formatTime(v, h.lang, h.tz); }
        else if (f.kind === "number") {
          shown = Number(v).toLocaleString(h.lang === "en" ? "en" : "zh-CN");
          if (f.suffix && p[f.suffix]) { shown += " " + p[f.suffix]; }
        } else { shown = String(v); }
      }
      lines.push(f.title + ": " + shown);
    });
    return lines;
  },
  pointTooltip: function (feature, layer, context) {
    layer.bindTooltip(function () {
      var h = (context && context.hideout) || {};
      // Nodes, not a string: Leaflet puts a string in as HTML, and codes come from files.
      var tip = document.createElement("div");
      tip.className = "tip";
      window.twin.pointLines(feature.properties, h).forEach(function (t) {
        if (t) { var d = document.createElement("div"); d.textContent = t; tip.appendChild(d); }
      });
      return tip;
    }, { direction: "top", className: "point-tip" });
  },
  parentStyle: function () {
    return { color: "#243b53", weight: 2.6, opacity: 0.9, fill: false, interactive: false };
  },
  trackUnitLabel: function (feature, layer, context) {
    // Unit names are drawn only where they fit: once the unit is wider and taller on screen
    // than its name, so labels never crowd a city of thousands of grids.
    var map = context && context.map;
    if (!map) { return; }
    var reg = window.twin._unitLabels;
    if (!reg || reg.map !== map) {
      if (!map.getPane("unitLabels")) {
        var pane = map.createPane("unitLabels");
        pane.style.zIndex = 630;
        pane.style.pointerEvents = "none";
      }
      reg = window.twin._unitLabels = { map: map, layers: new Set(), timer: null };
      map.on("moveend zoomend", window.twin.scheduleUnitLabels);
    }
    layer._twinLabel = { code: feature.properties.code, context: context, marker: null };
    reg.layers.add(layer);
    layer.on("add", window.twin.scheduleUnitLabels);
    layer.on("remove", function () {
      reg.layers.delete(layer);
      if (layer._twinLabel.marker) { layer._twinLabel.marker.remove(); }
      layer._twinLabel.marker = null;
    });
  },
  scheduleUnitLabels: function () {
    var reg = window.twin._unitLabels;
    if (!reg || reg.timer) { return; }
    reg.timer = setTimeout(function () { reg.timer = null; window.twin.placeUnitLabels(); }, 60);
  },
  labelFont: function (map) {
    // The font the labels are drawn in (the wall's are larger): measured from a probe.
    var probe = document.createElement("div");
    probe.className = "unit-label";
    probe.style.visibility = "hidden";
    probe.style.position = "absolute";
    map.getContainer().appendChild(probe);
    var style = getComputedStyle(probe);
    var font = { css: style.fontWeight + " " + style.fontSize + " " + style.fontFamily,
      height: parseFloat(style.fontSize) * 1.3 };
    probe.remove();
    return font;
  },
  labelWidth: function (text, font) {
    var c = window.twin._measure || (window.twin._measure = document.createElement("canvas"));
    var g = c.getContext("2d");
    g.font = font.css;
    return g.measureText(text).width;
  },
  placeUnitLabels: function () {
    // Largest units first; a label is placed only if its unit is wider and taller than it
    // and it overlaps no label already placed.
    var reg = window.twin._unitLabels;
    if (!reg) { return; }
    var map = reg.map;
    var view = map.getBounds();
    var font = window.twin.labelFont(map);
    var wanted = [];
    reg.layers.forEach(function (layer) {
      var info = layer._twinLabel;
      var h = (info.context && info.context.hideout) || {};
      var name = (h.names || {})[info.code] || info.code;
      var box = layer._map && layer.getBounds ? layer.getBounds() : null;
      if (box && box.isValid() && view.intersects(box)) {
        var a = map.latLngToContainerPoint(box.getNorthWest());
        var b = map.latLngToContainerPoint(box.getSouthEast());
        var width = window.twin.labelWidth(name, font) + 8;
        if ((b.x - a.x) > width + 8 && (b.y - a.y) > font.height * 2) {
          wanted.push({ layer: layer, name: name, width: width, area: (b.x - a.x) * (b.y - a.y) });
          return;
        }
      }
      if (info.marker) { info.marker.remove(); info.marker = null; }
    });
    wanted.sort(function (p, q) { return q.area - p.area; });
    var placed = [];
    wanted.forEach(function (w) {
      var info = w.layer._twinLabel;
      var centre = w.layer.getCenter();
      var at = map.latLngToContainerPoint(centre);
      var rect = { x0: at.x - w.width / 2, x1: at.x + w.width / 2,
        y0: at.y - font.height / 2, y1: at.y + font.height / 2 };
      var clash = placed.some(function (r) {
        return rect.x0 < r.x1 && r.x0 < rect.x1 && rect.y0 < r.y1 && r.y0 < rect.y1;
      });
      if (clash) {
        if (info.marker) { info.marker.remove(); info.marker = null; }
        return;
      }
      placed.push(rect);
      if (info.marker && info.marker._twinName === w.name && info.marker._twinWidth === w.width) {
        info.marker.setLatLng(centre);
        return;
      }
      if (info.marker) { info.marker.remove(); }
      var text = document.createElement("span");
      text.textContent = w.name;  // a name from a file: text, never HTML
      info.marker = L.marker(centre, {
        icon: L.divIcon({
          html: text, className: "unit-label", iconSize: [Math.ceil(w.width), font.height],
        }),
        interactive: false, keyboard: false, pane: "unitLabels",
      }).addTo(map);
      info.marker._twinName = w.name;
      info.marker._twinWidth = w.width;
      info.marker.getElement().setAttribute("data-code", info.code);
    });
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
      return ["/grid/" + encodeURIComponent(code), lang ? "?lang=" + encodeURIComponent(lang) : ""];
    },
  },
});
