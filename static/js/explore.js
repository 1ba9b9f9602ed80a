/* The what-if explorer (/methodology/explore/): recompute as the visitor changes a control.
   The page works without this script (the form's Recompute button); with it, a change asks
   the server for results.json (the engine's numbers, cached per variant) after a short pause,
   redraws the table, the movers, the class counts and the chart in place and puts the state
   in the address. Only what differs from the published methodology goes into the URL. */
(function () {
  "use strict";
  // the page's language: the catalogue at /jsi18n/ (Django's) defines gettext; without it, English
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  };
  var form = document.getElementById("explore-form");
  if (!form || !window.fetch) return;
  var DELAY = 150;
  var timer = null;
  var running = null;
  var status = document.getElementById("explore-status");
  var errors = document.getElementById("explore-errors");
  var results = document.getElementById("explore-results");

  function byId(id) { return document.getElementById(id); }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function same(value, base) {
    if (value === base) return true;
    var a = parseFloat(value), b = parseFloat(base);
    return value.trim() !== "" && isFinite(Number(value)) && a === b;
  }

  // the state: the controls that differ from the published methodology, in the form's order
  function query() {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.disabled) return;
      if (input.type === "checkbox") {
        if (input.checked) params.append(input.name, input.value);
      } else if (input.dataset.base !== undefined && !same(input.value, input.dataset.base)) {
        params.append(input.name, input.value);
      }
    });
    return params.toString();
  }

  function showErrors(list) {
    errors.textContent = "";
    if (!list || !list.length) { errors.hidden = true; return; }
    errors.appendChild(el("p", {}, gettext("This state cannot be computed:")));
    var ul = el("ul");
    list.forEach(function (message) { ul.appendChild(el("li", {}, message)); });
    errors.appendChild(ul);
    errors.hidden = false;
  }

  function shiftCell(row) {
    return el("span", { "class": row.direction }, row.shift);
  }

  function countryLink(row) {
    return el("a", { href: row.url }, row.name);
  }

  function drawTable(rows) {
    var body = document.querySelector("#explore-table tbody");
    if (!body) return;
    var fresh = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = el("tr", { "data-country": row.country });
      tr.appendChild(el("td", { "class": "num" }, row.rank === null ? "—" : row.rank));
      var th = el("th", { scope: "row" });
      th.appendChild(countryLink(row));
      tr.appendChild(th);
      tr.appendChild(el("td", { "class": "num" }, row.published_rank === null ? "—" : row.published_rank));
      var shift = el("td", { "class": "num" });
      shift.appendChild(shiftCell(row));
      tr.appendChild(shift);
      tr.appendChild(el("td", { "class": "num" }, row.aimai_text));
      tr.appendChild(el("td", { "class": "num" }, row.published_aimai_text));
      tr.appendChild(el("td", {}, row.class_label));
      tr.appendChild(el("td", {}, row.published_class_label));
      fresh.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(fresh);
  }

  function drawMovers(movers) {
    var list = byId("explore-movers");
    if (!list) return;
    list.textContent = "";
    if (!movers.length) {
      list.appendChild(el("li", { "class": "empty" }, gettext("No country changed rank.")));
      return;
    }
    movers.forEach(function (row) {
      var li = el("li");
      li.appendChild(countryLink(row));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(shiftCell(row));
      li.appendChild(document.createTextNode(" " + interpolate(gettext("(rank %(published)s → %(variant)s)"), { published: row.published_rank, variant: row.rank }, true)));
      list.appendChild(li);
    });
  }

  function drawClasses(counts) {
    var body = document.querySelector("#explore-classes tbody");
    if (!body) return;
    body.textContent = "";
    counts.forEach(function (count) {
      var tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, count.label));
      tr.appendChild(el("td", { "class": "num" }, count.published));
      tr.appendChild(el("td", { "class": "num" }, count.variant));
      body.appendChild(tr);
    });
  }

  function drawChanges(data) {
    var box = byId("explore-changes");
    if (!box) return;
    box.textContent = "";
    var changes = data.variant.changes;
    if (!changes.length) {
      box.appendChild(el("p", {}, gettext("Nothing changed yet: these are the published methodology’s numbers, computed again.")));
      return;
    }
    box.appendChild(el("p", {}, interpolate(gettext("What changed from %(methodology)s %(version)s:"), { methodology: data.base.slug, version: data.base.version }, true)));
    var ul = el("ul");
    changes.forEach(function (line) { ul.appendChild(el("li", {}, line)); });
    box.appendChild(ul);
  }

  function drawChart(rows) {
    var svg = byId("explore-chart");
    if (!svg) return;
    var top = parseFloat(svg.dataset.top), step = parseFloat(svg.dataset.step);
    var byCountry = {};
    rows.forEach(function (row) { byCountry[row.country] = row; });
    Array.prototype.forEach.call(svg.querySelectorAll("line.shift"), function (line) {
      var row = byCountry[line.dataset.country];
      if (!row) return;
      var kind = row.moved === null ? "none" : row.moved > 0 ? "up" : row.moved < 0 ? "down" : "same";
      line.setAttribute("class", "shift " + kind);
      line.setAttribute("y2", String(top + ((row.rank || 1) - 1) * step));
      var title = line.querySelector("title");
      if (title) {
        title.textContent = interpolate(gettext("%(country)s: published rank %(published)s, variant rank %(variant)s"), {
          country: line.dataset.name,
          published: row.published_rank === null ? gettext("unranked") : row.published_rank,
          variant: row.rank === null ? gettext("unranked") : row.rank
        }, true);
      }
    });
  }

  function draw(data) {
    var address = form.dataset.page + (data.variant.query ? "?" + data.variant.query : "");
    if (!byId("explore-table")) { // the page was a refused state: draw it whole
      window.location.assign(address);
      return;
    }
    drawTable(data.countries);
    drawMovers(data.movers);
    drawClasses(data.class_counts);
    drawChanges(data);
    drawChart(data.countries);
    var link = byId("explore-link");
    if (link) link.value = data.variant.url;
    var file = byId("explore-file");
    if (file) file.setAttribute("href", data.variant.file);
    var propose = byId("explore-propose");
    if (propose) {
      var base = propose.getAttribute("href").split("?")[0];
      propose.setAttribute("href", data.variant.query ? base + "?" + data.variant.query : base);
    }
    history.replaceState(null, "", address);
    status.textContent = interpolate(
      ngettext("%(count)s country changed rank.", "%(count)s countries changed rank.", data.moved),
      { count: data.moved }, true);
  }

  function recompute() {
    if (running) running.abort(); // a newer state makes the pending answer useless
    var controller = new AbortController();
    running = controller;
    var state = query();
    results.setAttribute("aria-busy", "true");
    fetch(form.dataset.results + (state ? "?" + state : ""), {
      signal: controller.signal,
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (running !== controller) return;
      running = null;
      results.removeAttribute("aria-busy");
      if (!answer.ok) {
        showErrors(answer.data.errors || [answer.data.detail || gettext("The variant could not be computed.")]);
        status.textContent = gettext("This state cannot be computed; the results shown are of the last one that could.");
        return;
      }
      showErrors([]);
      draw(answer.data);
    }).catch(function (error) {
      if (error.name === "AbortError") return;
      results.removeAttribute("aria-busy");
      showErrors([gettext("The server could not be reached: try the Recompute button.")]);
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(recompute, DELAY);
  }

  // sliders and number fields kept in step, both ways
  Array.prototype.forEach.call(form.querySelectorAll("input[type=range][data-for]"), function (slider) {
    var number = byId(slider.dataset.for);
    slider.addEventListener("input", function () { number.value = slider.value; later(); });
    number.addEventListener("input", function () {
      if (number.value.trim() !== "" && isFinite(Number(number.value))) slider.value = number.value;
    });
  });
  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target.type === "range") return; // its number field is what changed
    // a number being typed ("-", "1e"): wait for the rest rather than show an error
    if (target.type === "number" && target.value.trim() === "") return;
    later();
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT" || event.target.type === "checkbox") later();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    recompute();
  });

  var copy = byId("explore-copy");
  var link = byId("explore-link");
  if (copy && link && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(link.value).then(function () {
        status.textContent = gettext("Link copied.");
      }, function () {
        link.select();
        status.textContent = gettext("Select the link and copy it.");
      });
    });
  }
})();
