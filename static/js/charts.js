// Render every chart of the page from the Vega-Lite specification embedded next to it.
//
// The chart library is large: it is not a script of the page (which would hold the page back
// until it ran). Where every chart has the server's drawing of it (an <img class="chart-still">,
// immutable and cached), the page shows those at once and fetches the library only when
// someone points at, focuses or touches a chart; otherwise once the browser is idle. The page,
// its table and its links work without it.
(function () {
  "use strict";
  // the page's language: the catalogue at /jsi18n/ (Django's) defines gettext; without it, English
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  };
  const charts = document.querySelectorAll(".vega[data-spec]");
  const library = document.currentScript && document.currentScript.dataset.library;
  if (!charts.length || !library) return;

  let loading = null;
  function libraryLoad() {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = library;
        script.addEventListener("load", resolve);
        script.addEventListener("error", () => reject(new Error("the chart library did not load")));
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  // a phone gets a chart's narrow layout where it has one (a ranked list, not the wide
  // chart shrunk); the same width as the stylesheet's and the <picture> sources'
  const narrow = window.matchMedia("(max-width: 40rem)");
  const MENU_WIDTH = 40; // css/vega.css: .vega-embed.has-actions { padding-right: 38px }

  function specOf(element) {
    const name = (narrow.matches && element.dataset.specNarrow) || element.dataset.spec;
    const source = document.getElementById(name.replace("spec-", ""));
    if (!source) return null;
    const spec = JSON.parse(source.textContent);
    const aspect = spec.usermeta && spec.usermeta.aspect;
    if (aspect && element.clientWidth) {
      // as wide as the page has room for (less the export menu's button, drawn beside the
      // chart), as high as the drawing is for that width: no blank band below it
      const room = element.clientWidth - MENU_WIDTH;
      spec.width = room;
      spec.height = Math.round(room * aspect);
    }
    return spec;
  }

  function draw(element) {
    const spec = specOf(element);
    if (!spec || !window.vegaEmbed) return;
    element.dataset.layout = narrow.matches && element.dataset.specNarrow ? "narrow" : "wide";
    window
      .vegaEmbed(element, spec, {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
        // the Content-Security-Policy allows neither eval nor injected <style>: expressions
        // go through Vega's interpreter, the default styles come from css/vega.css
        ast: true,
        defaultStyle: false,
        forceActionsMenu: true, // the menu vega-embed draws only with its default style
        tooltip: { theme: "light", disableDefaultStyle: true },
      })
      .then(() => {
        const still = element.querySelector(".chart-still");
        if (still) (still.closest("picture") || still).remove(); // the interactive chart takes its place
        // the export menu's button is an icon: give it a name for screen readers
        const menu = element.querySelector("details > summary");
        if (menu) menu.setAttribute("aria-label", gettext("Download this chart (SVG or PNG)"));
        element.dataset.rendered = "true"; // marks carry an href: a click opens the country
      })
      .catch((error) => {
        element.textContent = interpolate(gettext("The chart could not be drawn: %(error)s"), { error: String(error) }, true);
      });
  }

  let started = false;
  function start() {
    if (started) return;
    started = true;
    libraryLoad().then(
      () => charts.forEach(draw),
      (error) =>
        charts.forEach((element) => {
          element.textContent = interpolate(gettext("The chart could not be drawn: %(error)s"), { error: error.message }, true);
        }),
    );
  }

  // a phone turned sideways, or a window made wider: the layout that fits, drawn again
  narrow.addEventListener("change", () => {
    if (!started || !window.vegaEmbed) return;
    charts.forEach((element) => {
      if (element.dataset.specNarrow) draw(element);
    });
  });

  charts.forEach((element) => {
    element.addEventListener("pointerenter", start, { once: true });
    // a keyboard reaches the chart's caption links first
    (element.closest("figure") || element).addEventListener("focusin", start, { once: true });
    element.addEventListener("touchstart", start, { once: true, passive: true });
  });
  const stills = Array.from(charts).every((element) => element.querySelector(".chart-still"));
  if (stills) return; // drawn already: the library waits for someone to use a chart
  if ("requestIdleCallback" in window) {
    window.requestIdleCallback(start, { timeout: 1000 });
  } else {
    window.setTimeout(start, 200);
  }
})();
