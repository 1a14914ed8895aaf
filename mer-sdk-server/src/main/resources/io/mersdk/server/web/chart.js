// Timeline chart of every label's probability over a call, in plain SVG (no library: about 150
// lines, nothing fetched at run time). Shared by the live page (GET /) and `mer report`.
// data: {labels: [...], duration: seconds, segments: [{start, end, outcome, probabilities}]}
// Each label is a step line, flat over each utterance; stretches without speech are grey gaps.
(function (global) {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  // Tableau 10: distinguishable for most colour-vision deficiencies; assigned by label order.
  var PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1',
    '#ff9da7', '#9c755f', '#bab0ac'];

  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function colour(i) { return PALETTE[i % PALETTE.length]; }

  function niceStep(span, target) {
    var raw = span / target;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * mag >= raw) { return steps[i] * mag; }
    }
    return 10 * mag;
  }

  function fmtTime(s) {
    if (s < 60) { return (Math.round(s * 10) / 10) + ' s'; }
    var m = Math.floor(s / 60), r = Math.round(s - 60 * m);
    return m + ':' + (r < 10 ? '0' : '') + r;
  }

  function render(container, data, opts) {
    opts = opts || {};
    var W = opts.width || 900, H = opts.height || 280;
    var m = {l: 44, r: 12, t: 12, b: 34};
    var w = W - m.l - m.r, h = H - m.t - m.b;
    var duration = Math.max(data.duration || 0, 1);
    data.segments.forEach(function (s) { duration = Math.max(duration, s.end); });
    var x = function (t) { return m.l + w * t / duration; };
    var y = function (p) { return m.t + h * (1 - p); };

    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'mer-chart', role: 'img',
      'aria-label': 'probability of each label over time'});
    svg.appendChild(el('rect', {x: m.l, y: m.t, width: w, height: h, 'class': 'mer-plot'}));

    // gaps: every stretch not covered by an utterance with an emotion
    var speech = data.segments.filter(function (s) { return s.outcome === 'emotion'; })
      .sort(function (a, b) { return a.start - b.start; });
    var cursor = 0;
    speech.concat([{start: duration, end: duration}]).forEach(function (s) {
      if (s.start - cursor > 0.05) {
        var g = el('rect', {x: x(cursor), y: m.t, width: x(s.start) - x(cursor), height: h,
          'class': 'mer-gap'});
        g.appendChild(el('title', {}, 'no speech ' + fmtTime(cursor) + ' - ' + fmtTime(s.start)));
        svg.appendChild(g);
      }
      cursor = Math.max(cursor, s.end);
    });

    // axes and grid
    [0, 0.25, 0.5, 0.75, 1].forEach(function (p) {
      svg.appendChild(el('line', {x1: m.l, x2: m.l + w, y1: y(p), y2: y(p), 'class': 'mer-grid'}));
      svg.appendChild(el('text', {x: m.l - 6, y: y(p) + 4, 'class': 'mer-tick', 'text-anchor': 'end'},
        p.toFixed(2)));
    });
    var step = niceStep(duration, 8);
    for (var t = 0; t <= duration + 1e-9; t += step) {
      svg.appendChild(el('line', {x1: x(t), x2: x(t), y1: m.t + h, y2: m.t + h + 4, 'class': 'mer-axis'}));
      svg.appendChild(el('text', {x: x(t), y: m.t + h + 18, 'class': 'mer-tick', 'text-anchor': 'middle'},
        fmtTime(t)));
    }

    // one step line per label, broken at every gap
    data.labels.forEach(function (label, i) {
      var d = '', last = null;
      speech.forEach(function (s) {
        var p = s.probabilities[label] || 0;
        d += (last !== null && s.start - last < 0.05 ? ' L' : ' M') + x(s.start).toFixed(1) + ','
          + y(p).toFixed(1) + ' L' + x(s.end).toFixed(1) + ',' + y(p).toFixed(1);
        last = s.end;
      });
      if (d) {
        var path = el('path', {d: d.trim(), 'class': 'mer-series', 'data-label': label,
          stroke: colour(i)});
        path.appendChild(el('title', {}, label));
        svg.appendChild(path);
      }
    });

    // legend
    var legend = document.createElement('div');
    legend.className = 'mer-legend';
    data.labels.forEach(function (label, i) {
      var item = document.createElement('span');
      var sw = document.createElement('i');
      sw.style.background = colour(i);
      item.appendChild(sw);
      item.appendChild(document.createTextNode(label));
      legend.appendChild(item);
    });
    var gapKey = document.createElement('span');
    var gsw = document.createElement('i');
    gsw.className = 'mer-gap-key';
    gapKey.appendChild(gsw);
    gapKey.appendChild(document.createTextNode('no speech'));
    legend.appendChild(gapKey);

    container.textContent = '';
    container.appendChild(svg);
    container.appendChild(legend);
    return svg;
  }

  global.MerChart = {render: render, colour: colour, formatTime: fmtTime};
})(this);
