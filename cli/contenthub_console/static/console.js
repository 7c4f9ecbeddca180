// ContentHub console: confirmations, select-all, live task progress, charts. No inline scripts:
// the page's Content-Security-Policy allows scripts from this origin only.
(function () {
  "use strict";

  function jsonOf(url) {
    var u = new URL(url, location.href);
    u.searchParams.set("format", "json");
    return fetch(u.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }

  // Forms with data-confirm ask first; {action} is the button pressed, and a form of checkboxes
  // must have something selected.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute("data-confirm");
    if (!text) { return; }
    var button = event.submitter;
    var boxes = form.querySelectorAll("tbody input[type=checkbox]");
    if (boxes.length && button && button.name === "action") {
      var chosen = form.querySelectorAll("tbody input[type=checkbox]:checked").length;
      if (!chosen) { event.preventDefault(); alert("Select at least one row first."); return; }
      text = text.replace("the selected", chosen + " selected");
    }
    text = text.replace("{action}", button ? button.textContent.trim().replace(/ selected$/, "") : "Do");
    if (!window.confirm(text)) { event.preventDefault(); }
  });

  document.addEventListener("change", function (event) {
    var all = event.target.getAttribute && event.target.getAttribute("data-select-all");
    if (!all) { return; }
    var form = event.target.form || document;
    form.querySelectorAll("input[name='" + all + "']").forEach(function (box) { box.checked = event.target.checked; });
  });

  function setFields(root, task) {
    var status = root.querySelector("[data-field=status]");
    if (status) { status.textContent = task.status; status.className = "status " + task.status; }
    var bar = root.querySelector("[data-field=progress]");
    if (bar) { bar.value = task.progress || 0; }
    var text = root.querySelector("[data-field=progress-text]");
    if (text) { text.textContent = (task.progress || 0) + "%"; }
    var stage = root.querySelector("[data-field=stage]");
    if (stage) { stage.textContent = task.stage || ""; }
    var attempt = root.querySelector("[data-field=attempt]");
    if (attempt) { attempt.textContent = task.attempt; }
  }

  // The tasks list: one request per tick for the whole page (the same filters, as JSON).
  var table = document.querySelector("table[data-live=tasks]");
  if (table) {
    setInterval(function () {
      if (document.hidden) { return; }
      jsonOf(location.href).then(function (page) {
        var unknown = false;
        page.tasks.forEach(function (task) {
          var row = table.querySelector("tr[data-task-id='" + task.task_id + "']");
          if (row) { setFields(row, task); } else { unknown = true; }
        });
        var busy = table.querySelector("input:checked") || document.activeElement.tagName === "INPUT";
        if (unknown && !busy) { location.reload(); }
      }).catch(function () {});
    }, 1500);
  }

  // One task: live while it is pending or running; when it ends (or a new attempt starts) the page
  // reloads once to show the attempt's state path, error and content link.
  var live = document.querySelector("[data-live-task]");
  if (live) {
    var id = live.getAttribute("data-live-task");
    var was = live.getAttribute("data-status");
    var active = function (status) { return status === "pending" || status === "running"; };
    var timer = setInterval(function () {
      if (document.hidden) { return; }
      jsonOf("/tasks/" + encodeURIComponent(id) + "?live=1").then(function (data) {
        setFields(live, data.task);
        if (active(data.task.status) !== active(was)) { clearInterval(timer); location.reload(); }
      }).catch(function () {});
    }, 1000);
  }

  // Charts on the health page, from the page's own JSON (GET /stats through the console).
  var charts = document.querySelectorAll("[data-chart]");
  if (charts.length && window.uPlot) {
    jsonOf(location.href).then(function (data) {
      var days = data.stats.days.slice().reverse();
      var x = days.map(function (d) { return Date.parse(d.date + "T00:00:00Z") / 1000; });
      var col = function (name) { return days.map(function (d) { return d[name]; }); };
      charts.forEach(function (el) {
        var width = Math.max(320, el.clientWidth || 640);
        if (el.getAttribute("data-chart") === "daily") {
          new window.uPlot({ width: width, height: 220, series: [{},
            { label: "submitted", stroke: "#3b6fd1" }, { label: "succeeded", stroke: "#2a9d55" },
            { label: "failed", stroke: "#d1453b" }, { label: "timed out", stroke: "#c98a1a" }] },
            [x, col("submitted"), col("succeeded"), col("failed"), col("timed_out")], el);
        } else {
          new window.uPlot({ width: width, height: 180, scales: { y: { range: [0, 100] } },
            series: [{}, { label: "success rate %", stroke: "#2a9d55" }] },
            [x, days.map(function (d) { return d.success_rate === null ? null : d.success_rate * 100; })], el);
        }
      });
    }).catch(function () {});
  }
})();
