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
