// Render every chart of the page from the Vega-Lite specification embedded next to it.
(function () {
  "use strict";
  document.querySelectorAll(".vega[data-spec]").forEach((element) => {
    const source = document.getElementById(element.dataset.spec.replace("spec-", ""));
    if (!source || !window.vegaEmbed) return;
    const spec = JSON.parse(source.textContent);
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
        // the export menu's button is an icon: give it a name for screen readers
        const menu = element.querySelector("details > summary");
        if (menu) menu.setAttribute("aria-label", "Download this chart (SVG or PNG)");
        element.dataset.rendered = "true"; // marks carry an href: a click opens the country
      })
      .catch((error) => {
        element.textContent = "The chart could not be drawn: " + error;
      });
  });
})();
