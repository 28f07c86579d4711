// The dashboard's charts, drawn with the vendored Chart.js from the figures
// the server rendered into #report-data (the page's tables hold the same
// numbers, so it reads without script too). Sets body[data-charts] to
// "ready" (or "none" without Chart.js) when done: tests wait for it.
(function () {
  'use strict';
  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var report = read('report-data');
  var L = read('report-labels') || {};

  var kind = document.getElementById('dash-period-kind');
  function toggleCustom() {
    var custom = kind && kind.value === 'custom';
    document.querySelectorAll('.dash-custom').forEach(function (el) { el.hidden = !custom; });
  }
  if (kind) {
    kind.addEventListener('change', toggleCustom);
    toggleCustom();
  }
  var printButton = document.getElementById('print-button');
  if (printButton) printButton.addEventListener('click', function () { window.print(); });

  if (!report || typeof Chart === 'undefined') {
    document.body.dataset.charts = 'none';
    return;
  }
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  var GREEN = '#15803d', RED = '#b91c1c', GREY = '#94a3b8', ACCENT = '#0f766e', SOFT = '#99d5cf';
  function color(state) { return state === 'met' ? GREEN : state === 'missed' ? RED : GREY; }
  function percent(v) { return Math.round(v * 1000) / 10; }
  function minutes(ns) { return Math.round(ns / 6e10); }
  // Reason names as the server wrote them in the table (translated).
  var reasonNames = Array.prototype.map.call(
    document.querySelectorAll('[data-testid="reasons-table"] tbody tr td:nth-child(2)'),
    function (td) { return td.textContent; });
  var charts = [];
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) charts.push(new Chart(canvas, config));
  }

  var tiers = report.tier_shares || [];
  draw('chart-tiers', {
    type: 'bar',
    data: {
      labels: tiers.map(function (t) { return t.tier; }),
      datasets: [
        { label: L.share + ' %', data: tiers.map(function (t) { return percent(t.value); }),
          backgroundColor: tiers.map(function (t) { return color(t.sample && t.sample.too_few ? 'too_few' : t.state); }) },
        { label: L.target + ' %', data: tiers.map(function (t) {
            return [t.target.has_min ? percent(t.target.min) : 0, t.target.has_max ? percent(t.target.max) : 100];
          }), backgroundColor: 'rgba(15,118,110,.15)', borderColor: ACCENT, borderWidth: 1 }
      ]
    },
    options: { scales: { y: { min: 0, max: 100 } } }
  });

  var dist = report.csat ? report.csat.distribution : [];
  draw('chart-csat', {
    type: 'bar',
    data: { labels: ['1', '2', '3', '4', '5'],
      datasets: [{ label: L.ratings, data: dist, backgroundColor: [RED, RED, GREY, SOFT, ACCENT] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  var times = report.times || [];
  draw('chart-times', {
    type: 'bar',
    data: {
      labels: times.map(function (t) { return t.priority; }),
      datasets: [
        { label: L.first_response_median + ' (' + L.minutes + ')', data: times.map(function (t) { return minutes(t.first_response.median_ns); }), backgroundColor: ACCENT },
        { label: L.first_response_p90 + ' (' + L.minutes + ')', data: times.map(function (t) { return minutes(t.first_response.p90_ns); }), backgroundColor: SOFT },
        { label: L.resolution_median + ' (' + L.minutes + ')', data: times.map(function (t) { return minutes(t.resolution.median_ns); }), backgroundColor: '#1d4ed8' },
        { label: L.resolution_p90 + ' (' + L.minutes + ')', data: times.map(function (t) { return minutes(t.resolution.p90_ns); }), backgroundColor: '#93c5fd' }
      ]
    },
    options: { scales: { y: { beginAtZero: true } } }
  });

  var reasons = report.top_reasons || [];
  draw('chart-reasons', {
    type: 'bar',
    data: {
      labels: reasons.map(function (r, i) { return reasonNames[i] || r.topic; }),
      datasets: [
        { label: L.volume + ' %', data: reasons.map(function (r) { return percent(r.volume.value); }), backgroundColor: ACCENT },
        { label: L.settled_l1 + ' %', data: reasons.map(function (r) { return percent(r.settled_l1.value); }), backgroundColor: SOFT }
      ]
    },
    options: { indexAxis: 'y', scales: { x: { min: 0, max: 100 } } }
  });

  window.addEventListener('beforeprint', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.dataset.charts = 'ready';
})();
