// The live page: microphone -> AudioWorklet -> WS /v1/stream (mer-stream/1) -> one card per
// utterance and the timeline chart (chart.js); a file goes to POST /v1/recognize.
(function () {
  'use strict';
  var PROTOCOL = 'mer-stream/1';
  var token = (location.hash.match(/token=([^&]+)/) || [])[1];
  token = token ? decodeURIComponent(token) : null;
  var $ = function (id) { return document.getElementById(id); };
  var state = {labels: [], segments: [], seconds: 0, ws: null, ctx: null, stream: null};

  function headers() { return token ? {'Authorization': 'Bearer ' + token} : {}; }
  function status(text) { $('status').textContent = text; }
  function pct(p) { return Math.round(p * 100) + '%'; }

  fetch('v1/health', {headers: headers()}).then(function (r) { return r.json(); }).then(function (h) {
    if (h.error) { throw new Error(h.error.message); }
    state.labels = h.labels;
    $('bundle').textContent = 'bundle ' + h.bundle_id + ' · labels ' + h.labels.join(', ')
      + ' · ' + h.device;
  }).catch(function (e) { $('bundle').textContent = 'server not reachable: ' + e.message; });

  function drawChart() {
    MerChart.render($('chart'), {labels: state.labels, duration: state.seconds,
      segments: state.segments});
  }

  function card(ev) {
    var li = document.createElement('li');
    li.className = 'mer-segment' + (ev.outcome === 'failed' ? ' failed' : '');
    li.dataset.index = ev.index;
    var when = document.createElement('span');
    when.className = 'when';
    when.textContent = MerChart.formatTime(ev.start) + ' - ' + MerChart.formatTime(ev.end);
    li.appendChild(when);
    var label = document.createElement('span');
    label.className = 'label';
    if (ev.outcome === 'emotion') {
      label.textContent = ev.label + ' ' + pct(ev.confidence);
      li.style.borderLeftColor = MerChart.colour(state.labels.indexOf(ev.label));
      var text = document.createElement('span');
      text.className = 'transcript';
      text.textContent = ev.transcript;
      li.appendChild(label);
      li.appendChild(text);
      var bars = document.createElement('span');
      bars.className = 'bars';
      Object.keys(ev.probabilities).forEach(function (k) {
        var b = document.createElement('span');
        b.textContent = k + ' ' + pct(ev.probabilities[k]);
        bars.appendChild(b);
      });
      li.appendChild(bars);
    } else {
      label.textContent = 'failed: ' + (ev.error ? ev.error.message : 'unknown error');
      li.appendChild(label);
    }
    return li;
  }

  function onEvent(ev) {
    if (ev.type === 'ready') {
      state.labels = ev.labels;
      status('listening (' + ev.sample_rate + ' Hz)');
    } else if (ev.type === 'segment') {
      state.segments.push(ev);
      state.seconds = Math.max(state.seconds, ev.end);
      $('segments').appendChild(card(ev));
      drawChart();
    } else if (ev.type === 'done') {
      status('done: ' + ev.segments + ' utterances in ' + MerChart.formatTime(ev.audio_seconds));
      state.seconds = Math.max(state.seconds, ev.audio_seconds);
      drawChart();
    } else if (ev.type === 'error') {
      status('error (' + ev.code + '): ' + ev.message);
    }
  }

  function startMic() {
    var constraints = {audio: {channelCount: 1, echoCancellation: false, noiseSuppression: false,
      autoGainControl: false}};
    return navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
      state.stream = stream;
      var ctx = new AudioContext();
      state.ctx = ctx;
      return ctx.audioWorklet.addModule('capture-worklet.js').then(function () {
        var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host
          + location.pathname.replace(/[^/]*$/, '') + 'v1/stream';
        var ws = new WebSocket(url);
        ws.binaryType = 'arraybuffer';
        state.ws = ws;
        var ready = false, sent = 0;
        var node = new AudioWorkletNode(ctx, 'mer-capture');
        node.port.onmessage = function (m) {
          if (ready && ws.readyState === WebSocket.OPEN) {
            ws.send(m.data.buffer); // Float32Array: little-endian on every platform browsers run on
            sent += m.data.length;
            state.seconds = sent / ctx.sampleRate;
          }
        };
        ctx.createMediaStreamSource(stream).connect(node);
        node.connect(ctx.destination); // pulls the graph; the node writes no output (silence)
        ws.onopen = function () {
          var start = {type: 'start', protocol: PROTOCOL, sample_rate: ctx.sampleRate,
            format: 'float32'};
          if (token) { start.token = token; }
          ws.send(JSON.stringify(start));
        };
        ws.onmessage = function (m) {
          var ev = JSON.parse(m.data);
          if (ev.type === 'ready') { ready = true; }
          onEvent(ev);
        };
        ws.onclose = function (e) {
          if (e.code !== 1000) { status($('status').textContent + ' (closed ' + e.code + ')'); }
          stopMic(false);
        };
        $('mic').textContent = 'Stop';
        $('mic').classList.add('on');
      });
    }).catch(function (e) { status('microphone: ' + e.message); });
  }

  function stopMic(sendDone) {
    if (sendDone && state.ws && state.ws.readyState === WebSocket.OPEN) {
      state.ws.send('Done');
    }
    if (state.stream) { state.stream.getTracks().forEach(function (t) { t.stop(); }); }
    if (state.ctx) { state.ctx.close(); }
    state.stream = null;
    state.ctx = null;
    $('mic').textContent = 'Start microphone';
    $('mic').classList.remove('on');
  }

  $('mic').addEventListener('click', function () {
    if (state.stream) { stopMic(true); } else { startMic(); }
  });

  $('file').addEventListener('change', function () {
    var f = $('file').files[0];
    if (!f) { return; }
    status('recognising ' + f.name + '...');
    fetch('v1/recognize', {method: 'POST', body: f, headers: headers()})
      .then(function (r) { return r.json(); })
      .then(function (res) {
        $('upload-box').hidden = false;
        var box = $('upload');
        box.textContent = '';
        if (res.error && !res.outcome) {
          box.textContent = res.error.message;
        } else if (res.outcome === 'emotion') {
          box.appendChild(card(Object.assign({index: 0, start: 0, end: 0}, res)));
        } else {
          box.textContent = res.outcome === 'no_speech' ? 'no speech in ' + f.name
            : 'failed: ' + res.error.message;
        }
        status('');
      }).catch(function (e) { status('upload: ' + e.message); });
  });

  if (/[?&]autostart=1/.test(location.search)) { startMic(); }
})();
