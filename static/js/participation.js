// Keeps the quarter console's participation panel current by polling its JSON every 10 seconds.
(function () {
  "use strict";
  var panel = document.getElementById("participation-panel");
  if (!panel || !window.fetch) {
    return;
  }
  var url = panel.getAttribute("data-url");
  var yes = panel.getAttribute("data-yes");
  var no = panel.getAttribute("data-no");

  function setText(key, value) {
    var node = panel.querySelector('[data-p="' + key + '"]');
    if (node && node.textContent !== String(value)) {
      node.textContent = String(value);
    }
  }

  function setVoted(key, voted) {
    var node = panel.querySelector('[data-voted="' + key + '"]');
    if (!node) {
      return;
    }
    node.textContent = voted ? yes : no;
    node.classList.toggle("text-bg-success", voted);
    node.classList.toggle("text-bg-warning", !voted);
  }

  function render(data) {
    Object.keys(data.sources).forEach(function (source) {
      setText(source + ".submitted", data.sources[source].submitted);
      setText(source + ".expected", data.sources[source].expected);
    });
    data.sources.grassroots.units.forEach(function (row) {
      ["codes_issued", "codes_used", "accounts", "account_votes", "ballots", "targets"].forEach(function (field) {
        setText("grassroots." + row.unit + "." + field, row[field]);
      });
    });
    data.sources.peer.units.forEach(function (row) {
      setVoted("peer." + row.unit, row.voted);
    });
    data.sources.leadership.leaders.forEach(function (row) {
      setVoted("leadership." + row.username, row.voted);
    });
  }

  function refresh() {
    if (document.hidden) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          render(data);
        }
      })
      .catch(function () {
        // A missed refresh is harmless; the next one tries again.
      });
  }

  window.setInterval(refresh, 10000);
})();
