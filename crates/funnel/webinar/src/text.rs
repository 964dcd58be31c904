//! What the registrant reads, in Japanese and English: the session's time in a zone, and the
//! ticket's messages.

use crate::zone::Zone;
use hikari_funnel::Locale;
use jiff::Timestamp;

/// A message of the registrant's pages.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[allow(missing_docs)]
pub enum Text {
    Registered,
    Starts,
    YourTime,
    AddToCalendar,
    AddToGoogle,
    JoinLink,
    KeepPrivate,
    InvalidLink,
    StartsSoon,
    StartsIn,
    Backstage,
    Connecting,
    Reconnecting,
    SoundOn,
    Replaced,
    Ended,
    Watching,
    Chat,
    ChatPlaceholder,
    AskHosts,
    Send,
    Host,
    Answered,
    TooFast,
    Poll,
    Voted,
    BuyNow,
    Left,
    EndsIn,
    RaiseHand,
    LowerHand,
    Invited,
    JoinStage,
    LeaveStage,
    Removed,
    /// A host muted this attendee in the chat.
    Muted,
}

/// The message in `locale`.
pub fn text(locale: Locale, t: Text) -> &'static str {
    use Text::*;
    match (locale, t) {
        (Locale::Ja, Registered) => "ご登録ありがとうございます",
        (Locale::En, Registered) => "You're registered",
        (Locale::Ja, Starts) => "開始日時",
        (Locale::En, Starts) => "Starts",
        (Locale::Ja, YourTime) => "お使いの端末の時刻では",
        (Locale::En, YourTime) => "In your time zone",
        (Locale::Ja, AddToCalendar) => "カレンダーに追加（.ics）",
        (Locale::En, AddToCalendar) => "Add to calendar (.ics)",
        (Locale::Ja, AddToGoogle) => "Google カレンダーに追加",
        (Locale::En, AddToGoogle) => "Add to Google Calendar",
        (Locale::Ja, JoinLink) => "あなた専用の参加リンク",
        (Locale::En, JoinLink) => "Your personal join link",
        (Locale::Ja, KeepPrivate) => "このリンクはあなた専用です。ほかの方と共有しないでください。",
        (Locale::En, KeepPrivate) => "This link is yours alone: please do not share it.",
        (Locale::Ja, InvalidLink) => "このリンクは無効です。ご登録時にお送りしたリンクをご確認ください。",
        (Locale::En, InvalidLink) => "This link is not valid. Please check the link you received when you registered.",
        (Locale::Ja, StartsSoon) => "開始までお待ちください。このページは開始と同時に自動で切り替わります。",
        (Locale::En, StartsSoon) => "Please wait here: this page switches to the live room as soon as it starts.",
        (Locale::Ja, StartsIn) => "開始まで",
        (Locale::En, StartsIn) => "Starts in",
        (Locale::Ja, Backstage) => "まもなく開始します",
        (Locale::En, Backstage) => "Starting in a moment",
        (Locale::Ja, Connecting) => "接続しています…",
        (Locale::En, Connecting) => "Connecting…",
        (Locale::Ja, Reconnecting) => "再接続しています…",
        (Locale::En, Reconnecting) => "Reconnecting…",
        (Locale::Ja, SoundOn) => "音声をオンにする",
        (Locale::En, SoundOn) => "Turn sound on",
        (Locale::Ja, Replaced) => "このリンクは別のウィンドウで開かれました。こちらの視聴は終了しました。",
        (Locale::En, Replaced) => "This link was opened in another window, so this one has stopped.",
        (Locale::Ja, Ended) => "このウェビナーは終了しました。ご参加ありがとうございました。",
        (Locale::En, Ended) => "This webinar has ended. Thank you for joining.",
        (Locale::Ja, Watching) => "人が視聴中",
        (Locale::En, Watching) => "watching",
        (Locale::Ja, Chat) => "チャット",
        (Locale::En, Chat) => "Chat",
        (Locale::Ja, ChatPlaceholder) => "メッセージを入力",
        (Locale::En, ChatPlaceholder) => "Write a message",
        (Locale::Ja, AskHosts) => "主催者への質問として送る",
        (Locale::En, AskHosts) => "Send as a question to the hosts",
        (Locale::Ja, Send) => "送信",
        (Locale::En, Send) => "Send",
        (Locale::Ja, Host) => "主催者",
        (Locale::En, Host) => "Host",
        (Locale::Ja, Answered) => "回答済み",
        (Locale::En, Answered) => "Answered",
        (Locale::Ja, TooFast) => "送信が速すぎます。数秒お待ちください。",
        (Locale::En, TooFast) => "You are sending too fast: please wait a few seconds.",
        (Locale::Ja, BuyNow) => "今すぐ申し込む",
        (Locale::En, BuyNow) => "Get it now",
        (Locale::Ja, Left) => "残り",
        (Locale::En, Left) => "Left:",
        (Locale::Ja, EndsIn) => "締切まで",
        (Locale::En, EndsIn) => "Ends in",
        (Locale::Ja, Poll) => "アンケート",
        (Locale::En, Poll) => "Poll",
        (Locale::Ja, Voted) => "回答ありがとうございます。結果は締め切り後に表示されます。",
        (Locale::En, Voted) => "Thank you for voting. The results show when the poll closes.",
        (Locale::Ja, RaiseHand) => "✋ 手を挙げる",
        (Locale::En, RaiseHand) => "✋ Raise hand",
        (Locale::Ja, LowerHand) => "手を下ろす",
        (Locale::En, LowerHand) => "Lower hand",
        (Locale::Ja, Invited) => "主催者があなたをステージに招待しました。カメラとマイクで参加しますか？",
        (Locale::En, Invited) => "The host invites you on stage. Join with your camera and microphone?",
        (Locale::Ja, JoinStage) => "ステージに上がる",
        (Locale::En, JoinStage) => "Join the stage",
        (Locale::Ja, LeaveStage) => "ステージを降りる",
        (Locale::En, LeaveStage) => "Leave the stage",
        (Locale::Ja, Removed) => "主催者によりこのウェビナーから退出させられました。",
        (Locale::En, Removed) => "A host removed you from this webinar.",
        (Locale::Ja, Muted) => "主催者によりチャットへの書き込みが止められています。",
        (Locale::En, Muted) => "A host muted you in the chat.",
    }
}

