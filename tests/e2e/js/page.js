// Runs inside each Chromium page. The Node driver (test.mjs) calls window.e2e.* through
// page.evaluate; everything here is plain livekit-client API.
(() => {
  const LK = window.LivekitClient;
  const { Room, RoomEvent, Track } = LK;
  const state = {
    room: null,
    connectStartedAt: 0,
    connectedAt: 0,
    firstVideoFrameAt: 0, // performance.now() of the first video frame presented
    subscribed: [], // {kind, sid, from}
    data: [], // {text, from, topic}
    reconnected: 0, // RoomEvent.Reconnected count
    left: [], // identities of ParticipantDisconnected
    speakers: [], // identities of each ActiveSpeakersChanged, loudest first
    quality: [], // {identity, quality} of each ConnectionQualityChanged
    videoSize: null, // [w, h] CSS pixels of every video element (adaptive stream reads it)
    log: [],
  };
  const note = (msg) => state.log.push(`${(performance.now() / 1000).toFixed(3)} ${msg}`);

  function watchFirstFrame(el) {
    if (typeof el.requestVideoFrameCallback !== 'function') return;
    el.requestVideoFrameCallback((now) => {
      if (!state.firstVideoFrameAt) state.firstVideoFrameAt = now;
    });
  }

  function sizeVideo(el) {
    el.style.width = `${state.videoSize[0]}px`;
    el.style.height = `${state.videoSize[1]}px`;
    el.style.display = 'block';
  }

  window.e2e = {
    version: () => LK.version,

    // Shows every video element at w x h CSS pixels (adaptive stream asks for that size).
    setVideoSize(w, h) {
      state.videoSize = [w, h];
      document.querySelectorAll('#media video').forEach(sizeVideo);
    },

    // The camera sender's simulcast encodings: which the publisher encodes (dynacast).
    publisherLayers() {
      for (const pub of state.room.localParticipant.trackPublications.values()) {
        if (pub.source !== Track.Source.Camera || !pub.track || !pub.track.sender) continue;
        return pub.track.sender.getParameters().encodings.map((e) => ({ rid: e.rid || '', active: e.active }));
      }
      return [];
    },

    // opts.adaptive: the options LiveKit's React components default to (adaptiveStream and
    // dynacast on); off otherwise, as in the plain mode.
    async connect(url, token, opts = {}) {
      const adaptive = !!opts.adaptive;
      // opts.videoCodec: the codec published (the hls mode publishes H.264, one layer).
      const publishDefaults = opts.videoCodec ? { videoCodec: opts.videoCodec, simulcast: false } : undefined;
      const room = new Room({ adaptiveStream: adaptive, dynacast: adaptive, publishDefaults });
      state.room = room;
      room.on(RoomEvent.TrackSubscribed, (track, pub, participant) => {
        state.subscribed.push({ kind: track.kind, sid: pub.trackSid, from: participant.identity });
        note(`subscribed ${track.kind} ${pub.trackSid} of ${participant.identity}`);
        const el = track.attach();
        el.muted = track.kind === Track.Kind.Video; // audio plays out (to Chromium's fake output)
        el.autoplay = true;
        el.playsInline = true;
        if (track.kind === Track.Kind.Video && state.videoSize) sizeVideo(el);
        document.getElementById('media').appendChild(el);
        if (track.kind === Track.Kind.Video) watchFirstFrame(el);
      });
      room.on(RoomEvent.ActiveSpeakersChanged, (speakers) => state.speakers.push(speakers.map((p) => p.identity)));
      room.on(RoomEvent.ConnectionQualityChanged, (quality, p) => state.quality.push({ identity: p.identity, quality }));
      room.on(RoomEvent.DataReceived, (payload, participant, kind, topic) => {
        state.data.push({ text: new TextDecoder().decode(payload), from: participant ? participant.identity : null, topic });
      });
      room.on(RoomEvent.Disconnected, (reason) => note(`disconnected ${reason}`));
      room.on(RoomEvent.ParticipantConnected, (p) => note(`participant connected ${p.identity}`));
      room.on(RoomEvent.ParticipantDisconnected, (p) => { state.left.push(p.identity); note(`participant disconnected ${p.identity}`); });
      room.on(RoomEvent.Reconnecting, () => note('reconnecting'));
      room.on(RoomEvent.Reconnected, () => { state.reconnected += 1; note('reconnected'); });
      room.on(RoomEvent.TrackSubscriptionFailed, (sid, p, err) => note(`subscription failed ${sid} ${err}`));
      state.connectStartedAt = performance.now();
      // opts.relay: only relayed candidates, through the TURN server the join response lists.
      await room.connect(url, token, opts.relay ? { rtcConfig: { iceTransportPolicy: 'relay' } } : undefined);
      state.connectedAt = performance.now();
      return {
        ms: state.connectedAt - state.connectStartedAt,
        identity: room.localParticipant.identity,
        sid: room.localParticipant.sid,
        singlePC: !!(room.engine && room.engine.pcManager && room.engine.pcManager.mode === 'publisher-only'),
      };
    },

    async publishCameraAndMic() {
      await state.room.localParticipant.enableCameraAndMicrophone();
      const pubs = [];
      state.room.localParticipant.trackPublications.forEach((p) => pubs.push({ kind: p.kind, sid: p.trackSid, source: p.source }));
      return pubs;
    },

    // The codec the camera is sent with, from its sender's outbound-rtp stats.
    async outboundVideoCodec() {
      for (const pub of state.room.localParticipant.trackPublications.values()) {
        const sender = pub.track && pub.kind === 'video' ? pub.track.sender : null;
        if (!sender) continue;
        const stats = await sender.getStats();
        for (const r of stats.values()) {
          if (r.type === 'outbound-rtp' && r.codecId && (r.packetsSent || 0) > 0) return stats.get(r.codecId)?.mimeType || '';
        }
      }
      return '';
    },

    // LiveKit's own test hook: 'signal-reconnect' drops the signal connection (the SDK
    // resumes the session), 'full-reconnect' makes it join afresh.
    async simulate(scenario) {
      await state.room.simulateScenario(scenario);
    },

    async sendData(text, topic, to) {
      const opts = { reliable: true, topic };
      if (to) opts.destinationIdentities = to;
      await state.room.localParticipant.publishData(new TextEncoder().encode(text), opts);
    },

    // inbound-rtp stats of every subscribed track, straight from the RTCRtpReceiver
    async inbound() {
      const out = [];
      for (const p of state.room.remoteParticipants.values()) {
        for (const pub of p.trackPublications.values()) {
          const t = pub.track;
          if (!t || !t.receiver) continue;
          const report = await t.receiver.getStats();
          // The transport the media arrived on: the selected pair's local candidate.
          let protocol = '';
          let candidateType = '';
          report.forEach((s) => {
            if (s.type !== 'candidate-pair' || !s.nominated || s.state !== 'succeeded') return;
            const local = report.get(s.localCandidateId);
            if (local) { protocol = local.protocol; candidateType = local.candidateType; }
          });
          report.forEach((s) => {
            if (s.type !== 'inbound-rtp') return;
            out.push({
              from: p.identity, kind: s.kind, sid: pub.trackSid,
              packetsReceived: s.packetsReceived || 0, packetsLost: s.packetsLost || 0,
              bytesReceived: s.bytesReceived || 0, framesDecoded: s.framesDecoded || 0,
              frameWidth: s.frameWidth || 0, frameHeight: s.frameHeight || 0,
              totalSamplesReceived: s.totalSamplesReceived || 0, totalAudioEnergy: s.totalAudioEnergy || 0,
              codec: s.codecId || '', protocol, candidateType,
            });
          });
        }
      }
      return out;
    },

    // Environment self-check, no server involved: fake devices, and a local PeerConnection
    // pair that must connect over the namespace's veth addresses (host candidates).
    async selfTest() {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      const vs = stream.getVideoTracks()[0].getSettings();
      const a = new RTCPeerConnection();
      const b = new RTCPeerConnection();
      const cands = [];
      a.onicecandidate = (e) => { if (e.candidate) { cands.push(e.candidate.candidate); b.addIceCandidate(e.candidate); } };
      b.onicecandidate = (e) => { if (e.candidate) a.addIceCandidate(e.candidate); };
      stream.getTracks().forEach((t) => a.addTrack(t, stream));
      const gotTrack = new Promise((r) => { b.ontrack = () => r(); });
      const connected = new Promise((r) => { b.onconnectionstatechange = () => { if (b.connectionState === 'connected') r(); }; });
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription);
      await Promise.all([gotTrack, connected]);
      const pair = [];
      (await b.getStats()).forEach((s) => { if (s.type === 'candidate-pair' && s.nominated) pair.push(s.id); });
      stream.getTracks().forEach((t) => t.stop());
      a.close(); b.close();
      return { video: `${vs.width}x${vs.height}`, audioTracks: stream.getAudioTracks().length, candidates: cands.map((c) => c.split(' ')[4]), state: 'connected' };
    },

    state: () => ({
      connectStartedAt: state.connectStartedAt, connectedAt: state.connectedAt,
      firstVideoFrameAt: state.firstVideoFrameAt, subscribed: state.subscribed, data: state.data,
      speakers: state.speakers, quality: state.quality, reconnected: state.reconnected, left: state.left,
      log: state.log, remotes: state.room ? [...state.room.remoteParticipants.keys()] : [],
    }),

    async leave() {
      if (state.room) await state.room.disconnect();
    },
  };
})();
