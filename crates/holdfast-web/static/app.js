// Holdfast's one script: pickers. A field marked data-picker="people" (or "processes") stays a
// plain text field without JavaScript; with it, typing offers matches from the list API.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var kind = input.getAttribute("data-picker");
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (text.length < 2 || text === last || text.indexOf("@") > 0 && kind === "people") { return; }
      last = text;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = kind === "processes"
          ? "/api/v1/processes?limit=10&q=" + encodeURIComponent(text)
          : "/api/v1/people?limit=10&status=active&q=" + encodeURIComponent(text);
        fetch(url, { credentials: "same-origin", headers: { "accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (page) {
            while (list.firstChild) { list.removeChild(list.firstChild); }
            page.items.forEach(function (item) {
              var o = document.createElement("option");
              if (kind === "processes") {
                o.value = item.key;
                o.label = item.name;
              } else {
                o.value = item.email;
                o.label = item.name + " · " + item.department;
              }
              o.textContent = o.label;
              list.appendChild(o);
            });
          })
          .catch(function () { /* the field still takes a typed email */ });
      }, 150);
    });
  }
  document.querySelectorAll("input[data-picker]").forEach(attach);
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
