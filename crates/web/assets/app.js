// hookwatch dashboard: filters apply on change; new events appear without
// a reload (the page's main part is fetched again when the newest event id
// changes). No framework, no network but this server.
"use strict";
(function () {
  const filters = document.querySelector("form.filters");
  if (filters) {
    filters.addEventListener("change", function () {
      // Empty values are left out so links stay short.
      for (const el of filters.elements) {
        if (el.name && el.value === "") el.disabled = true;
      }
      filters.submit();
    });
  }
  const main = document.getElementById("main");
  const live = document.getElementById("live");
  let latest = Number(document.body.dataset.latest || 0);
  let busy = false;
  async function poll() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const r = await fetch("/api/latest", { credentials: "same-origin" });
      if (!r.ok) throw new Error(r.status);
      const id = (await r.json()).id;
      live.classList.remove("off");
      if (id !== latest) {
        // Someone typing in a form on the page keeps their text.
        const typing = main.contains(document.activeElement) && document.activeElement.tagName === "INPUT";
        if (!typing) {
          const page = await fetch(location.href, { headers: { "X-Partial": "1" }, credentials: "same-origin" });
          if (page.ok) {
            main.innerHTML = await page.text();
            latest = id;
            document.body.dataset.latest = String(id);
            live.classList.add("flash");
            setTimeout(function () { live.classList.remove("flash"); }, 600);
          }
        }
      }
    } catch (e) {
      live.classList.add("off");
    } finally {
      busy = false;
    }
  }
  setInterval(poll, 700);
})();
