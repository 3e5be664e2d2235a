// The planner's compare page (twin/app/planner/compare.py): the two maps move together, units
// and the areas that changed hands are styled, and labels (codes, names from files) are text.
window.twinPlanner = Object.assign(window.twinPlanner || {}, {
  _maps: {},
  _moving: false,
  partner: { "cmp-map-a": "cmp-map-b", "cmp-map-b": "cmp-map-a" },
  remember: function (map) {
    // Each map is known by its container's id and follows its own moves once.
    if (!map || !map.getContainer) { return; }
    window.twinPlanner._maps[map.getContainer().id] = map;
    if (!map._twinSync) { map._twinSync = true; map.on("moveend", window.twinPlanner.sync); }
  },
  sync: function (e) {
    // One map moved: the other takes its centre and zoom (its own moveend is ignored).
    var self = window.twinPlanner, map = e && e.target;
    if (!map || !map.getContainer) { return; }
    self.remember(map);
    if (self._moving) { return; }
    var other = self._maps[self.partner[map.getContainer().id]];
    if (!other || !document.body.contains(other.getContainer())) { return; }
    self._moving = true;
    try { other.setView(map.getCenter(), map.getZoom(), { animate: false }); }
    finally { self._moving = false; }
  },
  unitStyle: function (feature, context) {
    var side = ((context && context.hideout) || {}).side;
    if (side === "b") { return { color: "#7b2cbf", weight: 2.4, fill: false }; }
    return { color: "#1d4ed8", weight: 2, dashArray: "6 4", fill: false };
  },
  cityStyle: function () { return { color: "#52606d", weight: 2.2, fill: false }; },
  exchangeStyle: function (feature) {
    var c = (feature.properties || {}).colour || "#e69f00";
    return { color: c, weight: 1, fillColor: c, fillOpacity: 0.6 };
  },
  tooltip: function (feature, layer, context) {
    window.twinPlanner.remember(context && context.map);
    layer.bindTooltip(function () {
      var d = document.createElement("div");
      d.textContent = (feature.properties || {}).label || "";  // text, never HTML
      return d;
    }, { sticky: true });
  },
});
