// Locum review: keyboard shortcuts on the article view (listed on the page under "Keyboard shortcuts").
// j / k: next / previous segment; a: approve; s: accept the suggestion; r: reject (open the box, focus the reason);
// e: edit (open the edit box, focus the translation). Nothing fires while a text field has the focus, or with a modifier key.
"use strict";
(function () {
  function segments() { return Array.prototype.slice.call(document.querySelectorAll("section.segment")); }
  var current = null;

  function select(section) {
    if (!section) { return; }
    if (current) { current.classList.remove("current"); }
    current = section;
    section.classList.add("current");
    section.focus({ preventScroll: true });
    section.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = segments();
    if (!all.length) { return; }
    var index = all.indexOf(current);
    if (index < 0) { select(step > 0 ? all[0] : all[all.length - 1]); return; }
    select(all[Math.min(all.length - 1, Math.max(0, index + step))]);
  }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "textarea" || tag === "input" || tag === "select" || target.isContentEditable;
  }

  function within(selector) {
    return current ? current.querySelector(selector) : null;
  }

  function submit(selector) {
    var form = within(selector);
    if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
  }

  function focusField(selector) {
    var field = within(selector);
    if (!field) { return; }
    var box = field.closest("details");
    if (box) { box.open = true; }
    field.focus();
  }

  var keys = {
    j: function () { move(1); },
    k: function () { move(-1); },
    a: function () { submit("form.approve"); },
    s: function () { submit("form.accept"); },
    r: function () { focusField("form.reject textarea"); },
    e: function () { focusField("form.edit textarea"); }
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var action = keys[event.key];
    if (!action) { return; }
    if (!current && event.key !== "j" && event.key !== "k") { return; }
    event.preventDefault();
    action();
  });

  document.addEventListener("focusin", function (event) {
    var section = event.target.closest ? event.target.closest("section.segment") : null;
    if (section && section !== current) {
      if (current) { current.classList.remove("current"); }
      current = section;
      section.classList.add("current");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var hash = window.location.hash;
    if (hash && hash.indexOf("#seg-") === 0) { select(document.getElementById(hash.slice(1))); }
  });
}());
