// A WHIP client (RFC 9725) as a browser encoder runs one: Chromium's fake camera and
// microphone, one send-only RTCPeerConnection, the offer POSTed as application/sdp with the
// stream key as a Bearer token, the answer applied; PATCH for an ICE restart; DELETE to stop.
// The Node driver (test.mjs, whip mode) calls window.whip.* through page.evaluate.
(() => {
  const state = { pc: null, location: null, etag: null, log: [] };
  const note = (msg) => state.log.push(`${(performance.now() / 1000).toFixed(3)} whip ${msg}`);
  const absolute = (base, loc) => new URL(loc, base).toString();

  // Waits (bounded) until the offer holds the host candidates: the server is ICE-lite and
  // this client sends no trickle PATCHes of its own.
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const t = setTimeout(resolve, 3000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
    });
  });

  window.whip = {
    // POSTs the offer to `url` (with `key` as a Bearer token, or none when the key is in the
    // URL). Returns the HTTP outcome; on 201 the answer is applied.
    async publish(url, key, opts = {}) {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360, frameRate: 30 } });
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      // Simulcast as LiveKit's SDKs send it: rids q, h, f at 1/4, 1/2 and full size.
      const layers = [{ rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 }, { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 }, { rid: 'f', maxBitrate: 1_200_000 }];
      for (const track of media.getTracks()) {
        const simulcast = opts.simulcast && track.kind === 'video';
        pc.addTransceiver(track, { direction: 'sendonly', streams: [media], ...(simulcast ? { sendEncodings: layers } : {}) });
      }
      if (opts.h264) {
        const video = pc.getTransceivers().find((t) => t.sender.track && t.sender.track.kind === 'video');
        const codecs = RTCRtpSender.getCapabilities('video').codecs;
        // Offered alone, as OBS offers its encoder's codec (the server answers in its own
        // order among what is offered, as str0m does).
        video.setCodecPreferences(codecs.filter((c) => /h264|rtx/i.test(c.mimeType)));
      }
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const headers = { 'content-type': 'application/sdp' };
      if (key) headers.authorization = `Bearer ${key}`;
      const res = await fetch(url, { method: 'POST', headers, body: pc.localDescription.sdp });
      const body = await res.text();
      const out = { status: res.status, location: res.headers.get('location'), etag: res.headers.get('etag'), contentType: res.headers.get('content-type'), body: res.status === 201 ? '' : body };
      note(`POST ${res.status} ${out.location}`);
      if (res.status !== 201) { pc.close(); media.getTracks().forEach((t) => t.stop()); return out; }
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
      out.answerHasCandidates = /a=candidate:/.test(body);
      // The video codec the answer chose: the first payload type of its video line.
      const pt = (/m=video \S+ \S+ (\d+)/.exec(body) || [])[1];
      out.videoCodec = pt ? ((new RegExp(`a=rtpmap:${pt} ([^/]+)/`).exec(body) || [])[1] || '') : '';
      state.pc = pc; state.location = absolute(url, out.location); state.etag = out.etag; state.answer = body;
      return out;
    },

    // The state of the connection and what the encoder sent.
    async stats() {
      const pc = state.pc;
      if (!pc) return null;
      const out = { connection: pc.connectionState, video: null, audio: null };
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') out.video = { framesEncoded: s.framesEncoded, packetsSent: s.packetsSent };
        if (s.type === 'outbound-rtp' && s.kind === 'audio') out.audio = { packetsSent: s.packetsSent };
      });
      return out;
    },

    // An ICE restart over PATCH (If-Match: the session's ETag): the server's new credentials
    // come back as a fragment and replace the old ones in the remote description.
    async restart() {
      const pc = state.pc;
      pc.restartIce();
      const offer = await pc.createOffer({ iceRestart: true });
      await pc.setLocalDescription(offer);
      const ufrag = /a=ice-ufrag:(.*)/.exec(offer.sdp)[1].trim();
      const pwd = /a=ice-pwd:(.*)/.exec(offer.sdp)[1].trim();
      const mid = /a=mid:(.*)/.exec(offer.sdp)[1].trim();
      const frag = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:${mid}\r\n`;
      const res = await fetch(state.location, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': state.etag }, body: frag });
      const body = await res.text();
      note(`PATCH ${res.status}`);
      if (res.status !== 200) return { status: res.status, body };
      const oldUfrag = /a=ice-ufrag:(.*)/.exec(state.answer)[1].trim();
      const newUfrag = /a=ice-ufrag:(.*)/.exec(body)[1].trim();
      const newPwd = /a=ice-pwd:(.*)/.exec(body)[1].trim();
      const answer = state.answer.replace(/a=ice-ufrag:.*\r\n/g, `a=ice-ufrag:${newUfrag}\r\n`).replace(/a=ice-pwd:.*\r\n/g, `a=ice-pwd:${newPwd}\r\n`);
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      const stale = await fetch(state.location, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': state.etag }, body: frag });
      state.answer = answer; state.etag = res.headers.get('etag');
      return { status: res.status, etag: state.etag, changed: newUfrag !== oldUfrag, staleStatus: stale.status };
    },

    // DELETE ends the session.
    async stop() {
      if (!state.location) return { status: 0 };
      const res = await fetch(state.location, { method: 'DELETE' });
      note(`DELETE ${res.status}`);
      if (state.pc) state.pc.close();
      state.pc = null;
      return { status: res.status };
    },

    log: () => state.log,
  };
})();
