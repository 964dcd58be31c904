// Headless Chromium against a running funnel server (BASE, TOKEN from the environment).
// 1. An admin signs up on the first-run page, builds a 3-step funnel in the builder (drags and
//    reorders blocks, edits properties, sees the live preview, saves, publishes, previews).
// 2. A visitor arrives from a UTM link, types a Japanese name and a bad email, sees the field
//    error, fixes it and reaches the thank-you page; the contact and events carry the UTM.
// 3. The admin sees the visitor in the funnel report.
// 4. The admin starts an A/B experiment on the opt-in step with the form; after 30 visitors
//    the results page shows the chance-to-win bar and one chart line per arm.
// 5. Webinar registration: a visitor in New York, on a phone, registers for a Tokyo webinar;
//    the thank-you step shows the ticket with the Tokyo time and the browser's own, and the
//    calendar file downloads.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const BASE = process.env.BASE, TOKEN = process.env.TOKEN;
const ARTIFACTS = process.env.ARTIFACTS || "artifacts";
const api = async (path) => {
  const r = await fetch(BASE + path, { headers: { authorization: "Bearer " + TOKEN } });
  assert.equal(r.status, 200, path);
  return r.json();
};
const send = async (method, path, body) => {
  const r = await fetch(BASE + path, {
    method, headers: { authorization: "Bearer " + TOKEN, "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
};
const step = (msg) => console.log("  - " + msg);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const admin = await browser.newContext({ locale: "en-US" });
const page = await admin.newPage();
page.setDefaultTimeout(15000);
page.on("pageerror", (e) => console.log("  page error:", e.message));
// Nothing leaves 127.0.0.1.
await admin.route((url) => url.hostname !== "127.0.0.1", (r) => r.abort());
try {
  step("first-run page creates the admin");
  await page.goto(BASE + "/admin");
  await page.waitForURL(/\/admin\/setup$/);
  await page.fill('input[name="email"]', "owner@example.com");
  await page.fill('input[name="password"]', "correct horse battery");
  await page.click('button[type="submit"]');
  await page.waitForURL(BASE + "/admin");

  step("create a funnel and three steps");
  await page.fill('input[name="name"]', "E2E ウェビナー");
  await page.fill('input[name="slug"]', "e2e");
  await page.click('text=Create funnel');
  await page.waitForURL(/\/admin\/funnels\/\d+$/);
  const funnelUrl = page.url();
  for (const [name, slug, kind] of [["Opt-in", "optin", "optin"], ["Thanks", "thanks", "thankyou"], ["Offer", "offer", "sales"]]) {
    await page.fill('form[data-api$="/steps"] input[name="name"]', name);
    await page.fill('form[data-api$="/steps"] input[name="slug"]', slug);
    await page.selectOption('form[data-api$="/steps"] select[name="kind"]', kind);
    await Promise.all([page.waitForEvent("load"), page.click("text=Add step")]);
  }
  assert.equal(await page.locator("tr[data-step]").count(), 3);
  const names = () => page.locator("tr[data-step] td:nth-child(2)").allTextContents();
  step("reorder steps with ↑/↓ and set the funnel's language");
  await Promise.all([page.waitForEvent("load"), page.locator("tr[data-step]").nth(2).locator('button[data-move="-1"]').click()]);
  assert.deepEqual(await names(), ["Opt-in", "Offer", "Thanks"]);
  await Promise.all([page.waitForEvent("load"), page.locator("tr[data-step]").nth(1).locator('button[data-move="1"]').click()]);
  assert.deepEqual(await names(), ["Opt-in", "Thanks", "Offer"]);
  await page.selectOption('form[data-method="PATCH"] select[name="locale"]', "ja");
  await Promise.all([page.waitForEvent("load"), page.click("text=Save settings")]);
  assert.equal(await page.locator('form[data-method="PATCH"] select[name="locale"]').inputValue(), "ja");

  const edit = async (row) => {
    await page.goto(funnelUrl);
    await page.locator("tr[data-step]").nth(row).locator("text=Edit page").click();
    await page.waitForURL(/\/edit$/);
    await page.locator("#status", { hasText: "Version" }).waitFor();
  };
  const publish = async () => {
    await page.click("#publish");
    await page.locator("#status", { hasText: "Published version" }).waitFor();
  };

  step("opt-in page: drag blocks in, reorder by drag, edit, live preview, save, publish");
  await edit(0);
  const zone = page.locator(".dropzone").first();
  // Drop into the zone's bottom padding, below any block: appends.
  const dropAtEnd = async (type) => {
    const box = await zone.boundingBox();
    await page.locator(`.palette-item[data-add="${type}"]`).dragTo(zone, { targetPosition: { x: 3, y: box.height - 3 } });
  };
  await dropAtEnd("heading");
  await dropAtEnd("form");
  await dropAtEnd("text");
  let types = await page.locator("li.b-block").evaluateAll((els) => els.map((e) => e.dataset.type));
  assert.deepEqual(types, ["heading", "form", "text"]);
  // Drag the text block onto the top half of the heading: it moves first.
  await page.locator('li.b-block[data-type="text"]').dragTo(page.locator('li.b-block[data-type="heading"]'), { targetPosition: { x: 20, y: 3 } });
  types = await page.locator("li.b-block").evaluateAll((els) => els.map((e) => e.dataset.type));
  assert.deepEqual(types, ["text", "heading", "form"]);
  await page.locator('li.b-block[data-type="heading"]').click();
  await page.fill('#props input[name="text"]', "無料ウェビナーのご案内");
  await page.locator('li.b-block[data-type="text"]').click();
  await page.fill('#props textarea[name="text"]', "<script>alert(1)</script> は表示されるだけ");
  await page.fill("#css", "h2 { color: #0b7285 }");
  const preview = page.frameLocator("#preview");
  await preview.locator("h2", { hasText: "無料ウェビナーのご案内" }).waitFor();
  assert.equal(await preview.locator("p.text").textContent(), "<script>alert(1)</script> は表示されるだけ");
  await page.click("#save");
  await page.locator("#status", { hasText: "Saved (version 2)" }).waitFor();
  await publish();
  await page.screenshot({ path: `${ARTIFACTS}/builder.png`, fullPage: true });

  step("the saved draft renders on the preview page");
  const previewUrl = await page.locator("#preview-link").getAttribute("href");
  const pv = await admin.newPage();
  await pv.goto(BASE + previewUrl);
  await pv.locator("h2", { hasText: "無料ウェビナーのご案内" }).waitFor();
  await pv.close();

  step("thank-you and offer pages");
  await edit(1);
  await page.click('.palette-item[data-add="heading"]');
  await page.fill('#props input[name="text"]', "ご登録ありがとうございます");
  await publish();
  await edit(2);
  await page.click('.palette-item[data-add="heading"]');
  await page.click('.palette-item[data-add="button"]');
  await publish();

  step("visitor: UTM link, Japanese name, bad email, field error, fix, thank-you page");
  // A phone-sized viewport: the page must not scroll sideways.
  const visitorCtx = await browser.newContext({
    locale: "ja-JP", extraHTTPHeaders: { "accept-language": "ja,en;q=0.5" },
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  await visitorCtx.route((url) => url.hostname !== "127.0.0.1", (r) => r.abort());
  const v = await visitorCtx.newPage();
  v.setDefaultTimeout(15000);
  await v.goto(BASE + "/f/e2e/optin?utm_source=newsletter&utm_medium=email&utm_campaign=spring_launch");
  assert.equal(await v.locator("html").getAttribute("lang"), "ja");
  assert.ok(await v.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no sideways scroll on a phone");
  const box = await v.locator('button[type="submit"]').boundingBox();
  assert.ok(box.height >= 44, "tap target at least 44 px high");
  await v.fill('input[name="name"]', "山田 太郎");
  await v.fill('input[name="email"]', "taro@example");
  await v.click('button[type="submit"]');
  const err = v.locator("#e-" + (await v.locator('input[name="_form"]').getAttribute("value")) + "-email");
  await err.filter({ hasText: "メールアドレスの形式が正しくありません。" }).waitFor();
  assert.equal(await v.locator('input[name="email"]').getAttribute("aria-invalid"), "true");
  assert.match(v.url(), /\/f\/e2e\/optin/);
  await v.screenshot({ path: `${ARTIFACTS}/visitor-error.png`, fullPage: true });
  await v.fill('input[name="email"]', "Taro.Yamada@Example.jp");
  await Promise.all([v.waitForURL(/\/f\/e2e\/thanks$/), v.click('button[type="submit"]')]);
  await v.locator("h2", { hasText: "ご登録ありがとうございます" }).waitFor();
  await v.screenshot({ path: `${ARTIFACTS}/visitor-thanks.png`, fullPage: true });

  step("contact and events are stored with the UTM");
  const contacts = await api("/api/v1/contacts");
  const c = contacts.find((x) => x.email === "taro.yamada@example.jp");
  assert.ok(c, "contact stored with the normalised email");
  assert.equal(c.name, "山田 太郎");
  assert.equal(c.utm_first.source, "newsletter");
  assert.equal(c.utm_first.campaign, "spring_launch");
  const events = await api("/api/v1/events?contact=" + c.id);
  const lead = events.find((e) => e.name === "generate_lead");
  assert.ok(lead, "generate_lead recorded");
  assert.equal(lead.utm_first.source, "newsletter");
  assert.equal(lead.utm_last.medium, "email");
  const views = await api("/api/v1/events?name=page_view&visitor=" + lead.visitor);
  assert.ok(views.length >= 2, "page views on opt-in and thank-you");
  assert.ok(views.every((e) => e.utm_first.campaign === "spring_launch"));

  step("admin sees the visitor in the report");
  await page.goto(funnelUrl + "/report");
  const counts = await page.locator("#report td.visitors").allTextContents();
  assert.deepEqual(counts.map(Number), [1, 1, 0]);
  assert.ok(await page.locator("#breakdown td", { hasText: "newsletter" }).count() >= 1);
  assert.equal(await page.locator("figure.chart svg rect").count(), 3);
  await page.screenshot({ path: `${ARTIFACTS}/report.png`, fullPage: true });

  step("experiment: create with the form, 30 visitors, results with bars and chart");
  await page.goto(funnelUrl);
  await Promise.all([page.waitForURL(/\/experiments$/), page.click("text=Experiments")]);
  await Promise.all([page.waitForURL(/\/experiments\/new$/), page.click("text=On step “Opt-in”")]);
  await page.fill('input[name="name"]', "Headline test");
  await Promise.all([page.waitForURL(/\/admin\/experiments\/\d+$/), page.click("text=Create experiment")]);
  for (let i = 0; i < 30; i++) {
    const r = await fetch(BASE + "/f/e2e/optin", {
      headers: { cookie: "_fv=" + (0xe2e000 + i).toString(16).padStart(32, "0"), "user-agent": "Mozilla/5.0 e2e-visitor" },
    });
    assert.equal(r.status, 200);
  }
  await page.reload();
  assert.equal(await page.locator("#arms tr.arm").count(), 2);
  await page.locator("figure.over-time svg").waitFor({ state: "visible" });
  const lines = page.locator("figure.over-time svg polyline");
  assert.equal(await lines.count(), 2, "one line per arm");
  // Playwright calls a level line "hidden" (zero-height box), so check the drawn length.
  for (const len of await lines.evaluateAll((ls) => ls.map((l) => l.getTotalLength()))) assert.ok(len > 0, "a drawn line");
  await page.locator("#arms .bar-fill").first().waitFor({ state: "visible" });
  const width = await page.locator("#arms .bar-fill").first().evaluate((e) => e.style.width);
  const text = await page.locator("#arms .bar-value").first().textContent();
  assert.equal(parseFloat(width), parseFloat(text), "the bar's width is the value shown");
  await page.screenshot({ path: `${ARTIFACTS}/experiment.png`, fullPage: true });

  step("webinar: a New York visitor on a phone registers for a Tokyo webinar and gets the ticket");
  const seminar = await send("POST", "/api/v1/funnels", { slug: "seminar", name: "Seminar" });
  for (const [slug, kind] of [["register", "webinar_register"], ["thanks", "thankyou"]]) {
    const st = await send("POST", `/api/v1/funnels/${seminar.id}/steps`, { slug, name: slug, kind });
    const blocks = [{ id: "h", type: "heading", text: slug }];
    if (kind === "webinar_register") blocks.push({ id: "form", type: "form", fields: [{ name: "email", type: "email", required: true }] });
    await send("PUT", `/api/v1/steps/${st.id}/page`, { version: 1, page: { sections: [{ id: "s", columns: [{ id: "c", blocks }] }] } });
    await send("POST", `/api/v1/steps/${st.id}/publish`, { version: 2 });
  }
  await send("POST", "/api/v1/webinars", {
    funnel: seminar.id, title: "売上を2倍にするウェビナー", time_zone: "Asia/Tokyo",
    schedule: { kind: "weekly", slots: [{ weekday: "thursday", time: "20:00" }] },
  });
  const nyc = await browser.newContext({
    locale: "en-US", timezoneId: "America/New_York",
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  await nyc.route((url) => url.hostname !== "127.0.0.1", (r) => r.abort());
  const reg = await nyc.newPage();
  reg.setDefaultTimeout(15000);
  await reg.goto(BASE + "/f/seminar/register");
  await reg.fill('input[name="email"]', "visitor@example.com");
  await Promise.all([reg.waitForURL(/\/f\/seminar\/thanks\?r=[0-9a-f]{32}$/), reg.click('button[type="submit"]')]);
  await reg.locator("#ticket").waitFor({ state: "visible" });
  const ticket = await reg.locator("#ticket").textContent();
  assert.ok(ticket.includes("売上を2倍にするウェビナー") && /Thursday, .* 20:00 JST/.test(ticket), ticket);
  // w.js fills in the browser's own zone and shows the line: 20:00 JST is 06:00 EST in New York.
  await reg.locator("#ticket p.local").waitFor({ state: "visible" });
  const local = await reg.locator("time[data-local-time]").textContent();
  assert.match(local, /06:00\s*AM\s*EST|07:00\s*AM\s*EDT/, local);
  // The phone's 390 px, not innerWidth: a mobile layout viewport grows to fit wide content.
  const wide = await reg.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the ticket is ${wide} px wide on a 390 px phone`);
  const href = await reg.locator('#ticket a[href$="/calendar.ics"]').getAttribute("href");
  const ics = await reg.request.get(BASE + href);
  assert.equal(ics.status(), 200);
  assert.match(ics.headers()["content-type"], /^text\/calendar/);
  assert.match(await ics.text(), /BEGIN:VEVENT[\s\S]*DTSTART:\d{8}T110000Z/, "20:00 in Tokyo is 11:00 UTC");
  await reg.screenshot({ path: `${ARTIFACTS}/webinar-ticket.png`, fullPage: true });
  await nyc.close();
  console.log("browser: ok");
} catch (e) {
  await page.screenshot({ path: `${ARTIFACTS}/failure.png`, fullPage: true }).catch(() => {});
  throw e;
} finally {
  await browser.close();
}
