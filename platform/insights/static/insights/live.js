// Live lab view: poll the JSON endpoint and swap the board's content in place. Only the inner
// element is replaced, never the page or the scrolling box, so neither the window's nor the
// table's scroll position moves. Polling pauses while the tab is hidden.
(function () {
  "use strict";
  var board = document.getElementById("live-board");
  if (!board) return;
  var status = document.getElementById("live-status");
  var url = board.getAttribute("data-poll-url");
  var seconds = parseInt(board.getAttribute("data-poll-seconds"), 10) || 15;
  var timer = null;
  var busy = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 401 || response.redirected) throw new Error("session");
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        // The HTML was rendered (and escaped) by the server's own template.
        board.innerHTML = data.html;
        board.setAttribute("data-updated", data.generated_at);
        say("");
      })
      .catch(function (error) {
        say(error.message === "session" ? "⚠ session ended: reload the page" : "⚠ update failed, retrying");
      })
      .then(function () { busy = false; });
  }

  function start() {
    if (timer === null) timer = window.setInterval(poll, seconds * 1000);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearInterval(timer);
      timer = null;
    } else {
      poll();
      start();
    }
  });
  start();
})();
