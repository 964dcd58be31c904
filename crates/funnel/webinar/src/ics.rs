//! The add-to-calendar file (iCalendar, RFC 5545): one event, times in UTC.

use jiff::Timestamp;

/// An iCalendar document with one event: `title` from `starts_at` to `ends_at` (Unix ms),
/// the personal `join_url` as its URL and description, `uid` its stable identity (a
/// calendar that imports the file twice updates the event instead of adding a second), and
/// `now` its stamp. Text is escaped and lines are folded at 75 octets, as RFC 5545 asks.
pub fn calendar(uid: &str, title: &str, starts_at: i64, ends_at: i64, join_url: &str, now: i64) -> String {
    let mut out = String::new();
    for (name, value) in [
        ("BEGIN", "VCALENDAR".to_owned()),
        ("VERSION", "2.0".into()),
        ("PRODID", "-//Hikari//Webinars//EN".into()),
        ("CALSCALE", "GREGORIAN".into()),
        ("METHOD", "PUBLISH".into()),
        ("BEGIN", "VEVENT".into()),
        ("UID", text(uid)),
        ("DTSTAMP", utc(now)),
        ("DTSTART", utc(starts_at)),
        ("DTEND", utc(ends_at)),
        ("SUMMARY", text(title)),
        ("DESCRIPTION", text(join_url)),
        ("URL", join_url.chars().filter(|c| !c.is_control()).collect()),
        ("END", "VEVENT".into()),
        ("END", "VCALENDAR".into()),
    ] {
        fold(&mut out, &format!("{name}:{value}"));
    }
    out
}

/// An instant as iCalendar writes it in UTC, `19970714T173000Z` (Google Calendar's links take
/// the same form).
pub fn utc(ms: i64) -> String {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH).strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`, other control
/// characters dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` with CRLF, folded so no line passes 75 octets and no character is split.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_in_utc_with_escaped_and_folded_text() {
        let title = "春のセミナー; 売上, 2倍\\ 🎉 ".repeat(3);
        let ics =
            calendar("session-1-registrant-2@example.org", &title, 1_764_590_400_000, 1_764_594_000_000, "https://example.org/join/abc", 1_764_500_000_000);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nDTSTART:20251201T120000Z\r\nDTEND:20251201T130000Z\r\n"), "{ics}");
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        // Unfolding gives back the escaped title.
        let unfolded = ics.replace("\r\n ", "");
        let summary = unfolded.lines().find_map(|l| l.strip_prefix("SUMMARY:")).expect("summary");
        assert_eq!(summary, text(&title).trim_end_matches('\r'));
        assert!(summary.contains("\\;") && summary.contains("\\,") && summary.contains("\\\\"));
        assert!(!calendar("u", "a\r\nb", 0, 0, "x", 0).contains("a\r\nb"), "a title cannot add a property");
    }
}
