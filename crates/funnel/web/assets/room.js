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
        r.on(LK.RoomEvent.TrackSubscribed, function (track, publication, participant) {
          var media = track.attach();
          media.playsInline = true;
          media.dataset.sid = track.sid || '';
          media.dataset.from = participant ? participant.identity : '';
          el('videos').appendChild(media);
          videos();
        });
        r.on(LK.RoomEvent.TrackUnsubscribed, function (track) {
          track.detach().forEach(function (m) { m.remove(); });
          // A track stopped before it is unsubscribed (its publisher left, or was sent back
          // from the stage) is already detached: its elements are found by sid.
          document.querySelectorAll('#videos [data-sid="' + track.sid + '"]').forEach(function (m) { m.remove(); });
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
          if (reason === LK.DisconnectReason.PARTICIPANT_REMOVED) {
            replaced = true;
            say(root.dataset.tRemoved);
            mark('removed');
          } else if (reason === LK.DisconnectReason.DUPLICATE_IDENTITY) {
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
        if (e === 403) { replaced = true; say(root.dataset.tRemoved); mark('removed'); return; }
        say(String(e && e.message || e));
        mark('failed');
      });
  }

  // The chat: what was said (history, then notices, each replacing its line by id), and
  // a line to send. Text goes in with textContent only.
  var chatLoaded = false;
  function line(m) {
    var li = document.querySelector('#messages li[data-id="' + m.id + '"]') || document.createElement('li');
    li.dataset.id = String(m.id);
    li.className = [m.kind, m.mine ? 'mine' : '', m.host ? 'host' : '', m.highlighted ? 'highlighted' : ''].join(' ').trim();
    li.textContent = '';
    var who = document.createElement('strong');
    who.textContent = m.host ? root.dataset.tHost : m.name;
    var what = document.createElement('span');
    what.textContent = ' ' + m.text;
    li.appendChild(who);
    li.appendChild(what);
    if (m.answered) {
      var done = document.createElement('em');
      done.textContent = ' (' + root.dataset.tAnswered + ')';
      li.appendChild(done);
    }
    if (!li.parentNode) el('messages').appendChild(li);
    el('messages').dataset.count = String(el('messages').children.length);
    li.scrollIntoView({ block: 'nearest' });
  }
  function unline(id) {
    var li = document.querySelector('#messages li[data-id="' + id + '"]');
    if (li) li.remove();
    el('messages').dataset.count = String(el('messages').children.length);
  }
  function loadChat() {
    if (chatLoaded) return;
    chatLoaded = true;
    fetch('/join/' + key + '/messages').then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) { list.forEach(line); });
  }
  el('say').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    var body = { text: form.text.value, kind: form.question.checked ? 'question' : 'chat' };
    el('say-error').textContent = '';
    fetch('/join/' + key + '/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().then(function (j) {
          if (r.status === 201) { line(j); form.text.value = ''; form.question.checked = false; }
          else el('say-error').textContent = r.status === 429 ? root.dataset.tTooFast : (j.message || String(r.status));
        });
      })
      .catch(function (err) { el('say-error').textContent = String(err); });
  });

  // A host muted this attendee in the chat (or let it write again): the form says so.
  function muted(on) {
    var form = el('say');
    form.dataset.muted = on ? 'true' : 'false';
    Array.prototype.forEach.call(form.elements, function (f) { f.disabled = on; });
    el('say-error').textContent = on ? root.dataset.tMuted : '';
  }

  // Polls: each open or closed poll as a card (replaced by id); options are buttons until
  // this registrant votes; results (bars with counts) once the poll is closed.
  var myVotes = {};
  function card(p) {
    if (p.mine !== null && p.mine !== undefined) myVotes[p.id] = p.mine;
    var box = document.querySelector('#polls [data-poll="' + p.id + '"]') || document.createElement('div');
    box.dataset.poll = String(p.id);
    box.dataset.state = p.state;
    box.className = 'poll';
    box.textContent = '';
    var q = document.createElement('p');
    var strong = document.createElement('strong');
    strong.textContent = p.question;
    q.appendChild(strong);
    box.appendChild(q);
    var total = (p.votes || []).reduce(function (a, b) { return a + b; }, 0);
    p.options.forEach(function (o, i) {
      if (p.state === 'closed' && p.votes) {
        var row = document.createElement('div');
        row.className = 'result' + (myVotes[p.id] === i ? ' mine' : '');
        var pct = total ? Math.round(100 * p.votes[i] / total) : 0;
        row.textContent = o + ' — ' + p.votes[i] + ' (' + pct + '%)';
        row.style.backgroundSize = pct + '% 100%';
        box.appendChild(row);
      } else if (myVotes[p.id] === undefined && p.state === 'open') {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'btn option';
        b.textContent = o;
        b.addEventListener('click', function () { vote(p, i); });
        box.appendChild(b);
      }
    });
    if (p.state === 'open' && myVotes[p.id] !== undefined) {
      var t = document.createElement('p');
      t.className = 'small voted';
      t.textContent = p.options[myVotes[p.id]] + ' — ' + root.dataset.tVoted;
      box.appendChild(t);
    }
    if (!box.parentNode) el('polls').appendChild(box);
  }
  function vote(p, i) {
    fetch('/join/' + key + '/polls/' + p.id + '/vote', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ choice: i }) })
      .then(function (r) { return r.json().then(function (j) { if (r.status === 201) card(j); }); });
  }
  function loadPolls() {
    fetch('/join/' + key + '/polls').then(function (r) { return r.ok ? r.json() : []; }).then(function (list) { list.forEach(card); });
  }

  // The pinned offer: shown (and told to the server once), with its countdown or the places
  // left; its button goes through the server, which records the click.
  var offerId = null;
  var offerEnds = null;
  function offerTick() {
    if (offerEnds === null) return;
    var left = Math.max(0, Math.round((offerEnds - Date.now()) / 1000));
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    el('offer-scarcity').textContent = el('offer').dataset.tEnds + ' ' + Math.floor(left / 3600) + ':' + two(Math.floor(left % 3600 / 60)) + ':' + two(left % 60);
  }
  setInterval(offerTick, 1000);
  function pin(o) {
    if (!o || !o.pinned) { unpin(o ? o.id : offerId); return; }
    offerId = o.id;
    el('offer').dataset.offer = String(o.id);
    el('offer-title').textContent = o.title;
    el('offer-price').textContent = o.price;
    el('offer-buy').href = '/join/' + key + '/offers/' + o.id;
    offerEnds = o.ends_at === null || o.ends_at === undefined ? null : o.ends_at;
    el('offer-scarcity').textContent = o.stock === null || o.stock === undefined ? '' : el('offer').dataset.tLeft + ' ' + o.stock;
    offerTick();
    el('offer').hidden = false;
    fetch('/join/' + key + '/offers/' + o.id + '/shown', { method: 'POST' });
  }
  function unpin(id) {
    if (id !== offerId) return;
    offerId = null;
    offerEnds = null;
    el('offer').hidden = true;
    delete el('offer').dataset.offer;
  }
  function loadOffer() {
    fetch('/join/' + key + '/offer').then(function (r) { return r.ok ? r.json() : null; }).then(function (o) { if (o) pin(o); });
  }

  // Reactions: fixed buttons; every page floats what arrives (and counts it).
  var EMOJI = { thumbs_up: '👍', heart: '❤️', clap: '👏', laugh: '😂', party: '🎉', wow: '😮' };
  document.querySelectorAll('#reactions button').forEach(function (b) {
    b.addEventListener('click', function () {
      fetch('/join/' + key + '/reactions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reaction: b.dataset.reaction }) });
    });
  });
  function float(r) {
    var box = el('reactions');
    box.dataset.received = String(Number(box.dataset.received || 0) + 1);
    var f = document.createElement('span');
    f.className = 'float';
    f.textContent = EMOJI[r] || '';
    box.appendChild(f);
    setTimeout(function () { f.remove(); }, 2000);
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
      loadChat();
      loadPolls();
      loadOffer();
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
    else if (n.type === 'message') line(n.message);
    else if (n.type === 'removed') unline(n.id);
    else if (n.type === 'poll') card(n.poll);
    else if (n.type === 'offer') pin(n.offer);
    else if (n.type === 'reaction') float(n.reaction);
    else if (n.type === 'unpinned') unpin(n.id);
    else if (n.type === 'stage') staged(n.on);
    else if (n.type === 'muted') muted(n.muted);
  };
  enter(state);

  // The hand, and the stage a host may invite this attendee onto: the camera and microphone
  // start only when the attendee accepts (the host's invitation gives the right to publish).
  var raised = false;
  el('hand').addEventListener('click', function () {
    fetch('/join/' + key + '/hand', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ raised: !raised }) })
      .then(function (r) {
        if (r.status === 204) {
          raised = !raised;
          el('hand').textContent = raised ? root.dataset.tLower : root.dataset.tRaise;
          el('hand').setAttribute('aria-pressed', String(raised));
        } else if (r.status === 403) { say(root.dataset.tRemoved); }
      });
  });
  function media(on) {
    if (!room) return Promise.resolve();
    return Promise.all([room.localParticipant.setCameraEnabled(on), room.localParticipant.setMicrophoneEnabled(on)]);
  }
  function staged(on) {
    raised = false;
    el('hand').textContent = root.dataset.tRaise;
    el('invite').hidden = !on;
    el('hand').hidden = on;
    if (!on) {
      el('leave-stage').hidden = true;
      media(false).catch(function () {});
      mark(room ? 'connected' : 'disconnected');
    }
  }
  el('join-stage').addEventListener('click', function () {
    el('invite').hidden = true;
    media(true).then(function () { el('leave-stage').hidden = false; mark('on-stage'); })
      .catch(function (e) { say(String(e && e.message || e)); });
  });
  el('leave-stage').addEventListener('click', function () {
    el('leave-stage').hidden = true;
    el('hand').hidden = false;
    media(false).catch(function () {});
    mark('connected');
  });
})();
