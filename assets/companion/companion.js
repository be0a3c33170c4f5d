// mbotdraw live companion. It talks to the window over one WebSocket (/live):
// the window sends the drawing and its playback state, the page sends
// play/pause/seek/speed and the strokes drawn on the pad, with their timing,
// in pieces of at most 16 points or 16 ms. No build step, no external
// resources. window.companion exposes the state for tests.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.search).get("token");
  const BATCH_POINTS = 16;
  const BATCH_MS = 16;
  const COLORS = ["#1c2430", "#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa"];
  // Pen sizes, as parts of the drawing's width (on an 800-wide drawing: 4,
  // 10, 20 and 36 units); the second is the default, thick enough to read
  // on a projector.
  const WIDTHS = [0.005, 0.0125, 0.025, 0.045];
  // The messages that change the drawing: kept in order while offline.
  const KEPT = new Set(["pad", "undo", "clear"]);

  const st = {
    ws: null,
    connected: false,
    backoff: 250,
    outbox: [],
    drainTimer: 0,
    drawing: { width: 800, height: 600, background: "#ffffff", strokes: [] },
    pb: { t: 0, duration: 0, playing: false, speed: 1, stroke: 0, strokes: 0, at: performance.now() },
    shownT: -1,
    seeking: false,
    rtt: null,
    pingId: 0,
    pings: new Map(),
    pad: { strokes: [], cur: null, pending: [], timer: 0, t0: null, lastT: 0, next: 0,
           color: COLORS[1], size: 1, robot: false },
    sent: 0,
    everOffline: false,
    showRTT: new URLSearchParams(location.search).has("rtt"),
  };

  // ---- connection ----------------------------------------------------------

  function connect() {
    let url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live";
    if (token) url += "?token=" + encodeURIComponent(token);
    const ws = new WebSocket(url);
    st.ws = ws;
    ws.onopen = () => {
      st.connected = true;
      st.backoff = 250;
      status("connected", true);
      drain();
      offlineBanner();
    };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      receive(m);
    };
    ws.onclose = (e) => {
      st.connected = false;
      const why = e.code === 1008 ? " (refused: " + (e.reason || "policy") + ")" : "";
      status("disconnected" + why + "; trying again…", false);
      st.everOffline = true;
      offlineBanner();
      setTimeout(connect, st.backoff);
      st.backoff = Math.min(st.backoff * 2, 5000);
    };
  }

  function online() { return st.connected && st.ws.readyState === WebSocket.OPEN; }

  function send(m) {
    if (online() && (!KEPT.has(m.type) || st.outbox.length === 0)) {
      st.ws.send(JSON.stringify(m));
      st.sent++;
    } else if (KEPT.has(m.type)) {
      st.outbox.push(m); // strokes, Undo and Clear wait for the connection; commands do not
      offlineBanner();
    }
  }

  // offlineBanner shows, while the page is not connected, that what the
  // child draws is kept, and how many strokes wait.
  function offlineBanner() {
    const off = !online() && st.everOffline;
    $("offline").hidden = !off;
    const n = new Set(st.outbox.filter((m) => m.type === "pad").map((m) => m.stroke)).size;
    $("waiting").textContent = off && n > 0 ? (n === 1 ? "1 stroke is waiting to be sent." : n + " strokes are waiting to be sent.") : "";
  }

  // drain sends the strokes drawn while the connection was down: the pieces
  // of each stroke joined (at most MAX_PAD_POINTS points a message), and at
  // most DRAIN_BURST messages a second, so that a long time offline does not
  // go over the server's rate (200 a second, 400 at once), which would drop
  // them.
  const MAX_PAD_POINTS = 4096; // wire.MaxPadPoints
  const DRAIN_BURST = 100;
  function drain() {
    clearTimeout(st.drainTimer);
    st.drainTimer = 0;
    if (!online()) return;
    const joined = [];
    for (const m of st.outbox) {
      const last = joined[joined.length - 1];
      if (last && last.type === "pad" && m.type === "pad" && last.stroke === m.stroke && !last.end &&
          last.points.length + m.points.length <= MAX_PAD_POINTS) {
        last.points = last.points.concat(m.points);
        last.end = m.end;
      } else {
        joined.push(Object.assign({}, m));
      }
    }
    const now = joined.splice(0, DRAIN_BURST);
    st.outbox = joined;
    now.forEach((m) => { st.ws.send(JSON.stringify(m)); st.sent++; });
    if (st.outbox.length) st.drainTimer = setTimeout(drain, 1000);
    offlineBanner();
  }

  // status shows the connection; the round-trip time only when asked (a
  // tap on the status, or ?rtt in the address).
  function status(text, on) {
    const el = $("status");
    el.textContent = text + (st.showRTT && on && st.rtt != null ? " · " + st.rtt.toFixed(1) + " ms" : "");
    el.className = "status " + (on ? "on" : "off");
  }
  $("status").addEventListener("click", () => {
    st.showRTT = !st.showRTT;
    status(online() ? "connected" : "not connected", online());
  });

  function receive(m) {
    switch (m.type) {
      case "drawing":
        st.drawing = m;
        st.shownT = -1;
        resize();
        break;
      case "playback":
        st.pb = { t: m.t, duration: m.duration, playing: m.playing, speed: m.speed || 1,
                  stroke: m.stroke, strokes: m.strokes, at: performance.now() };
        controlsFromState();
        break;
      case "pong": {
        const sent = st.pings.get(m.id);
        if (sent !== undefined) {
          st.rtt = performance.now() - sent;
          st.pings.delete(m.id);
          status("connected", true);
        }
        break;
      }
      case "error":
        $("info").textContent = "window: " + m.message;
        break;
      case "saved": // the window's answer to Save: where it went on the computer
        showSaved(st.savedHere + " " + m.message);
        break;
    }
  }

  setInterval(() => {
    if (!st.connected) return;
    const id = ++st.pingId;
    st.pings.set(id, performance.now());
    if (st.pings.size > 20) st.pings.delete(st.pings.keys().next().value);
    send({ type: "ping", id });
  }, 2000);

  // ---- the playback view ---------------------------------------------------

  const view = $("view");
  const vctx = view.getContext("2d");
  const pad = $("pad");
  const pctx = pad.getContext("2d");

  // fit returns the transform that shows the drawing's canvas in a canvas
  // element, letterboxed, in device pixels.
  function fit(canvas) {
    const d = st.drawing;
    const w = canvas.width, h = canvas.height;
    const s = Math.min(w / d.width, h / d.height);
    return { s, x: (w - d.width * s) / 2, y: (h - d.height * s) / 2 };
  }

  function sizeCanvas(c) {
    const r = c.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(r.width * dpr)), h = Math.max(1, Math.round(r.height * dpr));
    if (c.width !== w || c.height !== h) { c.width = w; c.height = h; return true; }
    return false;
  }

  function paper(ctx, canvas) {
    const f = fit(canvas);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#e9edf3";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = st.drawing.background || "#ffffff";
    ctx.fillRect(f.x, f.y, st.drawing.width * f.s, st.drawing.height * f.s);
    ctx.setTransform(f.s, 0, 0, f.s, f.x, f.y);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
  }

  function currentT() {
    const p = st.pb;
    if (!p.playing) return p.t;
    return Math.min(p.duration, p.t + (performance.now() - p.at) * p.speed);
  }

  // drawUpTo draws every stroke up to time t, the last one up to the point
  // reached (with the partial segment). Strokes are drawn whole each time
  // the time goes back; otherwise only strokes touched since the last frame.
  function drawStroke(ctx, s, t) {
    const p = s.points;
    if (p.length < 3 || p[2] > t) return false;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = Math.max(s.width, 0.5);
    if (p.length === 3) {
      ctx.beginPath();
      ctx.arc(p[0], p[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      return true;
    }
    ctx.beginPath();
    ctx.moveTo(p[0], p[1]);
    for (let i = 3; i < p.length; i += 3) {
      if (p[i + 2] <= t) {
        ctx.lineTo(p[i], p[i + 1]);
        continue;
      }
      const t0 = p[i - 1], t1 = p[i + 2];
      const k = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
      ctx.lineTo(p[i - 3] + (p[i] - p[i - 3]) * k, p[i - 2] + (p[i + 1] - p[i - 2]) * k);
      break;
    }
    ctx.stroke();
    return true;
  }

  let firstOpen = 0; // strokes before this one are complete and drawn
  function renderView() {
    const t = currentT();
    const strokes = st.drawing.strokes;
    if (t < st.shownT || st.shownT < 0) {
      paper(vctx, view);
      firstOpen = 0;
      st.shownT = -Infinity;
    }
    if (t === st.shownT) return;
    for (let i = firstOpen; i < strokes.length; i++) {
      const s = strokes[i];
      if (!drawStroke(vctx, s, t)) break;
      const p = s.points;
      if (p[p.length - 1] <= t && i === firstOpen) firstOpen = i + 1;
    }
    st.shownT = t;
    clock(t);
  }

  function fmt(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function clock(t) {
    $("clock").textContent = fmt(t) + " / " + fmt(st.pb.duration);
    if (!st.seeking && st.pb.duration > 0) $("seek").value = String(Math.round(1000 * t / st.pb.duration));
  }

  function controlsFromState() {
    const b = $("play");
    b.textContent = st.pb.playing ? "❚❚" : "▶";
    b.setAttribute("aria-label", st.pb.playing ? "pause" : "play");
    const sp = $("speed");
    const want = String(st.pb.speed);
    if ([...sp.options].some((o) => o.value === want)) sp.value = want;
  }

  // ---- controls ------------------------------------------------------------

  $("play").addEventListener("click", () => {
    const playing = !st.pb.playing;
    send({ type: playing ? "play" : "pause" });
    st.pb = Object.assign({}, st.pb, { t: currentT(), playing, at: performance.now() });
    controlsFromState();
  });
  let lastSeek = 0;
  function seekTo(final) {
    const now = performance.now();
    if (!final && now - lastSeek < 50) return;
    lastSeek = now;
    const t = Number($("seek").value) / 1000 * st.pb.duration;
    send({ type: "seek", t });
    st.pb = Object.assign({}, st.pb, { t, at: now });
  }
  $("seek").addEventListener("pointerdown", () => { st.seeking = true; });
  $("seek").addEventListener("input", () => seekTo(false));
  $("seek").addEventListener("change", () => { seekTo(true); st.seeking = false; });
  $("speed").addEventListener("change", () => {
    const speed = Number($("speed").value);
    send({ type: "speed", speed });
    st.pb = Object.assign({}, st.pb, { t: currentT(), speed, at: performance.now() });
  });

  // ---- the pad -------------------------------------------------------------

  const sw = $("swatches");
  COLORS.forEach((c) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "swatch";
    b.style.background = c;
    b.setAttribute("role", "radio");
    b.setAttribute("aria-label", "colour " + c);
    b.setAttribute("aria-checked", String(c === st.pad.color));
    b.addEventListener("click", () => {
      st.pad.color = c;
      [...sw.children].forEach((x) => x.setAttribute("aria-checked", String(x === b)));
    });
    sw.appendChild(b);
  });
  const ws = $("widths");
  WIDTHS.forEach((f, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "width";
    b.setAttribute("role", "radio");
    b.setAttribute("aria-label", ["thin", "medium", "thick", "very thick"][i] + " pen");
    b.setAttribute("aria-checked", String(i === st.pad.size));
    const dot = document.createElement("span");
    dot.style.width = dot.style.height = [6, 12, 22, 36][i] + "px";
    b.appendChild(dot);
    b.addEventListener("click", () => {
      st.pad.size = i;
      [...ws.children].forEach((x) => x.setAttribute("aria-checked", String(x === b)));
    });
    ws.appendChild(b);
  });
  // penWidth is the pen's width in drawing units.
  function penWidth() {
    return Math.max(1, Math.round(WIDTHS[st.pad.size] * st.drawing.width * 10) / 10);
  }
  $("robot").addEventListener("change", () => { st.pad.robot = $("robot").checked; });

  function toDrawing(ev) {
    const r = pad.getBoundingClientRect();
    const dpr = pad.width / Math.max(1, r.width);
    const f = fit(pad);
    const x = ((ev.clientX - r.left) * dpr - f.x) / f.s;
    const y = ((ev.clientY - r.top) * dpr - f.y) / f.s;
    const d = st.drawing;
    return [Math.min(d.width, Math.max(0, x)), Math.min(d.height, Math.max(0, y))];
  }

  function addPoint(ev) {
    const s = st.pad.cur;
    if (st.pad.t0 === null) st.pad.t0 = ev.timeStamp;
    const [x, y] = toDrawing(ev);
    // Times never go back, and they count from the page's first stroke:
    // Clear does not restart them (the window, and the bridge that keeps
    // each page's times from going back, follow one clock per page).
    const t = Math.max(st.pad.lastT, ev.timeStamp - st.pad.t0);
    st.pad.lastT = t;
    const pt = [Math.round(x * 100) / 100, Math.round(y * 100) / 100, Math.round(t * 10) / 10];
    const prev = s.points[s.points.length - 1];
    s.points.push(pt);
    st.pad.pending.push(pt);
    // Draw it here at once.
    pctx.strokeStyle = s.color;
    pctx.lineWidth = s.width;
    pctx.beginPath();
    if (prev) {
      pctx.moveTo(prev[0], prev[1]);
      pctx.lineTo(pt[0], pt[1]);
      pctx.stroke();
    } else {
      pctx.fillStyle = s.color;
      pctx.arc(pt[0], pt[1], s.width / 2, 0, 2 * Math.PI);
      pctx.fill();
    }
    if (st.pad.pending.length >= BATCH_POINTS) flushPad(false);
    else if (!st.pad.timer) st.pad.timer = setTimeout(() => flushPad(false), BATCH_MS);
  }

  // flushPad sends the points waiting, as one piece of the current stroke.
  function flushPad(end) {
    clearTimeout(st.pad.timer);
    st.pad.timer = 0;
    const s = st.pad.cur;
    if (!s || (!end && st.pad.pending.length === 0)) return;
    send({ type: "pad", stroke: s.id, color: s.color, width: s.width, points: st.pad.pending, end, robot: s.robot });
    st.pad.pending = [];
  }

  pad.addEventListener("pointerdown", (ev) => {
    if (!ev.isPrimary || st.pad.cur) return;
    ev.preventDefault();
    pad.setPointerCapture(ev.pointerId);
    st.pad.cur = { id: st.pad.next++, color: st.pad.color, width: penWidth(), robot: st.pad.robot,
                   points: [], pointer: ev.pointerId };
    st.pad.strokes.push(st.pad.cur);
    addPoint(ev);
  });
  pad.addEventListener("pointermove", (ev) => {
    const s = st.pad.cur;
    if (!s || ev.pointerId !== s.pointer) return;
    const evs = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [];
    (evs.length ? evs : [ev]).forEach(addPoint);
  });
  function endStroke(ev) {
    const s = st.pad.cur;
    if (!s || ev.pointerId !== s.pointer) return;
    flushPad(true);
    st.pad.cur = null;
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);

  function renderPad() {
    paper(pctx, pad);
    for (const s of st.pad.strokes) {
      const flat = [];
      s.points.forEach((p) => flat.push(p[0], p[1], 0));
      drawStroke(pctx, { color: s.color, width: s.width, points: flat }, Infinity);
    }
  }

  // Clear empties the pad and starts a new drawing in the window (and for
  // the robot when its switch is on). The pad's clock goes on: strokes drawn
  // after it keep their rhythm on the window (see addPoint).
  $("clear").addEventListener("click", () => {
    if (st.pad.cur) endStroke({ pointerId: st.pad.cur.pointer });
    st.pad.strokes = [];
    renderPad();
    send({ type: "clear", robot: st.pad.robot });
  });

  // Undo takes back the last stroke, here and in the window.
  $("undo").addEventListener("click", () => {
    if (st.pad.cur) return; // a stroke is being drawn
    const s = st.pad.strokes.pop();
    if (!s) return;
    renderPad();
    send({ type: "undo", stroke: s.id });
  });

  // exportJSON returns the pad's strokes as an mbotdraw JSON drawing, its
  // times counted from its first point.
  function exportJSON() {
    const d = st.drawing;
    const strokes = st.pad.strokes.filter((s) => s.points.length > 0);
    const t0 = strokes.length ? strokes[0].points[0][2] : 0;
    const at = (t) => Math.round((t - t0) * 10) / 10;
    return JSON.stringify({
      format: "mbotdraw", version: 1, width: d.width, height: d.height, background: "#ffffff",
      strokes: strokes.map((s) => ({ color: s.color, width: s.width,
        points: s.points.map((p) => [p[0], p[1], at(p[2])]) })),
    });
  }

  // picture returns a canvas with the pad's strokes on white paper, at
  // least 1200 pixels across.
  function picture() {
    const d = st.drawing;
    const k = Math.max(1, 1200 / d.width);
    const c = document.createElement("canvas");
    c.width = Math.round(d.width * k);
    c.height = Math.round(d.height * k);
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.setTransform(k, 0, 0, k, 0, 0);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const s of st.pad.strokes) {
      const flat = [];
      s.points.forEach((p) => flat.push(p[0], p[1], 0));
      drawStroke(ctx, { color: s.color, width: s.width, points: flat }, Infinity);
    }
    return c;
  }

  // showSaved shows where a Save went, for a while.
  function showSaved(text) {
    const el = $("saved");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(st.savedTimer);
    st.savedTimer = setTimeout(() => { el.hidden = true; }, 8000);
  }

  // download saves blob on this device as drawing-2026-12-02-1030.EXT
  // (local time, as the window names its saves) and, when connected, asks
  // the window to save the drawing on the computer too (its save folder:
  // the answer, a "saved" message, says where), and says where it went.
  function download(blob, ext) {
    const a = document.createElement("a");
    const d = new Date();
    const two = (n) => String(n).padStart(2, "0");
    const name = "drawing-" + d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) +
      "-" + two(d.getHours()) + two(d.getMinutes()) + ext;
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    st.savedHere = "Saved " + name + " in this device's Downloads folder.";
    if (online()) {
      send({ type: "save" });
      showSaved(st.savedHere + " Saving on the computer too…");
    } else {
      showSaved(st.savedHere);
    }
  }

  $("save").addEventListener("click", () => {
    download(new Blob([exportJSON()], { type: "application/json" }), ".mbd.json");
  });
  $("savepng").addEventListener("click", () => {
    picture().toBlob((b) => { if (b) download(b, ".png"); }, "image/png");
  });

  // ---- layout and the frame loop -------------------------------------------

  function resize() {
    sizeCanvas(view);
    sizeCanvas(pad);
    st.shownT = -1;
    renderView();
    renderPad();
  }
  window.addEventListener("resize", resize);

  function frame() {
    if (sizeCanvas(view) || sizeCanvas(pad)) { st.shownT = -1; renderPad(); }
    renderView();
    requestAnimationFrame(frame);
  }

  window.companion = {
    get connected() { return st.connected; },
    get sent() { return st.sent; },
    send,
    exportJSON,
    // revealedStrokes is how many strokes the view shows begun at the
    // current time.
    revealedStrokes() {
      const t = currentT();
      return st.drawing.strokes.filter((s) => s.points.length >= 3 && s.points[2] <= t).length;
    },
    padStrokes() { return st.pad.strokes.length; },
    // pictureURL is the pad as Save picture saves it, a PNG data URL.
    pictureURL() { return picture().toDataURL("image/png"); },
    offlineShown() { return !$("offline").hidden; },
    statusText() { return $("status").textContent; },
    state: st,
  };

  resize();
  connect();
  requestAnimationFrame(frame);
})();
