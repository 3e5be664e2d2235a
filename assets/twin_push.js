// Live push, the page's side: ask the server's newest snapshot version twice a second (a lookup
// in memory, no SQL); when it moved, tell Dash (the push store ticks the refresh every live
// part follows). A page that cannot reach its server says so, and catches up on return.
(function () {
  var EVERY_MS = 500;    // how often the version is asked (half the wait of the 2 s target)
  var WAIT_MS = 2000;    // an answer slower than this counts as lost
  var LOST_AFTER = 2;    // failed asks in a row before the banner shows
  var push = { known: null, fails: 0, lost: false };

  function banner(show) {
    var el = document.getElementById("offline-banner");
    if (el) { el.hidden = !show; }
    var shell = document.getElementById("shell");
    if (shell) { shell.classList.toggle("offline", show); }
  }

  function heard(version) {
    var back = push.lost;
    push.fails = 0;
    push.lost = false;
    banner(false);
    // A page back from a lost connection refreshes even when the version looks the same
    // (the server may have restarted and counted again from 1).
    if (version !== push.known || back) {
      push.known = version;
      if (window.dash_clientside && window.dash_clientside.set_props) {
        window.dash_clientside.set_props("push", { data: { version: version, at: Date.now() } });
      }
    }
  }

  function failed() {
    push.fails += 1;
    if (push.fails >= LOST_AFTER) { push.lost = true; banner(true); }
  }

  function ask() {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, WAIT_MS);
    fetch("/twin/version", { cache: "no-store", signal: ctl.signal })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (body) { heard(body.version); })
      .catch(failed)
      .finally(function () { clearTimeout(timer); setTimeout(ask, EVERY_MS); });
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

  setTimeout(ask, EVERY_MS);
})();
