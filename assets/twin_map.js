// Map styling for dash-leaflet: grid geometry is sent once; colours come from `hideout`,
// which refreshes carry (code -> composite status), so a refresh never resends polygons.
window.twin = Object.assign(window.twin || {}, {
  gridStyle: function (feature, context) {
    var hideout = (context && context.hideout) || {};
    var status = (hideout.status || {})[feature.properties.code];
    var fill = (hideout.colours || {})[status] || "#9aa5b1";
    return { color: "#ffffff", weight: 1, fillColor: fill, fillOpacity: 0.62 };
  },
});
