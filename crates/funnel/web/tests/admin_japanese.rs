//! The admin in Japanese: the language follows the user's setting, then `Accept-Language`
//! (English without either); every key page, signed in as a Japanese admin, shows no English
//! UI word (visible text outside scripts, code and `lang="en"` elements, plus placeholders,
//! titles and labels); form refusals read in Japanese too.

mod common;

use common::{Server, between, http, webinar_with_registrants};
use serde_json::json;
use std::time::Duration;

both_backends!(japanese_admin, japanese_admin_on_sqlite, japanese_admin_on_postgres, 180);

/// Words of three or more ASCII letters allowed on a Japanese page: names of products,
/// protocols and formats, and the data this test typed in.
#[rustfmt::skip]
const ALLOWED: &[&str] = &[
    "hikari", "livekit", "obs", "rtmp", "srt", "url", "api", "csv", "utm", "json", "html", "css", "https", "ffmpeg", "line", "iana",
    "jst", "utc", "egress", "stripe", "startparticipantegress", "starttrackegress", "localhost", "get", "put", "post", "patch",
    // The test's own data: funnel and step slugs and names, the test server's API token.
    "seminar", "register", "thanks", "kikaku", "test",
];

/// The visible words of a page: text outside `script`, `style`, `code`, `pre`, `textarea` and
/// elements marked `lang="en"`, plus `placeholder`, `title`, `aria-label`, `data-confirm` and
/// `value` (of buttons) attributes.
fn visible_text(html: &str) -> Vec<String> {
    const SKIP: [&str; 5] = ["script", "style", "code", "pre", "textarea"];
    const VOID: [&str; 8] = ["meta", "link", "input", "br", "img", "hr", "source", "col"];
    let mut out = Vec::new();
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if !stack.iter().any(|(_, skip)| *skip) && !text.trim().is_empty() {
            out.push(decode(text));
        }
        let Some(gt) = rest[lt..].find('>') else { break };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            if let Some(at) = stack.iter().rposition(|(n, _)| *n == name) {
                stack.truncate(at);
            }
            continue;
        }
        if tag.starts_with('!') {
            continue;
        }
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("").to_ascii_lowercase();
        let english = tag.contains("lang=\"en\"");
        let skipping = stack.iter().any(|(_, skip)| *skip);
        if !skipping && !english {
            for attr in ["placeholder", "title", "aria-label", "data-confirm"] {
                if let Some(v) = between(tag, &format!(" {attr}=\""), "\"") {
                    out.push(decode(v));
                }
            }
            if (name == "button" || tag.contains("type=\"submit\""))
                && let Some(v) = between(tag, " value=\"", "\"")
            {
                out.push(decode(v));
            }
        }
        if !VOID.contains(&name.as_str()) && !tag.ends_with('/') {
            stack.push((name.clone(), SKIP.contains(&name.as_str()) || english));
        }
    }
    out
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// The English words left in `texts`: runs of ASCII letters of three or more that are not
/// allowed. Identifiers and paths (`webinar_register`, `docs/webinars.md`, `Asia/Tokyo`,
/// `a@example.com`) are code, not prose, and pass.
fn english_words(texts: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for text in texts {
        for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || "_./:@-".contains(c))) {
            let token = token.trim_matches(|c: char| ".:-".contains(c));
            if token.contains(['_', '/', '.', ':', '@']) || token.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            for word in token.split('-') {
                if word.len() >= 3 && !ALLOWED.contains(&word.to_ascii_lowercase().as_str()) {
                    found.push(format!("{word:?} in {:?}", text.trim()));
                }
            }
        }
    }
    found
}

fn lang_of(body: &str) -> &str {
    between(body, "<html lang=\"", "\"").unwrap_or("")
}

