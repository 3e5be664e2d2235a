// Live push, the page's side: ask the server for a version other than the one the page holds;
// the server holds the question until there is one (or 2 s pass), so the answer comes the
// moment a write is read. When it moved, tell Dash (the push store ticks the refresh every live
// part follows; the map store, set only when the map moved, fetches the outlines anew). A page
// that cannot reach its server says so, and catches up on return.
(function () {
  // A page restored from the back-forward cache wakes with a frozen page's state (its held
  // question dropped, its window radio behind its URL): it loads afresh instead.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
  var AGAIN_MS = 500;    // how soon a page asks again when the server did not hold its question
  var WAIT_MS = 4000;    // an answer slower than this counts as lost (the server holds for 2 s)
  var LOST_AFTER = 2;    // failed asks in a row before the banner shows
  var push = { known: null, map: null, fails: 0, lost: false };

  function banner(show) {
    var el = document.getElementById("offline-banner");
    if (el) { el.hidden = !show; }
    var shell = document.getElementById("shell");
    if (shell) { shell.classList.toggle("offline", show); }
  }

  function tell(id, data) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(id, { data: data });
    }
  }

  function heard(body) {
    var back = push.lost;
    push.fails = 0;
    push.lost = false;
    banner(false);
    // A page back from a lost connection refreshes even when the version looks the same
    // (the server may have restarted and counted again from 1).
    if (body.version !== push.known || back) {
      push.known = body.version;
      tell("push", { version: body.version, at: Date.now() });
    }
    if (body.map !== push.map || back) {  // only then do the outlines ask the server
      push.map = body.map;
      tell("map-seen", body.map);
    }
  }

  function failed() {
    push.fails += 1;
    if (push.fails >= LOST_AFTER) { push.lost = true; banner(true); }
  }

  function ask() {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, WAIT_MS);
    var again = AGAIN_MS;
    var url = "/twin/version" + (push.known === null ? "" : "?after=" + push.known);
    fetch(url, { cache: "no-store", signal: ctl.signal })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (body) {
        var moved = body.version !== push.known;
        heard(body);
        if (body.held || moved) { again = 0; }  // the answer waited for news: ask at once
      })
      .catch(failed)
      .finally(function () { clearTimeout(timer); setTimeout(ask, again); });
  }

  window.dash_clientside = Object.assign(window.dash_clientside || {}, {
    twinPush: {
      // The push store changed: one more refresh tick.
      tick: function (heardVersion, n) { return (n || 0) + 1; },
      // A refresh tick passed on to the parts of the page's mode only (unit, wall, hotspots).
      gate: function (n, state) {
        var mode = state && state.mode;
        var skip = window.dash_clientside.no_update;
        return ["unit", "screen", "hotspots"].map(function (m) { return m === mode ? n : skip; });
      },
    },
  });

  setTimeout(ask, AGAIN_MS);
})();
