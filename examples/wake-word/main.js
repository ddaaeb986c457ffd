// The wake-word demo's page: plain ES modules, no bundler. After `npm run build` and
// `npx tsx examples/wake-word/make-models.ts`, serve the repo root (`npx tsx test/browser/server.ts`)
// and open /examples/wake-word/. Microphone -> AudioWorklet (capture.js: mono, 16 kHz, 80 ms
// chunks) -> worker (worker.js: the chain) -> scores here.

const THRESHOLD = 0.5;
const HOLD_MS = 1500; // a detection stays lit this long after the score drops
const SAY = { alexa: '“Alexa”', hey_mycroft: '“Hey Mycroft”', timer: '“set a timer for five minutes”', weather: '“what’s the weather”' };

const $ = (sel) => document.querySelector(sel);
const status = $('#status');
const params = new URLSearchParams(location.search);
const kb = (n) => (n < 1e6 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / 1024 / 1024).toFixed(2)} MiB`);

// For tests and curious people: everything the page shows, as data.
const demo = (window.wakeDemo = {
  ready: false,
  running: false,
  chunks: 0,
  warmup: 0,
  scores: {},
  max: {},
  detected: {},
  detections: [],
  history: [],
  latency: { last: null, median: null },
  sizes: null,
  error: undefined,
});

function fail(message) {
  status.textContent = `error: ${message}`;
  status.classList.add('err');
  demo.error = message;
}

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onerror = (e) => fail(e.message || 'the worker failed to start');
const cards = {};
const lastHit = {};
const openDetection = {};
const times = [];
let audio = null;

function showSizes(info) {
  const rows = info.models.map((m) => `<tr><td>${m.role}</td><td>${kb(m.onnxBytes)}</td><td>${kb(m.bytes)}</td><td>${(m.onnxBytes / m.bytes).toFixed(1)}x</td></tr>`);
  $('#sizes').innerHTML =
    '<tr><th>model</th><th>.onnx</th><th>.wpal</th><th>smaller</th></tr>' +
    rows.join('') +
    `<tr class="total"><td>chain</td><td data-testid="onnx-bytes">${kb(info.onnxBytes)}</td><td data-testid="wpal-bytes">${kb(info.wpalBytes)}</td><td data-testid="ratio">${(info.onnxBytes / info.wpalBytes).toFixed(1)}x</td></tr>`;
}

function makeCards(names) {
  for (const name of names) {
    const el = document.createElement('div');
    el.className = 'word';
    el.dataset.testid = `word-${name}`;
    el.innerHTML = `<h2>${name}</h2><div class="say">say ${SAY[name] ?? name}</div><div class="score" data-testid="score-${name}">–</div><div class="bar"><span></span><i title="threshold 0.5"></i></div><span class="state" data-testid="state-${name}">waiting</span> <span class="meta max"></span>`;
    $('#words').append(el);
    cards[name] = el;
    demo.max[name] = 0;
    demo.detected[name] = false;
  }
}

function onStep(r) {
  demo.chunks = r.chunk + 1;
  demo.history.push({ chunk: r.chunk, scores: r.scores });
  if (demo.history.length > 3000) demo.history.shift();
  const now = performance.now();
  for (const [name, s] of Object.entries(r.scores)) {
    const card = cards[name];
    if (s === null) {
      card.querySelector('.state').textContent = 'warming up';
      continue;
    }
    demo.scores[name] = s;
    if (s > demo.max[name]) demo.max[name] = s;
    if (s > THRESHOLD) {
      if (!demo.detected[name]) {
        // A new detection: logged with the time it started and, while it lasts, its peak score.
        const d = { word: name, chunk: r.chunk, score: s };
        demo.detections.push(d);
        openDetection[name] = { d, li: document.createElement('li') };
        $('#log').prepend(openDetection[name].li);
        $('#none').hidden = true;
      }
      const { d, li } = openDetection[name];
      d.score = Math.max(d.score, s);
      li.textContent = `${name} at ${(d.chunk * 0.08).toFixed(1)} s (score ${d.score.toFixed(2)})`;
      lastHit[name] = now;
    }
    const hit = lastHit[name] !== undefined && now - lastHit[name] < HOLD_MS;
    demo.detected[name] = hit;
    card.classList.toggle('hit', hit);
    card.querySelector('.score').textContent = s.toFixed(2);
    card.querySelector('.bar span').style.width = `${Math.min(100, s * 100)}%`;
    card.querySelector('.state').textContent = hit ? 'detected' : 'listening';
    card.querySelector('.max').textContent = `max ${demo.max[name].toFixed(2)}`;
  }
  times.push(r.ms);
  if (times.length > 125) times.shift(); // the last 10 s
  const median = (k) => times.map((t) => t[k]).sort((a, b) => a - b)[times.length >> 1];
  const stages = { mel: median('mel'), embedding: median('embedding'), classifiers: median('classifiers') };
  demo.latency = { last: r.ms.total, median: median('total'), stages };
  $('[data-testid=latency]').textContent = `${demo.latency.median.toFixed(1)} ms`;
  $('#stages').textContent = `mel ${stages.mel.toFixed(1)} + embedding ${stages.embedding.toFixed(1)} + classifiers ${stages.classifiers.toFixed(1)} ms; real time allows 80 ms`;
  $('#level').style.width = `${Math.max(0, Math.min(100, (r.level + 70) * (100 / 60)))}%`;
  $('#heard').textContent = `${(demo.chunks * 0.08).toFixed(1)} s of audio` + (r.backlog > 2 ? ` · ${r.backlog} chunks behind` : '');
}

const replies = [];
worker.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'step') onStep(m);
  else if (m.type === 'ready') {
    makeCards(m.classifiers);
    demo.warmup = m.warmup;
    demo.ready = true;
    $('#start').disabled = false;
    status.textContent = `models loaded in ${m.loadMs.toFixed(0)} ms. Press “Start microphone” and say a wake word.`;
  } else if (m.type === 'recording') replies.shift()?.(m.samples);
  else if (m.type === 'error') fail(m.message);
};

/** The 16 kHz audio the worker has scored since Start, when the page was opened with ?record. */
demo.recording = () => new Promise((resolve) => (replies.push(resolve), worker.postMessage({ type: 'recording' })));

async function start() {
  $('#start').disabled = true;
  // Created inside the click, so the browser lets it run.
  const ctx = new AudioContext();
  try {
    await ctx.audioWorklet.addModule(new URL('./capture.js', import.meta.url));
    const mic = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    const node = new AudioWorkletNode(ctx, 'wake-word-capture');
    const channel = new MessageChannel();
    worker.postMessage({ type: 'start', port: channel.port2, record: params.has('record') }, [channel.port2]);
    node.port.postMessage({ port: channel.port1 }, [channel.port1]);
    const source = ctx.createMediaStreamSource(mic);
    source.connect(node);
    node.connect(ctx.destination); // the processor writes silence; the connection keeps it running
    await ctx.resume();
    audio = { ctx, mic, node };
    for (const k of Object.keys(demo.max)) demo.max[k] = 0;
    demo.running = true;
    $('#stop').disabled = false;
    status.textContent = `listening at ${ctx.sampleRate} Hz, resampled to 16 kHz; scores appear after ${(demo.warmup * 0.08).toFixed(1)} s of audio (the longest classifier reads 34 embeddings).`;
  } catch (e) {
    await ctx.close();
    $('#start').disabled = false;
    const why = { NotAllowedError: 'microphone access was refused', NotFoundError: 'no microphone was found' }[e.name];
    fail(why ?? e.message);
  }
}

async function stop() {
  if (!audio) return;
  audio.node.port.postMessage({ stop: true });
  worker.postMessage({ type: 'stop' });
  for (const t of audio.mic.getTracks()) t.stop();
  await audio.ctx.close();
  audio = null;
  demo.running = false;
  $('#stop').disabled = true;
  $('#start').disabled = false;
  status.textContent = 'stopped.';
}

$('#start').addEventListener('click', start);
$('#stop').addEventListener('click', stop);

async function main() {
  const res = await fetch('./models/models.json');
  if (!res.ok) throw new Error('models/models.json is missing: run `npx tsx examples/wake-word/make-models.ts`');
  const info = await res.json();
  demo.sizes = info;
  showSizes(info);
  const models = info.models.map((m) => ({ ...m, url: new URL(`./models/${m.file}`, location.href).href }));
  worker.postMessage({ type: 'load', models });
}

main().catch((e) => fail(e.message));
