// The webinar mode of the JS suite (issue 15): a whole session through Hikari's own pages in
// Chromium, with the livekit-client Hikari embeds. The host signs up in the admin, builds a
// registration funnel and a webinar through the JSON API (with the session's CSRF token, as
// the admin's own scripts do); three attendees register through the funnel's real form and
// open their personal links: two wait on the waiting screen, the host console publishes the
// fake camera and microphone and goes live, both waiting pages switch to the stage and play
// the host's video; the third joins late, on a phone-sized screen. The console counts the
// attendees from the rooms' own events. A reaction floats on every page. They chat; a question reaches only the host until it
// is highlighted; a hidden line leaves every page. The host runs a poll: two vote, everyone
// sees the results once it closes. The host pins an offer: every page shows it, a late joiner
// too, and its button carries the registrant to the funnel's step. One attendee closes the tab: its stay is recorded
// (watch time within tolerance of what the test measured). One link opened a second time
// replaces the first window. The host ends the session: every page says so, no registrant
// is left in the room, and the session's report adds it all up.

const MIN_FRAMES = 30;

export async function webinarScenario(pages, t) {
  const { check, step, metric, url, newPage } = t;
  const http = url.replace(/^ws/, 'http');
  const host = pages.pub;

  // The host's account and the funnel.
  const signedIn = await step('webinar_admin_setup', 20_000, async () => {
    await host.goto(`${http}/admin/setup`);
    await host.fill('input[name="email"]', 'host@example.jp');
    await host.fill('input[name="password"]', 'a-long-password');
    await Promise.all([host.waitForURL(`${http}/admin`), host.click('button[type="submit"]')]);
    return true;
  });
  if (!signedIn) return;
  const api = (method, path, body) => host.evaluate(async ([m, p, b]) => {
    const csrf = document.querySelector('meta[name="csrf"]').content;
    const r = await fetch(p, { method: m, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: b === undefined ? undefined : JSON.stringify(b) });
    const text = await r.text();
    if (r.status < 200 || r.status > 299) throw new Error(`${m} ${p}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }, [method, path, body]);
  const built = await step('webinar_funnel_built', 20_000, async () => {
    const f = await api('POST', '/api/v1/funnels', { slug: 'live-sale', name: 'Live sale', locale: 'ja' });
    for (const [slug, kind] of [['register', 'webinar_register'], ['thanks', 'thankyou']]) {
      const s = await api('POST', `/api/v1/funnels/${f.id}/steps`, { slug, name: slug, kind });
      const blocks = [{ id: 'h', type: 'heading', text: slug }];
      if (kind === 'webinar_register') blocks.push({ id: 'form', type: 'form', fields: [{ name: 'email', type: 'email', required: true }] });
      await api('PUT', `/api/v1/steps/${s.id}/page`, { version: 1, page: { sections: [{ id: 's', columns: [{ id: 'c', blocks }] }] } });
      await api('POST', `/api/v1/steps/${s.id}/publish`, { version: 2 });
    }
    // One session an hour from now: every registration books it, whenever the test runs.
    const w = await api('POST', '/api/v1/webinars', { funnel: f.id, title: '売れるライブ', schedule: { kind: 'one_off' } });
    await api('POST', `/api/v1/webinars/${w.id}/sessions`, { starts_at: Date.now() + 3_600_000 });
    return w;
  });
  if (!built) return;
  const webinar = built.value;

  // Attendees register through the real form; their personal links open the waiting screen.
  const register = async (page, email) => {
    await page.goto(`${http}/f/live-sale/register`);
    await page.fill('input[name="email"]', email);
    await Promise.all([page.waitForURL(/\/f\/live-sale\/thanks\?r=[0-9a-f]{32}$/), page.click('button[type="submit"]')]);
    return page.url().split('?r=')[1];
  };
  const keys = {};
  const waiting = await step('webinar_attendees_wait', 30_000, async () => {
    for (const [name, email] of [['early', 'early@example.jp'], ['late', 'late@example.jp']]) {
      keys[name] = await register(pages[name], email);
      await pages[name].goto(`${http}/join/${keys[name]}`);
      await pages[name].waitForSelector('body[data-room="waiting"]', { timeout: 10_000 });
    }
    return pages.early.evaluate(() => ({ countdown: document.getElementById('countdown').textContent, stage: !document.getElementById('stage').hidden }));
  });
  if (!waiting) return;
  check('webinar_attendees_wait', /\d\d:\d\d/.test(waiting.value.countdown) && !waiting.value.stage, `countdown ${waiting.value.countdown}`);

  // The host console publishes the camera, then goes live.
  const regs = await api('GET', `/api/v1/webinars/${webinar.id}/registrants`);
  const session = regs[0].session;
  const consoleUp = await step('webinar_console_publishes', 30_000, async () => {
    await host.goto(`${http}/admin/sessions/${session}/console`);
    await host.waitForSelector('body[data-console="publishing"]', { timeout: 25_000 });
    return host.evaluate(() => document.querySelectorAll('#preview video').length);
  });
  if (!consoleUp) return;
  check('webinar_console_publishes', consoleUp.value >= 1, `${consoleUp.value} preview video(s)`);
  const liveAt = Date.now();
  await step('webinar_go_live', 10_000, async () => {
    await host.click('#controls form[data-state="live"] button');
    await host.waitForFunction(() => document.getElementById('state').textContent === 'live', null, { timeout: 8000 });
  });

  // Every waiting page switches to the stage and plays the host's video.
  const playing = (page) => page.waitForFunction((min) => {
    const v = document.querySelector('#videos video');
    return document.body.dataset.room === 'connected' && v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames >= min;
  }, MIN_FRAMES, { timeout: 30_000 });
  const switched = await step('webinar_waiting_pages_go_live', 40_000, () => Promise.all([playing(pages.early), playing(pages.late)]));
  if (switched) metric('webinar_live_to_frames', Date.now() - liveAt);
  const joinedAt = Date.now();

  // A late joiner, on a phone-sized screen, goes straight to the stage.
  const phone = await newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  const lateJoin = await step('webinar_late_joiner_on_a_phone', 40_000, async () => {
    keys.phone = await register(phone, 'phone@example.jp');
    await phone.goto(`${http}/join/${keys.phone}`);
    await playing(phone);
    return phone.evaluate(() => ({ width: document.documentElement.scrollWidth, video: document.querySelector('#videos video').getBoundingClientRect().width }));
  });
  if (lateJoin) check('webinar_late_joiner_on_a_phone', lateJoin.value.width <= 390 && lateJoin.value.video <= 390, `page ${lateJoin.value.width} px wide, video ${Math.round(lateJoin.value.video)} px`);

  // The console counts the attendees from the room's own events.
  const counted = await step('webinar_console_counts_attendees', 15_000, () =>
    host.waitForFunction(() => document.getElementById('attendees').textContent === '3', null, { timeout: 14_000 }));
  if (counted) check('webinar_console_counts_attendees', true, '3 in the room');

  // Chat and questions: a line reaches every page; a question reaches the host (not the other
  // attendees) until the host highlights it; a line the host hides leaves every page.
  const count = (page, text) => page.evaluate((t) => [...document.querySelectorAll('#messages li')].filter((li) => li.textContent.includes(t)).length, text);
  const until = (page, text, n) => page.waitForFunction(([t, k]) => [...document.querySelectorAll('#messages li')].filter((li) => li.textContent.includes(t)).length === k, [text, n], { timeout: 10_000 });
  const say = async (page, text, question) => {
    await page.fill('#say textarea', text);
    if (question) await page.check('#say input[name="question"]');
    await page.click('#say button[type="submit"]');
  };
  const chatted = await step('webinar_chat_reaches_everyone', 20_000, async () => {
    await say(pages.early, 'こんにちは！', false);
    await Promise.all([until(pages.late, 'こんにちは！', 1), until(phone, 'こんにちは！', 1), until(host, 'こんにちは！', 1)]);
    return true;
  });
  if (chatted) check('webinar_chat_reaches_everyone', true, 'on both attendees and the console');
  // The host mutes early from its line: early's form closes and says why, its next line is
  // refused; unmuted, it writes again.
  const muteButton = (label) => host.waitForFunction((l) => [...document.querySelectorAll('#messages button[data-mute]')].some((b) => b.textContent === l), label, { timeout: 8000 });
  const mutedOk = await step('webinar_host_mutes_an_attendee', 30_000, async () => {
    await muteButton('Mute');
    await host.click('#messages button[data-mute]');
    await pages.early.waitForSelector('#say[data-muted="true"] textarea:disabled', { timeout: 8000 });
    const said = await pages.early.evaluate(() => document.getElementById('say-error').textContent);
    const refused = await pages.early.evaluate((k) => fetch(`/join/${k}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'muted?' }) }).then((r) => r.status), keys.early);
    await muteButton('Unmute');
    await host.click('#messages button[data-mute]');
    await pages.early.waitForSelector('#say[data-muted="false"] textarea:enabled', { timeout: 8000 });
    return { said, refused };
  });
  if (mutedOk) check('webinar_host_mutes_an_attendee', mutedOk.value.refused === 403 && mutedOk.value.said.length > 0, `refused ${mutedOk.value.refused}, page says "${mutedOk.value.said}"`);
  const reacted = await step('webinar_reaction_floats_everywhere', 15_000, async () => {
    await pages.early.click('#reactions button[data-reaction="clap"]');
    await Promise.all([pages.late, phone].map((p) => p.waitForFunction(() => Number(document.getElementById('reactions').dataset.received || 0) >= 1, null, { timeout: 10_000 })));
    return true;
  });
  if (reacted) check('webinar_reaction_floats_everywhere', true, 'a clap reached both other attendees');
  const asked = await step('webinar_question_reaches_the_host', 20_000, async () => {
    await say(pages.late, '価格はいくらですか？', true);
    await until(host, '価格はいくらですか？', 1);
    await until(pages.late, '価格はいくらですか？', 1);
    return count(pages.early, '価格はいくらですか？');
  });
  if (asked) check('webinar_question_reaches_the_host', asked.value === 0, `the other attendee sees it ${asked.value} time(s)`);
  const moderated = await step('webinar_host_moderates', 20_000, async () => {
    await host.locator('#messages li', { hasText: '価格はいくらですか？' }).getByRole('button', { name: 'Highlight' }).click();
    await until(pages.early, '価格はいくらですか？', 1);
    await host.locator('#messages li', { hasText: 'こんにちは！' }).getByRole('button', { name: 'Hide' }).click();
    await Promise.all([until(pages.late, 'こんにちは！', 0), until(phone, 'こんにちは！', 0)]);
    return true;
  });
  if (moderated) check('webinar_host_moderates', true, 'highlighted question shown, hidden line gone');

  // A poll: the host drafts and opens it, two attendees vote, the host sees the count; once
  // closed, every page shows the results.
  const polled = await step('webinar_poll', 30_000, async () => {
    await host.fill('#new-poll input[name="question"]', '今日の目的は？');
    await host.fill('#new-poll textarea[name="options"]', '集客\n売上\n学び');
    await host.click('#new-poll button[type="submit"]');
    await host.locator('#polls .poll', { hasText: '今日の目的は？' }).getByRole('button', { name: 'Open' }).click();
    for (const [page, option] of [[pages.early, '売上'], [phone, '売上']]) {
      await page.locator('#polls .poll[data-state="open"] button.option', { hasText: option }).click();
      await page.waitForSelector('#polls .poll .voted', { timeout: 8000 });
    }
    await host.waitForFunction(() => [...document.querySelectorAll('#polls li')].some((li) => li.textContent === '売上: 2'), null, { timeout: 8000 });
    await host.locator('#polls .poll', { hasText: '今日の目的は？' }).getByRole('button', { name: 'Close' }).click();
    await pages.late.waitForSelector('#polls .poll[data-state="closed"] .result', { timeout: 8000 });
    return pages.late.evaluate(() => [...document.querySelectorAll('#polls .result')].map((r) => r.textContent));
  });
  if (polled) check('webinar_poll', polled.value.some((t) => t.startsWith('売上 — 2 (100%)')), polled.value.join(' | '));

  // An offer: the host writes and pins it; every page shows it with the places left; its
  // button (opened in a new tab here, so the room pages stay) goes to the funnel's step with
  // the registrant's key.
  const offered = await step('webinar_offer_pinned', 30_000, async () => {
    await host.fill('#new-offer input[name="title"]', '本講座（限定）');
    await host.fill('#new-offer input[name="price"]', '¥29,800（税込）');
    await host.fill('#new-offer input[name="url"]', '/f/live-sale/thanks');
    await host.fill('#new-offer input[name="stock"]', '5');
    await host.click('#new-offer button[type="submit"]');
    await host.locator('#offers .offer', { hasText: '本講座（限定）' }).getByRole('button', { name: 'Pin' }).click();
    for (const page of [pages.early, pages.late, phone]) await page.waitForSelector('#offer:not([hidden]) #offer-title:text("本講座（限定）")', { timeout: 8000 });
    return phone.evaluate(() => ({ href: document.getElementById('offer-buy').getAttribute('href'), scarcity: document.getElementById('offer-scarcity').textContent }));
  });
  if (offered) check('webinar_offer_pinned', /\/offers\/\d+$/.test(offered.value.href) && offered.value.scarcity.includes('5'), `${offered.value.href}, ${offered.value.scarcity}`);
  if (offered) {
    const tab = await newPage();
    const clicked = await step('webinar_offer_click_carries_the_contact', 20_000, async () => {
      await tab.goto(`${http}${offered.value.href}`);
      return tab.url();
    });
    if (clicked) check('webinar_offer_click_carries_the_contact', clicked.value.endsWith(`/f/live-sale/thanks?r=${keys.phone}`), clicked.value);
    await tab.close();
  }

  // The stage: the phone raises its hand, the host brings it on stage, it accepts with its
  // (fake) camera and everyone sees it; sent back, its video leaves the other pages.
  const videosOn = (page) => page.evaluate(() => document.querySelectorAll('#videos video').length);
  const before = await videosOn(pages.late);
  const staged = await step('webinar_attendee_on_stage', 45_000, async () => {
    await phone.click('#hand');
    await host.waitForSelector('#hands li[data-on="false"] .stage-toggle', { timeout: 10_000 });
    await host.click('#hands li[data-on="false"] .stage-toggle');
    await phone.waitForSelector('#invite:not([hidden])', { timeout: 10_000 });
    await phone.click('#join-stage');
    await phone.waitForSelector('body[data-room="on-stage"]', { timeout: 15_000 });
    await pages.late.waitForFunction((n) => document.querySelectorAll('#videos video').length > n, before, { timeout: 15_000 });
    // The host sees and hears it too.
    await host.waitForSelector('#remote video[data-from^="attendee-"]', { timeout: 15_000 });
    const seen = await videosOn(pages.late);
    await host.click('#hands li[data-on="true"] .stage-toggle');
    const videos = () => pages.late.evaluate(() => [...document.querySelectorAll('#videos video')].map((v) => `${v.dataset.from}/${v.dataset.sid}`));
    for (let i = 0; i < 150; i += 1) {
      const now = await videos();
      if (now.length === before) return { seen, after: now };
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`still on the other attendee's page after the host sent it back: ${(await videos()).join(', ')}`);
  });
  if (staged) check('webinar_attendee_on_stage', staged.value.seen > before, `another attendee saw ${staged.value.seen} video(s) (${before} before), and ${staged.value.after.length} after the host sent it back`);

  // One attendee closes the tab: its stay is recorded, with the time it watched.
  await pages.early.close();
  const closedAt = Date.now();
  const early = await step('webinar_closed_tab_counts', 45_000, async () => {
    for (let i = 0; i < 200; i += 1) {
      const all = await api('GET', `/api/v1/webinars/${webinar.id}/registrants`);
      const r = all.find((x) => x.join_key === keys.early);
      if (r && r.attendance.in_room_since === null && r.attendance.watched_ms > 0) return r.attendance;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error('the closed tab is still in the room');
  });
  if (early) {
    // It joined before joinedAt (frames were playing) and left after closedAt's tab close.
    const least = closedAt - joinedAt;
    const most = Date.now() - liveAt + 2000;
    check('webinar_closed_tab_counts', early.value.watched_ms >= least - 2000 && early.value.watched_ms <= most, `watched ${early.value.watched_ms} ms, expected ${least}–${most}`);
  }

  // The same link opened again replaces the first window (one live connection per registrant).
  const again = await newPage();
  const replaced = await step('webinar_one_connection_per_link', 40_000, async () => {
    await again.goto(`${http}/join/${keys.late}`);
    await playing(again);
    // A late joiner sees the pinned offer.
    await again.waitForSelector('#offer:not([hidden]) #offer-title:text("本講座（限定）")', { timeout: 8000 });
    await pages.late.waitForSelector('body[data-room="replaced"]', { timeout: 15_000 });
    return true;
  });
  if (replaced) check('webinar_one_connection_per_link', true, 'the first window stopped');

  // The host ends the session: the pages say so, and nobody is left in the room.
  await step('webinar_end', 10_000, () => host.click('#controls form[data-state="ended"] button'));
  const ended = await step('webinar_pages_show_the_end', 20_000, () => Promise.all([phone, again].map((p) => p.waitForSelector('body[data-room="ended"]', { timeout: 15_000 }))));
  if (ended) check('webinar_pages_show_the_end', true, 'ended on every open page');
  const out = await step('webinar_everyone_left', 30_000, async () => {
    for (let i = 0; i < 100; i += 1) {
      const all = await api('GET', `/api/v1/webinars/${webinar.id}/registrants`);
      if (all.every((r) => r.attendance.in_room_since === null && r.attendance.watched_ms > 0)) return all;
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error('a registrant is still in the room');
  });
  if (out) {
    const events = await api('GET', '/api/v1/events?name=webinar_left&limit=50');
    check('webinar_everyone_left', out.value.length === 3 && events.length >= 3, `${out.value.length} registrants out, ${events.length} webinar_left events`);
    const said = await api('GET', '/api/v1/events?name=chat_message&limit=50');
    const questions = await api('GET', '/api/v1/events?name=question_asked&limit=50');
    const votes = await api('GET', '/api/v1/events?name=poll_voted&limit=50');
    const shown = await api('GET', '/api/v1/events?name=offer_shown&limit=50');
    const clicks = await api('GET', '/api/v1/events?name=offer_clicked&limit=50');
    const claps = await api('GET', '/api/v1/events?name=reaction&limit=50');
    check('webinar_interaction_events', said.length === 1 && questions.length === 1 && votes.length === 2 && shown.length === 3 && clicks.length === 1 && claps.length === 1,
      `${said.length} chat_message, ${questions.length} question_asked, ${votes.length} poll_voted, ${shown.length} offer_shown, ${clicks.length} offer_clicked, ${claps.length} reaction`);
  }
  // The report: the registrations, attendance, watch time, activity and the curve.
  const report = await step('webinar_report', 15_000, async () => {
    const r = await api('GET', `/api/v1/sessions/${session}/report`);
    await host.goto(`${http}/admin/sessions/${session}/report`);
    // A level line has a zero-height box, which Playwright calls hidden: wait for it to exist.
    await host.waitForSelector('figure.curve svg polyline', { state: 'attached', timeout: 8000 });
    return r;
  });
  if (report) {
    const r = report.value;
    const peak = Math.max(0, ...r.attendees_by_minute);
    check('webinar_report', r.registrations === 3 && r.attended === 3 && r.show_up_rate === 1 && r.watch_seconds_median > 0 && peak >= 1 &&
      r.activity.chat_message === 1 && r.activity.poll_voted === 2 && Math.abs(r.offer_click_rate - 1 / 3) < 1e-9,
      `${r.registrations} registered, ${r.attended} attended, median ${r.watch_seconds_median} s, peak ${peak} over ${r.attendees_by_minute.length} min, click rate ${r.offer_click_rate.toFixed(2)}`);
  }
  const refused = await phone.evaluate(async (k) => (await fetch(`/join/${k}/pass`, { method: 'POST' })).status, keys.phone);
  check('webinar_no_pass_after_the_end', refused === 409, `pass → ${refused}`);
}
