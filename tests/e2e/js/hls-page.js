// The hls mode's player (hls.mjs): hls.js (pinned in package.json) in low-latency mode plays
// a live playlist of the server's HLS egress into a muted <video>; stats() reads what the
// page shows and what hls.js knows of the live edge.
(() => {
  let s = null;
  window.hlsView = {
    async play(src) {
      if (!window.Hls || !Hls.isSupported()) throw new Error('hls.js is not supported in this browser (no MSE)');
      const video = document.createElement('video');
      Object.assign(video, { muted: true, autoplay: true, playsInline: true, width: 640, height: 360 });
      document.body.appendChild(video);
      // As a webinar page would: low-latency mode, and catching up (up to 1.5x) when behind
      // the target latency (a viewer joining mid-segment starts at its keyframe).
      // hls.js's own log, kept (timed, last 2000 lines) for a diagnosis: window.hlsView.logs().
      const logs = [];
      const t0 = performance.now();
      const keep = (level) => (...a) => { logs.push(`${((performance.now() - t0) / 1000).toFixed(3)} ${level} ${a.join(' ')}`); if (logs.length > 2000) logs.shift(); };
      const debug = { trace: keep('T'), debug: keep('D'), log: keep('L'), info: keep('I'), warn: keep('W'), error: keep('E') };
      const hls = new Hls({ lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5, backBufferLength: 30, debug });
      s = { hls, video, errors: [], parts: 0, frags: 0, levels: 0, logs };
      hls.on(Hls.Events.ERROR, (_e, d) => s.errors.push(`${d.type}/${d.details}${d.fatal ? ' fatal' : ''}`));
      hls.on(Hls.Events.FRAG_LOADED, (_e, d) => { if (d.part) s.parts += 1; else s.frags += 1; });
      hls.on(Hls.Events.LEVEL_LOADED, () => { s.levels += 1; });
      const parsed = new Promise((resolve) => hls.once(Hls.Events.MANIFEST_PARSED, resolve));
      hls.loadSource(src);
      hls.attachMedia(video);
      await parsed;
      await video.play().catch(() => {});
      return true;
    },
    logs() {
      return s ? s.logs.slice() : [];
    },
    stats() {
      if (!s) return null;
      const q = s.video.getVideoPlaybackQuality();
      return {
        currentTime: s.video.currentTime, frames: q.totalVideoFrames, dropped: q.droppedVideoFrames,
        width: s.video.videoWidth, height: s.video.videoHeight, paused: s.video.paused,
        audioBytes: s.video.webkitAudioDecodedByteCount || 0,
        latency: s.hls.latency, targetLatency: s.hls.targetLatency, lowLatency: s.hls.lowLatencyMode,
        errors: s.errors.slice(-5), parts: s.parts, frags: s.frags, levels: s.levels,
      };
    },
  };
  // A finished recording as the library serves it (a signed link to one file, the HLS
  // recording's segments joined into one MP4): a plain <video>, no hls.js, as the admin's
  // recordings page plays it. Waits for metadata, plays, seeks to the middle and reports.
  window.fileView = {
    async play(src) {
      const video = document.createElement('video');
      Object.assign(video, { muted: true, playsInline: true, width: 320, height: 180, preload: 'auto' });
      document.body.appendChild(video);
      const once = (name) => new Promise((resolve, reject) => {
        video.addEventListener(name, resolve, { once: true });
        video.addEventListener('error', () => reject(new Error(`media error ${video.error?.code}: ${video.error?.message}`)), { once: true });
      });
      const meta = once('loadedmetadata');
      video.src = src;
      await meta;
      const duration = video.duration;
      await video.play();
      // Some frames played before the seek: wait for the clock to move (timeupdate events).
      await new Promise((resolve) => {
        const moved = () => { if (video.currentTime > 0.2) { video.removeEventListener('timeupdate', moved); resolve(); } };
        video.addEventListener('timeupdate', moved);
      });
      const seeked = once('seeked');
      video.currentTime = duration / 2;
      await seeked;
      await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
      const q = video.getVideoPlaybackQuality();
      return { duration, afterSeek: video.currentTime, frames: q.totalVideoFrames, width: video.videoWidth, height: video.videoHeight,
        audioBytes: video.webkitAudioDecodedByteCount || 0 };
    },
  };
})();
