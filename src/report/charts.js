// greenrun's chart code: draws chart specs (JSON written by src/report,
// report/html_report.h "Chart specs") with Chart.js 3. Shared by the HTML
// report and any page greenrun serves (the dashboard): a page embeds
// Chart.js, this file, and calls GreenrunCharts.renderAll(specs).
//
// Every spec: {id, kind, title, estimate (a sentence, or "" when nothing in
// the figure is an estimate), ...}. The canvas is the element with id
// "chart-" + spec.id. Charts are kept in window.greenrunCharts[id] (tests
// read their data there). Animation is off, so printing draws everything.
(function (global) {
  'use strict';
  var COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];
  var SPAN_STYLE = {
    'run': {fill: 'rgba(27,158,119,0.22)'},
    'pause': {fill: 'rgba(120,120,120,0.28)'},
    'wait': {fill: 'rgba(230,171,2,0.16)'},
    'at-once': {stroke: '#d95f02', dash: [6, 4], band: 0},
    'best-start': {stroke: '#7570b3', dash: [2, 3], band: 1}
  };

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  // Milliseconds since the epoch as "MM-DD HH:MM" UTC (no date adapter
  // needed), with seconds when the axis spans less than two hours.
  function utcLabel(ms, seconds) {
    var d = new Date(ms);
    return pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' +
           pad(d.getUTCMinutes()) + (seconds ? ':' + pad(d.getUTCSeconds()) : '');
  }
  function title(spec) {
    var t = [spec.title];
    if (spec.estimate) t.push('ESTIMATE: ' + spec.estimate);
    return t;
  }
  // The time axis spans [lo, hi] exactly (a linear axis would round it out).
  function timeAxis(lo, hi) {
    return {type: 'linear', min: lo, max: hi,
            ticks: {callback: function (v) { return utcLabel(v, this.max - this.min < 7200e3); }, maxRotation: 0,
                    autoSkip: true},
            title: {display: true, text: 'time (UTC)'}};
  }
  function baseOptions(spec) {
    return {animation: false, responsive: true, maintainAspectRatio: false, parsing: true, normalized: true,
            plugins: {title: {display: true, text: title(spec), color: '#222'},
                      legend: {display: true, position: 'bottom'}}};
  }

  // Shades the executed schedule (run / pause / wait) and outlines running at
  // once and the best start, from spec.spans: [{start_ms, end_ms, kind}].
  var spanPlugin = {
    id: 'greenrunSpans',
    beforeDatasetsDraw: function (chart, args, opts) {
      var spans = (opts && opts.spans) || [];
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      spans.forEach(function (s) {
        var st = SPAN_STYLE[s.kind];
        if (!st) return;
        var a = Math.max(area.left, x.getPixelForValue(s.start_ms));
        var b = Math.min(area.right, x.getPixelForValue(s.end_ms));
        if (!(b > a)) return;
        if (st.fill) {
          ctx.fillStyle = st.fill;
          ctx.fillRect(a, area.top, b - a, area.bottom - area.top);
        } else {
          var h = 10, y = area.top + 2 + st.band * (h + 3);
          ctx.strokeStyle = st.stroke;
          ctx.lineWidth = 2;
          ctx.setLineDash(st.dash);
          ctx.strokeRect(a, y, b - a, h);
          ctx.setLineDash([]);
        }
      });
      ctx.restore();
    }
  };

  function power(canvas, spec) {
    var datasets = [];
    spec.series.forEach(function (s, i) {
      var c = COLORS[i % COLORS.length];
      var label = s.component + ' (' + s.method + ')';
      datasets.push({label: label, data: s.points.map(function (p) { return {x: p[0], y: p[1]}; }),
                     borderColor: c, backgroundColor: c, pointRadius: 0, borderWidth: 1.5, stepped: true});
      if (spec.envelope) {
        datasets.push({label: s.component + ' min', data: s.points.map(function (p) { return {x: p[0], y: p[2]}; }),
                       borderWidth: 0, pointRadius: 0, fill: false, stepped: true, greenrunEnvelope: true});
        datasets.push({label: s.component + ' max', data: s.points.map(function (p) { return {x: p[0], y: p[3]}; }),
                       borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: c + '33', stepped: true,
                       greenrunEnvelope: true});
      }
    });
    var lo, hi;
    spec.series.forEach(function (s) {
      if (!s.points.length) return;
      var a = s.points[0][0], b = s.points[s.points.length - 1][0];
      lo = lo === undefined ? a : Math.min(lo, a);
      hi = hi === undefined ? b : Math.max(hi, b);
    });
    var o = baseOptions(spec);
    o.scales = {x: timeAxis(lo, hi), y: {title: {display: true, text: 'power (W)'}, beginAtZero: true}};
    o.plugins.legend.labels = {filter: function (item, data) { return !data.datasets[item.datasetIndex].greenrunEnvelope; }};
    return new global.Chart(canvas, {type: 'line', data: {datasets: datasets}, options: o});
  }

  function intensity(canvas, spec) {
    var pts = spec.points.map(function (p) { return {x: p[0], y: p[1]}; });
    if (spec.points.length) pts.push({x: spec.end_ms, y: spec.points[spec.points.length - 1][1]});
    var lo, hi;
    if (spec.points.length) {
      lo = spec.points[0][0];
      hi = spec.end_ms;
    } else {
      spec.spans.forEach(function (s) {
        lo = lo === undefined ? s.start_ms : Math.min(lo, s.start_ms);
        hi = hi === undefined ? s.end_ms : Math.max(hi, s.end_ms);
      });
    }
    var o = baseOptions(spec);
    o.scales = {x: timeAxis(lo, hi), y: {title: {display: true, text: 'g CO2e/kWh'}, beginAtZero: true}};
    o.plugins.greenrunSpans = {spans: spec.spans};
    return new global.Chart(canvas, {type: 'line',
      data: {datasets: [{label: spec.series_label, data: pts, borderColor: '#333', pointRadius: 0, borderWidth: 1.5,
                         stepped: true}]},
      options: o, plugins: [spanPlugin]});
  }

  // Bars: spec.labels, spec.datasets [{label, values, unit}], spec.axis.
  function bars(canvas, spec) {
    var o = baseOptions(spec);
    o.indexAxis = spec.horizontal ? 'y' : 'x';
    var valueAxis = {title: {display: true, text: spec.axis}, beginAtZero: true};
    o.scales = spec.horizontal ? {x: valueAxis} : {y: valueAxis};
    var datasets = spec.datasets.map(function (d, i) {
      return {label: d.label, data: d.values, backgroundColor: d.colors || COLORS[i % COLORS.length]};
    });
    return new global.Chart(canvas, {type: 'bar', data: {labels: spec.labels, datasets: datasets}, options: o});
  }

  var KINDS = {power: power, intensity: intensity, bars: bars};

  function renderAll(specs) {
    global.greenrunCharts = global.greenrunCharts || {};
    if (typeof global.Chart !== 'function') {
      specs.forEach(function (spec) {
        var el = document.getElementById('chart-' + spec.id);
        if (el) el.insertAdjacentText('afterend', 'Chart unavailable: this greenrun was built without Chart.js.');
      });
      return;
    }
    specs.forEach(function (spec) {
      var canvas = document.getElementById('chart-' + spec.id);
      if (!canvas || !KINDS[spec.kind]) throw new Error('greenrun: no canvas or renderer for chart ' + spec.id);
      global.greenrunCharts[spec.id] = KINDS[spec.kind](canvas, spec);
    });
  }

  global.GreenrunCharts = {renderAll: renderAll, utcLabel: utcLabel};
})(window);
