// Small enhancements; every page works without them.
(function () {
  "use strict";

  // Actor names: refresh the <datalist> from the autocomplete view as the user types.
  function actorAutocomplete(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = document.body.dataset.actorAutocomplete || "/autocomplete/actors/";
    var timer = null;
    if (!list) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(input.value), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.results.forEach(function (actor) {
              var option = document.createElement("option");
              option.value = actor.name;
              option.label = actor.kind + " · " + actor.slug;
              list.appendChild(option);
            });
          })
          .catch(function () { /* keep the server-rendered suggestions */ });
      }, 150);
    });
  }

  // "Add another citation": copy the last empty row of the formset and renumber it.
  function citationRows(button) {
    var prefix = button.dataset.prefix;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var container = document.getElementById(button.dataset.container);
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = container.querySelectorAll(".citation-row");
      var template = rows[rows.length - 1];
      var index = parseInt(total.value, 10);
      var copy = template.cloneNode(true);
      var pattern = new RegExp(prefix + "-\\d+-", "g");
      copy.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          if (el.hasAttribute(attr)) el.setAttribute(attr, el.getAttribute(attr).replace(pattern, prefix + "-" + index + "-"));
        });
        if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "hidden")) el.value = "";
        if (el.tagName === "SELECT") el.selectedIndex = el.name.endsWith("relation") ? el.selectedIndex : 0;
      });
      copy.querySelectorAll(".errorlist").forEach(function (el) { el.remove(); });
      var legend = copy.querySelector("legend");
      if (legend) legend.textContent = "Citation " + (index + 1);
      container.appendChild(copy);
      total.value = index + 1;
      var first = copy.querySelector("select, input, textarea");
      if (first) first.focus();
    });
  }

  // Filter the topic checkboxes by typing part of a title.
  function topicFilter(input) {
    var list = document.getElementById(input.dataset.target);
    if (!list) return;
    input.hidden = false;
    input.addEventListener("input", function () {
      var needle = input.value.toLowerCase();
      list.querySelectorAll("label").forEach(function (label) {
        var box = label.querySelector("input");
        var show = !needle || label.textContent.toLowerCase().indexOf(needle) !== -1 || (box && box.checked);
        (label.parentElement.tagName === "DIV" ? label.parentElement : label).hidden = !show;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-autocomplete=actors]").forEach(actorAutocomplete);
    document.querySelectorAll("button[data-add-row]").forEach(citationRows);
    document.querySelectorAll("input[data-topic-filter]").forEach(topicFilter);
  });
})();
