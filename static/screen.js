// 一屏统览: every data-poll-seconds, ask data-state for the content's version and reload when it differs,
// or when the display link has been revoked (404: the reload shows the 404 page). A failed check (the
// network, a restart) is tried again at the next turn, leaving the screen as it is meanwhile.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var seconds = Number(body.dataset.pollSeconds) || 30;
    setInterval(function () {
      fetch(body.dataset.state, { cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 404) return { version: null };
          return response.ok ? response.json() : { version: body.dataset.version };
        })
        .then(function (state) {
          if (state.version !== body.dataset.version) window.location.reload();
        })
        .catch(function () {});
    }, seconds * 1000);
  });
})();