async fn japanese_admin(backend: common::Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (wid, sid, _) = webinar_with_registrants(&srv, "seminar", &["hanako@example.com"]).await;
    let (fid, steps) = srv.funnel("kikaku", &[("lp", "optin", "LP"), ("thanks", "thankyou", "Thanks")]).await;
    let admin = srv.admin().await;
    let cookie = ("Cookie", format!("hikari_admin={}", admin.cookie));
    let get_with = async |path: &str, accept: &str| http(srv.addr, "GET", path, &[cookie.clone(), ("Accept-Language", accept.to_string())], "").await;

    // No setting: English by default, Japanese when the browser prefers it (q-values count).
    let home = admin.get("/admin").await;
    assert!(lang_of(&home.body) == "en" && home.body.contains(">Funnels<"), "{}", home.body);
    let ja = get_with("/admin", "ja,en-US;q=0.8").await;
    assert!(lang_of(&ja.body) == "ja" && ja.body.contains(">ファネル<"), "{}", ja.body);
    assert_eq!(lang_of(&get_with("/admin", "en;q=0.9, ja;q=0.4").await.body), "en");
    let login = http(srv.addr, "GET", "/admin/login", &[("Accept-Language", "ja".to_string())], "").await;
    assert!(lang_of(&login.body) == "ja" && login.body.contains("ログイン"), "{}", login.body);
    assert!(english_words(&visible_text(&login.body)).is_empty(), "{:?}", english_words(&visible_text(&login.body)));

    // The user's setting beats Accept-Language; it needs the session's CSRF token.
    let switch = |lang: &str| format!("csrf={}&language={lang}", admin.csrf);
    assert_eq!(admin.post("/admin/language", "csrf=wrong&language=en").await.status, 403);
    let set = admin.post("/admin/language", &switch("en")).await;
    assert_eq!(set.status, 303, "{}", set.body);
    let en = get_with("/admin/webinars", "ja").await;
    assert!(lang_of(&en.body) == "en" && en.body.contains(">Webinars<"), "{}", en.body);
    assert_eq!(admin.post("/admin/language", &switch("auto")).await.status, 303);
    assert_eq!(lang_of(&get_with("/admin", "ja").await.body), "ja", "auto: the browser decides again");
    assert_eq!(admin.post("/admin/language", &switch("ja")).await.status, 303);
    assert_eq!(lang_of(&admin.get("/admin").await.body), "ja", "the setting holds without Accept-Language");

    // A refusal in Japanese, then an experiment created through the form.
    let (lp, thanks) = (steps["lp"], steps["thanks"]);
    let exp = |hours: &str| {
        format!(
            "csrf={}&name=%E8%A6%8B%E5%87%BA%E3%81%97%E3%83%86%E3%82%B9%E3%83%88&mode=split&goal_type=conversion&goal_event=generate_lead&window_hours={hours}\
             &min_units_per_arm=100&arm0_name=A&arm0_weight=50&arm0_next={thanks}&arm1_name=B&arm1_weight=50&arm1_next={thanks}",
            admin.csrf
        )
    };
    let refused = admin.post(&format!("/admin/steps/{lp}/experiments/new"), &exp("0")).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("計測期間：1〜8760の整数"), "{}", refused.body);
    let created = admin.post(&format!("/admin/steps/{lp}/experiments/new"), &exp("168")).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let experiment = created.location.expect("experiment page");
    let bad_zone = format!("csrf={}&funnel={fid}&title=x&time_zone=Mars%2FBase&duration_minutes=60&kind=one_off", admin.csrf);
    let refused = admin.post("/admin/webinars/new", &bad_zone).await;
    assert!(refused.status == 422 && refused.body.contains("タイムゾーン：Asia/Tokyo のような"), "{}", refused.body);

    // Every key page, in Japanese, without an English word.
    let webinar_funnel = srv.ok("GET", &format!("/api/v1/webinars/{wid}"), json!(null)).await["funnel"].as_i64().expect("funnel");
    let pages = [
        "/admin".to_string(),
        format!("/admin/funnels/{fid}"),
        format!("/admin/funnels/{webinar_funnel}"),
        format!("/admin/funnels/{fid}/report"),
        format!("/admin/funnels/{fid}/experiments"),
        format!("/admin/steps/{lp}/experiments/new"),
        format!("/admin/steps/{lp}/edit"),
        experiment,
        "/admin/webinars".to_string(),
        "/admin/webinars/new".to_string(),
        format!("/admin/webinars/{wid}"),
        format!("/admin/sessions/{sid}/console"),
        format!("/admin/sessions/{sid}/report"),
        "/admin/contacts".to_string(),
        "/admin/tokens".to_string(),
        "/admin/recordings".to_string(),
        "/admin/team".to_string(),
    ];
    let mut left = Vec::new();
    for path in &pages {
        let r = admin.get(path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_eq!(lang_of(&r.body), "ja", "{path}");
        left.extend(english_words(&visible_text(&r.body)).into_iter().map(|w| format!("{path}: {w}")));
    }
    assert!(left.is_empty(), "untranslated English:\n{}", left.join("\n"));
    let webinar = admin.get(&format!("/admin/webinars/{wid}")).await.body;
    assert!(webinar.contains("JST") && webinar.contains("年"), "times in the webinar's zone, in Japanese: {webinar}");
    // The scripts get their strings from the page.
    let console = admin.get(&format!("/admin/sessions/{sid}/console")).await.body;
    assert!(console.contains("id=\"admin-text\"") && console.contains("\"BringOnStage\":\"ステージに上げる\""), "{console}");

    // Error pages too, with the English details marked as such.
    let missing = admin.get("/admin/webinars/9999").await;
    assert!(missing.status == 404 && lang_of(&missing.body) == "ja" && missing.body.contains("ウェビナーが見つかりません。"), "{}", missing.body);
    assert!(english_words(&visible_text(&missing.body)).is_empty(), "{}", missing.body);
    let stale = admin.post(&format!("/admin/sessions/{sid}/state"), "csrf=stale&state=live").await;
    assert!(stale.status == 403 && stale.body.contains("セキュリティ確認の期限が切れました"), "{}", stale.body);

    // Back to English: the same pages are English again.
    assert_eq!(admin.post("/admin/language", &switch("en")).await.status, 303);
    let en = admin.get(&format!("/admin/webinars/{wid}")).await.body;
    assert!(lang_of(&en) == "en" && en.contains(">Registrants<") && en.contains("Add session"), "{en}");
    let missing = admin.get("/admin/webinars/9999").await;
    assert!(missing.status == 404 && lang_of(&missing.body) == "en" && missing.body.contains("webinar not found"), "{}", missing.body);
}

#[test]
fn the_checker_finds_english_and_skips_code() {
    let html = r#"<html lang="ja"><head><title>x</title><script>var a = "Hello world";</script></head>
        <body><h1>ファネル</h1><p>Sign in <code>webinar_register</code></p><option lang="en">English</option>
        <input placeholder="Write here"><p>docs/webinars.md · Asia/Tokyo · OBS</p></body></html>"#;
    let words = english_words(&visible_text(html));
    assert_eq!(words.len(), 3, "{words:?}");
    assert!(words.iter().any(|w| w.starts_with("\"Sign\"")) && words.iter().any(|w| w.starts_with("\"Write\"")), "{words:?}");
}
