// The webinar room page (/join/<key>): follows the session's notices (server-sent events),
// shows the waiting screen with a countdown, and once the session is live joins its room
// with the embedded livekit-client (adaptive stream and dynacast on) and plays the hosts'
// tracks. The page's state is mirrored on <body data-room="…"> for people's tools and tests.
(function () {
  'use strict';
  var root = document.getElementById('room');
  if (!root || !window.LivekitClient) return;
  var LK = window.LivekitClient;
  var key = root.dataset.key;
  var el = function (id) { return document.getElementById(id); };
  var status = el('status');
  var room = null;
  var joining = false;
  // Opened again elsewhere: this window stays out, or the two would take turns.
  var replaced = false;
  var state = root.dataset.state;

  function say(text) { status.textContent = text || ''; }
  function mark(what) { document.body.dataset.room = what; }
  function show(which) {
    ['waiting', 'stage', 'ended'].forEach(function (id) { el(id).hidden = id !== which; });
  }

  // The countdown to the start, in whole seconds, on the viewer's own clock.
  var starts = Date.parse(root.dataset.starts);
  function tick() {
    var left = Math.max(0, Math.round((starts - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    el('countdown').textContent = (h > 0 ? h + ':' : '') + two(m) + ':' + two(s);
  }
  tick();
  var clock = setInterval(tick, 1000);

  function videos() {
    el('videos').dataset.count = String(el('videos').querySelectorAll('video').length);
  }

  function leave() {
    if (room) { room.disconnect(); room = null; }
  }

  function join() {
    if (room || joining || replaced) return;
    joining = true;
    say(root.dataset.tConnecting);
    fetch('/join/' + key + '/pass', { method: 'POST', credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (pass) {
        var r = new LK.Room({ adaptiveStream: true, dynacast: true });
        r.on(LK.RoomEvent.TrackSubscribed, function (track) {
          var media = track.attach();
          media.playsInline = true;
          el('videos').appendChild(media);
          videos();
        });
        r.on(LK.RoomEvent.TrackUnsubscribed, function (track) {
          track.detach().forEach(function (m) { m.remove(); });
          videos();
        });
        r.on(LK.RoomEvent.AudioPlaybackStatusChanged, function () {
          el('sound').hidden = r.canPlaybackAudio;
        });
        r.on(LK.RoomEvent.Reconnecting, function () { say(root.dataset.tReconnecting); mark('reconnecting'); });
        r.on(LK.RoomEvent.Reconnected, function () { say(''); mark('connected'); });
        r.on(LK.RoomEvent.Disconnected, function (reason) {
          room = null;
          // The end closes the room: the page already says so.
          if (state === 'ended') return;
          if (reason === LK.DisconnectReason.DUPLICATE_IDENTITY) {
            replaced = true;
            say(root.dataset.tReplaced);
            mark('replaced');
          } else {
            mark('disconnected');
          }
        });
        room = r;
        var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
        return r.connect(url, pass.token).then(function () {
          joining = false;
          say('');
          mark('connected');
          el('sound').hidden = r.canPlaybackAudio;
        });
      })
      .catch(function (e) {
        joining = false;
        room = null;
        say(String(e && e.message || e));
        mark('failed');
      });
  }

  el('sound').addEventListener('click', function () {
    if (room) room.startAudio().then(function () { el('sound').hidden = room.canPlaybackAudio; });
  });

  function enter(next) {
    state = next;
    root.dataset.state = next;
    if (next === 'live') {
      clearInterval(clock);
      show('stage');
      join();
    } else if (next === 'ended') {
      clearInterval(clock);
      leave();
      show('ended');
      mark('ended');
    } else {
      show('waiting');
      say(next === 'backstage' ? root.dataset.tBackstage : '');
      mark('waiting');
    }
  }

  var events = new EventSource('/join/' + key + '/events');
  events.onmessage = function (m) {
    var n;
    try { n = JSON.parse(m.data); } catch (e) { return; }
    if (n.type === 'state' && n.state !== state) enter(n.state);
    else if (n.type === 'state' && n.state === 'live' && !room) enter('live');
    else if (n.type === 'attendees') el('attendees').textContent = String(n.count);
  };
  enter(state);
})();
