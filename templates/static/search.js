/* Search page (Outreach theme): Pagefind in the browser. Without JavaScript the page lists links
   instead, and the search boxes still lead here. Loaded only by the search page. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var fallback = document.querySelector(".search-needs-js");
  if (fallback) fallback.hidden = true;
  var engine = null;
  var latest = 0;

  function pagefind() {
    if (!engine) {
      engine = import(form.dataset.pagefind).then(function (pf) {
        return pf.options({ baseUrl: form.dataset.base }).then(function () { return pf; });
      });
    }
    return engine;
  }

  // Pagefind matches "hien" with "hiến", but "đ" is a letter of its own: a word typed with a
  // leading "d" is also searched with "đ" (Vietnamese has "đ" only at the start of a syllable).
  function variants(query) {
    var out = [""];
    query.trim().split(/\s+/).forEach(function (word, i) {
      var forms = [word];
      if (/^d/i.test(word) && i < 4) forms.push((word[0] === "D" ? "Đ" : "đ") + word.slice(1));
      var next = [];
      out.forEach(function (start) {
        forms.forEach(function (form) { next.push(start ? start + " " + form : form); });
      });
      out = next;
    });
    return out;
  }

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function show(items, query) {
    list.textContent = "";
    items.forEach(function (data) {
      var li = document.createElement("li");
      var title = document.createElement("h2");
      title.className = "card-title";
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      title.appendChild(link);
      var excerpt = document.createElement("p");
      excerpt.innerHTML = data.excerpt; // Pagefind's own text, escaped, with <mark> around matches
      li.appendChild(title);
      li.appendChild(excerpt);
      list.appendChild(li);
    });
    status.textContent = say(items.length ? form.dataset.found : form.dataset.none,
                             { count: items.length, query: query });
  }

  function run(query) {
    var ticket = ++latest;
    query = query.trim();
    if (!query) { list.textContent = ""; status.textContent = ""; return; }
    pagefind().then(function (pf) {
      return Promise.all(variants(query).map(function (q) { return pf.search(q); }));
    }).then(function (searches) {
      var best = {};
      searches.forEach(function (search) {
        (search && search.results || []).forEach(function (result) {
          if (!best[result.id] || best[result.id].score < result.score) best[result.id] = result;
        });
      });
      var ranked = Object.keys(best).map(function (id) { return best[id]; })
        .sort(function (a, b) { return b.score - a.score; }).slice(0, 20);
      return Promise.all(ranked.map(function (result) { return result.data(); }));
    }).then(function (items) {
      if (ticket === latest) show(items, query);
    }).catch(function () {
      status.textContent = form.dataset.failed;
      if (fallback) fallback.hidden = false;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = input.value;
    history.replaceState(null, "", "?q=" + encodeURIComponent(query));
    run(query);
  });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) {
    input.value = initial;
    run(initial);
  }
})();
