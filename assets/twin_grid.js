// AG Grid helpers for the unit page's tables: links that stay inside the app, and the case
// table's reset when a filter above it changes (its rows come from the server page by page).
window.dashAgGridComponentFunctions = Object.assign(window.dashAgGridComponentFunctions || {}, {
  // A unit's name, as text (never HTML), linking to its page the way dcc.Link does.
  UnitLink: function (props) {
    var href = (props.data || {}).href;
    return React.createElement("a", {
      href: href,
      className: "unit-link",
      onClick: function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) { return; }
        event.preventDefault();
        window.history.pushState({}, "", href);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        window.scrollTo(0, 0);
      },
    }, props.value);
  },
});

window.dash_clientside = Object.assign(window.dash_clientside || {}, {
  twinGrid: {
    refreshCases: function (status, category, severity, scope, gridId) {
      var api = window.dash_ag_grid && window.dash_ag_grid.getApi(gridId);
      if (api) {
        api.paginationGoToFirstPage();
        api.purgeInfiniteCache();  // asks the server for page one under the new filters
      }
      return window.dash_clientside.no_update;
    },
    // On a refresh tick of a unit page, the case table inside casesId asks again for the
    // rows it holds; unlike a purge, it keeps showing them until the answer comes.
    refreshRows: function (tick, state, casesId) {
      var box = state && state.mode === "unit" && document.getElementById(casesId);
      var grid = box && box.querySelector(".twin-table[id]");
      var api = grid && window.dash_ag_grid && window.dash_ag_grid.getApi(grid.id);
      if (api) { api.refreshInfiniteCache(); }
      return window.dash_clientside.no_update;
    },
  },
});
