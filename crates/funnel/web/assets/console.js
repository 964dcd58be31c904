// The host console (/admin/sessions/<id>/console): joins the session's room with the host's
// token, publishes the camera and microphone (and the screen on demand), follows the
// session's notices, and changes its state through the JSON API so the host's media keeps
// flowing (the forms post without a script). Its state is mirrored on <body data-console>.
(function () {
  'use strict';
  var root = document.getElementById('console');
  if (!root || !root.dataset.token || !window.LivekitClient) return;
  var LK = window.LivekitClient;
  var id = root.dataset.session;
  var csrf = (document.querySelector('meta[name="csrf"]') || {}).content || '';
  var el = function (x) { return document.getElementById(x); };
  var t = window.hikariText || function (k) { return k; };
  var WORDS = { connecting: 'Connecting', connected: 'Connected', publishing: 'Publishing', disconnected: 'Disconnected', reconnecting: 'Reconnecting',
    ended: 'StateEnded', scheduled: 'StateScheduled', backstage: 'StateBackstage', live: 'StateLive', draft: 'PollDraft', open: 'PollOpen', closed: 'PollClosed' };
  function word(w) { return WORDS[w] ? t(WORDS[w]) : w; }
  var room = new LK.Room({ adaptiveStream: true, dynacast: true });

  // `what` stays the machine word on <body data-console>; the page shows it in words.
  function mark(what, shown) { document.body.dataset.console = what; el('connection').textContent = shown || word(what); }

  function label() {
    var p = room.localParticipant;
    el('camera').textContent = p.isCameraEnabled ? t('CameraOff') : t('CameraOn');
    el('mic').textContent = p.isMicrophoneEnabled ? t('MicOff') : t('MicOn');
    el('screen').textContent = p.isScreenShareEnabled ? t('StopSharing') : t('ShareScreen');
  }

  function preview() {
    var box = el('preview');
    box.textContent = '';
    room.localParticipant.videoTrackPublications.forEach(function (pub) {
      if (pub.track) {
        var v = pub.track.attach();
        v.muted = true;
        box.appendChild(v);
      }
    });
    box.dataset.count = String(box.querySelectorAll('video').length);
  }

  function showState(state) {
    root.dataset.state = state;
    el('state').textContent = word(state);
    document.querySelectorAll('#controls form').forEach(function (f) {
      var to = f.dataset.state;
      var order = ['scheduled', 'backstage', 'live', 'ended'];
      f.hidden = order.indexOf(to) <= order.indexOf(state);
    });
    if (state === 'ended') { room.disconnect(); mark('ended'); }
  }

  document.querySelectorAll('#controls form').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      fetch('/api/v1/sessions/' + id + '/state', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ state: f.dataset.state })
      }).then(function (r) { return r.json(); }).then(function (s) { if (s.state) showState(s.state); });
    });
  });

  el('camera').addEventListener('click', function () {
    room.localParticipant.setCameraEnabled(!room.localParticipant.isCameraEnabled).then(function () { label(); preview(); });
  });
  el('mic').addEventListener('click', function () {
    room.localParticipant.setMicrophoneEnabled(!room.localParticipant.isMicrophoneEnabled).then(label);
  });
  el('screen').addEventListener('click', function () {
    room.localParticipant.setScreenShareEnabled(!room.localParticipant.isScreenShareEnabled).then(function () { label(); preview(); })
      .catch(function () { label(); });
  });

  room.on(LK.RoomEvent.Reconnecting, function () { mark('reconnecting'); });
  room.on(LK.RoomEvent.Reconnected, function () { mark('connected'); });
  room.on(LK.RoomEvent.Disconnected, function () { mark('disconnected'); });
  room.on(LK.RoomEvent.LocalTrackPublished, function () { preview(); label(); });
  // The others on stage (co-hosts, an attendee brought on stage, an encoder): seen and heard.
  room.on(LK.RoomEvent.TrackSubscribed, function (track, publication, participant) {
    var media = track.attach();
    media.playsInline = true;
    media.dataset.sid = track.sid || '';
    media.dataset.from = participant ? participant.identity : '';
    el('remote').appendChild(media);
    el('remote').dataset.count = String(el('remote').querySelectorAll('video').length);
  });
  room.on(LK.RoomEvent.TrackUnsubscribed, function (track) {
    track.detach().forEach(function (m) { m.remove(); });
    document.querySelectorAll('#remote [data-sid="' + track.sid + '"]').forEach(function (m) { m.remove(); });
    el('remote').dataset.count = String(el('remote').querySelectorAll('video').length);
  });

  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
  // Browsers give cameras and microphones only to secure pages.
  if (!window.isSecureContext) {
    mark('failed: the camera and microphone need this page over https (or on localhost)', t('NeedsHttps'));
  } else {
    mark('connecting');
    room.connect(url, root.dataset.token)
      .then(function () { mark('connected'); return room.localParticipant.enableCameraAndMicrophone(); })
      .then(function () { label(); preview(); mark('publishing'); })
      .catch(function (e) { var why = (e && e.message) || String(e); mark('failed: ' + why, t('Failed') + why); });
  }

  // The chat: every message (hidden ones too), with the host's moderation buttons.
  function moderate(id, change) {
    fetch('/api/v1/messages/' + id, {
      method: 'PATCH', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(change)
    });
  }
  function button(text, fn) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', fn);
    return b;
  }
  function line(m) {
    var li = document.querySelector('#messages li[data-id="' + m.id + '"]') || document.createElement('li');
    li.dataset.id = String(m.id);
    li.className = [m.kind, m.hidden ? 'hidden' : '', m.highlighted ? 'highlighted' : '', m.answered ? 'answered' : ''].join(' ').trim();
    li.textContent = '';
    var who = document.createElement('strong');
    who.textContent = (m.kind === 'question' ? '❓ ' : '') + m.name;
    var what = document.createElement('span');
    what.textContent = ' ' + m.text + ' ';
    li.appendChild(who);
    li.appendChild(what);
    li.appendChild(button(m.hidden ? t('Show') : t('Hide'), function () { moderate(m.id, { hidden: !m.hidden }); }));
    li.appendChild(button(m.highlighted ? t('Unhighlight') : t('Highlight'), function () { moderate(m.id, { highlighted: !m.highlighted }); }));
    if (m.kind === 'question') li.appendChild(button(m.answered ? t('NotAnswered') : t('Answered'), function () { moderate(m.id, { answered: !m.answered }); }));
    // An attendee's line: mute its author in the chat, or let it write again.
    if (m.author && m.author.attendee !== undefined) {
      var who = m.author.attendee;
      var mute = button(muted[who] ? t('Unmute') : t('Mute'), function () { stageAct('/mutes', { registrant: who, muted: !muted[who] }); });
      mute.dataset.mute = String(who);
      li.appendChild(mute);
    }
    if (!li.parentNode) el('messages').appendChild(li);
    el('messages').dataset.count = String(el('messages').children.length);
  }
  fetch('/admin/sessions/' + id + '/messages', { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : []; }).then(function (list) { list.forEach(line); });
  el('say').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    fetch('/admin/sessions/' + id + '/messages', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ text: form.text.value })
    }).then(function (r) { return r.json().then(function (j) {
      if (r.status === 201) { line(j); form.text.value = ''; el('say-error').textContent = ''; }
      else el('say-error').textContent = j.message || String(r.status);
    }); });
  });

  // Polls: draft, open, close; counts all along.
  function api(method, path, body) {
    return fetch(path, {
      method: method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); });
  }
  function poll(p) {
    var box = document.querySelector('#polls [data-poll="' + p.id + '"]') || document.createElement('div');
    box.dataset.poll = String(p.id);
    box.dataset.state = p.state;
    box.className = 'poll';
    box.textContent = '';
    var q = document.createElement('strong');
    q.textContent = p.question + ' (' + word(p.state) + ') ';
    box.appendChild(q);
    var next = p.state === 'draft' ? 'open' : p.state === 'open' ? 'closed' : null;
    if (next) box.appendChild(button(next === 'open' ? t('Open') : t('Close'), function () {
      api('POST', '/api/v1/polls/' + p.id + '/state', { state: next }).then(function (r) {
        if (r.status === 200) poll(r.body); else el('poll-error').textContent = r.body.message || String(r.status);
      });
    }));
    var ul = document.createElement('ul');
    p.options.forEach(function (o, i) {
      var li = document.createElement('li');
      li.textContent = o + ': ' + p.votes[i];
      ul.appendChild(li);
    });
    box.appendChild(ul);
    if (!box.parentNode) el('polls').appendChild(box);
  }
  api('GET', '/api/v1/sessions/' + id + '/polls').then(function (r) { if (r.status === 200) r.body.forEach(poll); });
  el('new-poll').addEventListener('submit', function (e) {
    e.preventDefault();
    var f = e.target;
    var options = f.elements.options.value.split('\n').map(function (o) { return o.trim(); }).filter(Boolean);
    api('POST', '/api/v1/sessions/' + id + '/polls', { question: f.elements.question.value, options: options }).then(function (r) {
      if (r.status === 201) { poll(r.body); f.reset(); el('poll-error').textContent = ''; }
      else el('poll-error').textContent = r.body.message || String(r.status);
    });
  });

  // Offers: write them, pin one (the others come off the screens).
  function offer(o) {
    var box = document.querySelector('#offers [data-offer="' + o.id + '"]') || document.createElement('div');
    box.dataset.offer = String(o.id);
    box.className = 'offer' + (o.pinned ? ' pinned' : '');
    box.textContent = '';
    var title = document.createElement('strong');
    title.textContent = o.title + ' ' + o.price + (o.pinned ? t('Pinned') : '') + ' ';
    box.appendChild(title);
    box.appendChild(button(o.pinned ? t('Unpin') : t('Pin'), function () {
      api('POST', '/api/v1/offers/' + o.id + '/pin', { pinned: !o.pinned }).then(function (r) {
        if (r.status === 200) offer(r.body); else el('offer-error').textContent = r.body.message || String(r.status);
      });
    }));
    if (!box.parentNode) el('offers').appendChild(box);
  }
  api('GET', '/api/v1/sessions/' + id + '/offers').then(function (r) { if (r.status === 200) r.body.forEach(offer); });
  el('new-offer').addEventListener('submit', function (e) {
    e.preventDefault();
    var f = e.target;
    var body = { title: f.elements.title.value, price: f.elements.price.value, url: f.elements.url.value };
    if (f.elements.stock.value !== '') body.stock = Number(f.elements.stock.value);
    if (f.elements.minutes.value !== '') body.ends_at = Date.now() + Number(f.elements.minutes.value) * 60000;
    api('POST', '/api/v1/sessions/' + id + '/offers', body).then(function (r) {
      if (r.status === 201) { offer(r.body); f.reset(); el('offer-error').textContent = ''; }
      else el('offer-error').textContent = r.body.message || String(r.status);
    });
  });

  // OBS (or any RTMP/SRT encoder) as the presenter: its input is made when first asked.
  el('encoder-show').addEventListener('click', function () {
    api('POST', '/api/v1/sessions/' + id + '/encoder').then(function (r) {
      if (r.status !== 200) { el('encoder-error').textContent = r.body.message || String(r.status); return; }
      el('encoder-url').value = r.body.url;
      el('encoder-key').value = r.body.stream_key;
      el('encoder-srt').value = r.body.srt_url || '';
      el('encoder-srt-row').hidden = !r.body.srt_url;
      el('encoder').hidden = false;
      el('encoder-show').hidden = true;
    });
  });

  // Raised hands and attendees on stage: bring on stage, send back, remove.
  function stageAct(path, body) {
    api('POST', '/api/v1/sessions/' + id + path, body).then(function (r) {
      if (r.status === 200) { el('stage-error').textContent = ''; hands(r.body); }
      else el('stage-error').textContent = r.body.message || String(r.status);
    });
  }
  // Attendees muted in the chat, by registrant id; their lines' buttons follow.
  var muted = {};
  function mutes(list) {
    muted = {};
    (list || []).forEach(function (who) { muted[who] = true; });
    document.querySelectorAll('#messages button[data-mute]').forEach(function (b) {
      b.textContent = muted[b.dataset.mute] ? t('Unmute') : t('Mute');
    });
  }
  function hands(s) {
    mutes(s.muted);
    var list = el('hands');
    list.textContent = '';
    var row = function (who, name, on) {
      var li = document.createElement('li');
      li.dataset.registrant = String(who);
      li.dataset.on = String(on);
      var label = document.createElement('span');
      label.textContent = (name || ('#' + who)) + (on ? t('OnStage') : ' ✋ ');
      li.appendChild(label);
      var toggle = document.createElement('button');
      toggle.type = 'button';
      toggle.className = 'stage-toggle';
      toggle.textContent = on ? t('SendBack') : t('BringOnStage');
      toggle.addEventListener('click', function () { stageAct('/stage', { registrant: who, on: !on }); });
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'danger';
      remove.textContent = t('Remove');
      remove.addEventListener('click', function () {
        if (window.confirm(t('ConfirmRemove'))) stageAct('/removals', { registrant: who });
      });
      li.appendChild(toggle);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(remove);
      list.appendChild(li);
    };
    s.on_stage.forEach(function (who) { row(who, '', true); });
    s.hands.forEach(function (h) { row(h[0], h[1], false); });
    list.dataset.count = String(list.children.length);
  }
  function refreshStage() {
    api('GET', '/api/v1/sessions/' + id + '/stage').then(function (r) { if (r.status === 200) hands(r.body); });
  }
  refreshStage();

  var events = new EventSource('/admin/sessions/' + id + '/events');
  events.onmessage = function (m) {
    var n;
    try { n = JSON.parse(m.data); } catch (e) { return; }
    if (n.type === 'state') showState(n.state);
    else if (n.type === 'attendees') el('attendees').textContent = String(n.count);
    else if (n.type === 'message') line(n.message);
    else if (n.type === 'poll') poll(n.poll);
    else if (n.type === 'offer') offer(n.offer);
    else if (n.type === 'hand' || n.type === 'stage' || n.type === 'muted') refreshStage();
  };
})();