const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// When a session starts, in `zone`, as people write it in `locale`:
/// `2026年12月3日(木) 20:00 JST` or `Thursday, December 3, 2026, 20:00 JST`.
pub fn format_start(starts_at: i64, zone: &Zone, locale: Locale) -> String {
    let Ok(t) = Timestamp::from_millisecond(starts_at) else {
        return String::new();
    };
    let z = t.to_zoned_datetime(zone.tz().clone());
    match locale {
        Locale::Ja => {
            let wd = WEEKDAYS_JA[usize::from(z.weekday().to_monday_zero_offset().unsigned_abs())];
            format!("{}({wd}) {}", z.strftime("%Y年%-m月%-d日"), z.strftime("%H:%M %Z"))
        }
        Locale::En => z.strftime("%A, %B %-d, %Y, %H:%M %Z").to_string(),
    }
}

/// The instant as RFC 3339 in UTC (`2026-12-03T11:00:00Z`), for `<time datetime>`.
pub fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms).map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_reads_naturally_in_japanese_and_english() {
        // 2026-12-03 11:00 UTC = 20:00 in Tokyo, a Thursday.
        let ms = 1_796_295_600_000;
        assert_eq!(format_start(ms, &Zone::default(), Locale::Ja), "2026年12月3日(木) 20:00 JST");
        assert_eq!(format_start(ms, &Zone::default(), Locale::En), "Thursday, December 3, 2026, 20:00 JST");
        let ny: Zone = "America/New_York".parse().expect("zone");
        assert_eq!(format_start(ms, &ny, Locale::En), "Thursday, December 3, 2026, 06:00 EST");
        assert_eq!(rfc3339(ms), "2026-12-03T11:00:00Z");
    }
}
