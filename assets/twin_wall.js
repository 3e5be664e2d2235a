// The wall's clock and freshness watchdog. Both run here, in the browser, so that a wall whose
// server has stopped (or whose network is gone) keeps its clock and says that its data stopped.
(function () {
  // The page has just been served, so its data is as fresh as it gets: count from now, never
  // from performance.now()'s zero (a fresh page must not read as "interrupted for ages").
  var wall = { last: performance.now(), version: null, lang: null, formats: {} };

  function clockText(el, lang) {
    var key = lang + "|" + el.dataset.tz;
    if (!wall.formats[key]) {
      wall.formats[key] = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
        timeZone: el.dataset.tz || undefined, month: "long", day: "numeric",
        weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
      });
    }
    return wall.formats[key].format(new Date());
  }

  function tick() {
    var shell = document.getElementById("shell");
    var dog = document.getElementById("watchdog");
    var clock = document.getElementById("wall-clock");
    if (!shell || !dog || !clock) { return; }
    if (!shell.classList.contains("screen")) { dog.hidden = true; return; }
    var lang = wall.lang || "zh-CN";
    clock.textContent = clockText(clock, lang);
    // Plotly draws in px: the chart is scaled with the wall's height (CSS .screen .trend).
    document.documentElement.style.setProperty("--wall-scale", String(window.innerHeight / 1080));
    var interval = Number(dog.dataset.interval) || 30000;
    var age = performance.now() - wall.last;
    var stale = age > 2 * interval;
    if (stale) {
      var template = dog.getAttribute("data-" + lang.toLowerCase()) || "{s}";
      dog.textContent = template.replace("{s}", String(Math.floor(age / 1000)));
    }
    dog.hidden = !stale;
  }

  window.dash_clientside = Object.assign(window.dash_clientside || {}, {
    twinWall: {
      // Each refresh brings the snapshot version it was built from: a new one is fresh data.
      sawData: function (fresh, state) {
        if (state && state.lang) { wall.lang = state.lang; }
        if (fresh && fresh.version !== undefined && fresh.version !== wall.version) {
          wall.version = fresh.version;
          wall.last = performance.now();
        }
        tick();
        return window.dash_clientside.no_update;
      },
    },
  });

  // The toured grid: a heavy light outline over a dark halo, so it reads on any fill.
  window.twin = Object.assign(window.twin || {}, {
    tourStyle: function () {
      return { color: "#ffd43b", weight: 7, opacity: 1, fill: true, fillColor: "#ffd43b",
               fillOpacity: 0.18, dashArray: null };
    },
  });

  setInterval(tick, 500);
})();
