// Every htmx request carries the session's CSRF token as a header.
// (htmx 4 does not inherit hx-headers from <body>, so it is added here instead.)
document.addEventListener("htmx:config:request", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.ctx.request.headers["X-CSRF-Token"] = meta.content;
  }
});

// A form with data-confirm asks before it is sent (e.g. cancelling a booking).
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A read-only address (the calendar feed) selects itself when tapped, ready to copy.
document.addEventListener("focusin", function (event) {
  var field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
    field.select();
  }
});

// The unread badge in the header asks for news every 10 s while the page is in use. It
// stops while the tab is hidden or nobody has touched the page for 10 minutes, and asks
// again at once when they come back.
(function () {
  var EVERY = 10000;
  var IDLE_AFTER = 10 * 60 * 1000;
  var lastTouch = Date.now();

  function poll() {
    var badge = document.getElementById("inbox-badge");
    if (!badge || !window.htmx || document.hidden || Date.now() - lastTouch > IDLE_AFTER) {
      return;
    }
    window.htmx.trigger(badge, "palace:poll");
  }

  function touched() {
    var wasIdle = Date.now() - lastTouch > IDLE_AFTER;
    lastTouch = Date.now();
    if (wasIdle) {
      poll();
    }
  }

  ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      poll();
    }
  });
  setInterval(poll, EVERY);
})();

// An offer's countdown: minutes and seconds left, then "time is up".
(function () {
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.floor((Date.parse(el.getAttribute("data-countdown")) - Date.now()) / 1000);
      if (left <= 0) {
        el.textContent = el.getAttribute("data-over");
        return;
      }
      var time = Math.floor(left / 60) + ":" + pad(left % 60);
      el.textContent = el.getAttribute("data-left").replace("%(time)s", time);
    });
  }

  document.addEventListener("DOMContentLoaded", tick);
  setInterval(tick, 1000);
})();

// The day strip scrolls sideways on a phone: bring the chosen day into view.
document.addEventListener("DOMContentLoaded", function () {
  var chosen = document.querySelector('nav.days [aria-current="date"]');
  if (chosen) {
    chosen.scrollIntoView({ block: "nearest", inline: "center" });
  }
});

// A file input with data-fill="<textarea id>" puts the chosen file's text in that textarea
// (the verify page: the form still works by pasting, without JavaScript).
document.addEventListener("change", function (event) {
  var input = event.target;
  var target = input.getAttribute && input.getAttribute("data-fill");
  if (!target || !input.files || !input.files[0]) return;
  input.files[0].text().then(function (text) {
    document.getElementById(target).value = text;
  });
});
