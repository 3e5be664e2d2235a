// The case dialogs (twin/app/cases): the actor's name kept in this browser's localStorage
// (there are no logins yet), and the unit page's case table cells: the code as a link to the
// case page and a button per quick action, each opening the unit's confirmation dialog.
(function () {
  var KEY = "twin.actor";

  function go(event, href) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) { return; }
    event.preventDefault();
    window.history.pushState({}, "", href);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }

  window.dashAgGridComponentFunctions = Object.assign(window.dashAgGridComponentFunctions || {}, {
    // A case's code, as text, linking to its page without a reload.
    CaseLink: function (props) {
      var href = (props.data || {}).case_href;
      return React.createElement("a", {
        href: href,
        className: "case-link",
        title: props.value,  // the tooltip of a code cut short
        onClick: function (event) { go(event, href); },
      }, props.value);
    },
    // The quick actions a row's status allows; the server gives their names and labels.
    // One menu rather than a button each: it fits the narrowest panel in both languages.
    CaseActions: function (props) {
      var actions = (props.data || {}).actions || [];
      if (!actions.length) { return null; }
      var label = (props.colDef || {}).headerName || "";
      var options = [React.createElement("option", { key: "", value: "" }, label + " ▾")];
      actions.forEach(function (a) {
        options.push(React.createElement("option", { key: a.action, value: a.action }, a.label));
      });
      return React.createElement("select", {
        className: "case-quick",
        value: "",
        title: label,
        "aria-label": label,
        onChange: function (event) {
          var action = event.target.value;
          if (action) { props.setData({ code: props.data.code, action: action }); }
        },
      }, options);
    },
  });

  window.dash_clientside = Object.assign(window.dash_clientside || {}, {
    twinCase: {
      loadActor: function () {
        try { return window.localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
      },
      saveActor: function (name) {
        try { window.localStorage.setItem(KEY, name || ""); } catch (e) { /* private mode */ }
        return window.dash_clientside.no_update;
      },
      // After an action from the unit page's table, its rows are read again in place.
      refreshCases: function (done, gridId) {
        var api = done && window.dash_ag_grid && window.dash_ag_grid.getApi(gridId);
        if (api) { api.refreshInfiniteCache(); }
        return window.dash_clientside.no_update;
      },
    },
  });
})();
