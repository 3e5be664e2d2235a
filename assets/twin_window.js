// The time window's choice lives in the URL (?window=7d or FROM/TO); the default is left out,
// so plain links stay plain. Changing the search makes the server's route follow.
window.dash_clientside = Object.assign(window.dash_clientside || {}, {
  twinWindow: {
    toSearch: function (choice, start, end, search, fallback, seen) {
      var nothing = window.dash_clientside.no_update;
      // The bar as the server set it for another URL than the page's now: the answer for a
      // page the browser went back through. Writing it into the URL would undo the back.
      if (seen && seen.search !== (search || "") && seen.choice === choice &&
          (choice !== "custom" || (seen.start === start && seen.end === end))) {
        return nothing;
      }
      var want = choice;
      if (choice === "custom") {
        if (!start || !end) { return nothing; }  // the range waits for both of its dates
        want = String(start).slice(0, 10) + "/" + String(end).slice(0, 10);
      }
      if (!want) { return nothing; }
      var params = new URLSearchParams(search || "");
      if ((params.get("window") || fallback) === want) { return nothing; }
      if (want === fallback) { params.delete("window"); } else { params.set("window", want); }
      var text = params.toString().replace(/%2F/g, "/");
      return text ? "?" + text : "";
    },
    rangeStyle: function (choice) {
      return choice === "custom" ? {} : { display: "none" };
    },
  },
});
