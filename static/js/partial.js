// Filters that refresh only their results: a form with data-partial="ID ID ..." fetches its
// URL, swaps those elements in, and puts the URL in the address bar (so it can be shared).
// Without JavaScript the form simply loads the page.
(function () {
  "use strict";

  async function refresh(form, url, push) {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of form.dataset.partial.split(/\s+/)) {
      const fresh = page.getElementById(id);
      const current = document.getElementById(id);
      if (fresh && current) current.replaceWith(fresh);
    }
    const errors = page.querySelector("form[data-partial] .errors");
    const shown = form.querySelector(".errors");
    if (shown) shown.remove();
    if (errors) form.prepend(errors);
    if (push) history.pushState({ partial: true }, "", url);
  }

  document.querySelectorAll("form[data-partial]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const query = new URLSearchParams(new FormData(form));
      for (const [key, value] of [...query.entries()]) if (value === "") query.delete(key);
      const url = `${location.pathname}?${query}${form.dataset.anchor || ""}`;
      refresh(form, url, true).catch(() => form.submit());
    });
  });
  window.addEventListener("popstate", () => location.reload());
})();
