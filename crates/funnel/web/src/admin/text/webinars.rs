//! The webinar pages: the list, a webinar, the new-webinar form, the host console and a
//! session's report.

use crate::admin::text::{Tr, common::Js, texts};
use hikari_webinar::SessionState;

texts! {
    /// Webinar pages.
    W {
        Webinars => "Webinars", "ウェビナー";
        NewWebinar => "New webinar", "新しいウェビナー";
        NoWebinar => "No webinar yet: create one for a funnel that has a webinar_register step (see docs/webinars.md).",
            "ウェビナーはまだありません。ウェビナー登録ステップ（webinar_register）のあるファネルに作成してください（docs/webinars.md 参照）。";
        Title => "Title", "タイトル";
        Funnel => "Funnel", "ファネル";
        FunnelN => "funnel {}", "ファネル {}";
        TimeZone => "Time zone", "タイムゾーン";
        Length => "Length", "長さ";
        MinutesLong => "{} minutes", "{}分";
        Reminders => "Reminders: ", "リマインダー：";
        RemindersOpen => " (", "（";
        RemindersHow => " changes them; sending comes with email and LINE)", " で変更できます。送信はメール・LINE 連携で行われます）";
        Sessions => "Sessions", "セッション";
        NoSession => "No session yet: one is created when somebody registers, or prepare one below.",
            "セッションはまだありません。誰かが登録すると作成されます。下から準備することもできます。";
        Starts => "Starts", "開始日時";
        State => "State", "状態";
        Room => "Room", "ルーム";
        OpenConsole => "Open console", "コンソールを開く";
        Report => "Report", "レポート";
        AddSessionAt => "Add a session at ({}) ", "セッションを追加する日時（{}） ";
        AddSession => "Add session", "セッションを追加";
        Upcoming => "Upcoming starts", "今後の開始予定";
        Prepare => "Prepare this session", "このセッションを準備";
        Registrants => "Registrants", "登録者";
        NobodyRegistered => "Nobody has registered yet.", "まだ登録者はいません。";
        Registered => "Registered", "登録日時";
        Contact => "Contact", "コンタクト";
        ContactN => "contact {}", "コンタクト {}";
        Session => "Session", "セッション";
        Arm => "Arm", "パターン";
        Joined => "Joined", "参加";
        Watched => "Watched", "視聴時間";
        No => "no", "未参加";
        InTheRoom => " (in the room)", "（視聴中）";
        // Reminder schedules.
        RemNone => "none", "なし";
        RemDay => "{} day", "{}日";
        RemDays => "{} days", "{}日";
        RemHours => "{} h", "{}時間";
        RemMinutes => "{} min", "{}分";
        RemBefore => "{} before", "{}前";
        RemLive => "live", "配信開始時";
        RemReplayAtEnd => "replay at the end", "終了時に録画案内";
        RemReplayAfter => "replay {} after", "終了{}後に録画案内";
        // The console.
        ConsoleTitle => "Console · {}", "コンソール · {}";
        StateLabel => "State: ", "状態：";
        AttendeesInRoom => " · Attendees in the room: ", " · 視聴中の参加者：";
        NotConnected => "not connected", "未接続";
        Backstage => "Backstage", "バックステージへ";
        BackstageHint => "Hosts talk and test; attendees still see the waiting screen.", "ホストが打ち合わせ・テストできます。参加者には待機画面が表示されたままです。";
        GoLive => "Go live", "配信開始";
        GoLiveHint => "Attendees' pages switch to the stage.", "参加者の画面がステージに切り替わります。";
        End => "End the webinar", "ウェビナーを終了";
        EndHint => "Everyone is told it is over; the room closes to attendees.", "全員に終了が通知され、ルームは参加者に対して閉じられます。";
        CameraOff => "Camera off", "カメラをオフ";
        MicOff => "Mic off", "マイクをオフ";
        ShareScreen => "Share screen", "画面を共有";
        FromObs => "Stream from OBS", "OBS から配信";
        FromObsHint => "Present from OBS, ffmpeg or a hardware encoder instead of (or besides) the camera here: it appears on the stage like a host.",
            "ここのカメラの代わりに（または併用して）OBS・ffmpeg・ハードウェアエンコーダーから配信できます。ホストと同じようにステージに表示されます。";
        ShowStreamKey => "Show the stream URL and key", "配信URLとストリームキーを表示";
        EncoderServer => "Server (OBS: Settings → Stream → Custom) ", "サーバー（OBS：設定 → 配信 → カスタム） ";
        EncoderKey => "Stream key (secret: whoever has it can present) ", "ストリームキー（秘密：知っている人は誰でも配信できます） ";
        EncoderSrt => "SRT (instead of RTMP) ", "SRT（RTMP の代わりに） ";
        Hands => "Raised hands and the stage", "挙手とステージ";
        Offers => "Offers", "オファー";
        OfferProduct => "Product", "商品名";
        OfferPrice => "Price, as shown (¥29,800 税込)", "表示価格（例：¥29,800 税込）";
        OfferUrl => "/f/your-funnel/checkout or https://…", "/f/ファネル/checkout または https://…";
        OfferStock => "Places left (optional)", "残り枠（任意）";
        OfferMinutes => "Ends in minutes (optional)", "終了までの分数（任意）";
        AddOffer => "Add offer", "オファーを追加";
        Polls => "Polls", "アンケート";
        PollQuestion => "Question", "質問";
        PollOptions => "Options, one per line (2 to 6)", "選択肢（1行に1つ、2〜6個）";
        DraftPoll => "Draft poll", "アンケートを下書き";
        Chat => "Chat and questions", "チャットと質問";
        WriteToEveryone => "Write to everyone", "全員にメッセージを送る";
        SendAsHost => "Send as host", "ホストとして送信";
        HasEnded => "This session has ended.", "このセッションは終了しました。";
        // The session report.
        ReportTitle => "Report · {}", "レポート · {}";
        SessionReport => "Session report", "セッションレポート";
        Registrations => "Registrations", "登録数";
        Attended => "Attended", "参加者数";
        ShowUp => " ({} show-up)", "（参加率 {}）";
        WatchTime => "Watch time", "視聴時間";
        MeanMedian => "mean {}, median {}", "平均 {}、中央値 {}";
        OfferClickRate => "Offer click rate", "オファーのクリック率";
        OfShown => " of those shown an offer", "（オファーを見た人のうち）";
        NobodyJoined => "Nobody has joined yet.", "まだ誰も参加していません。";
        AttendeesByMinute => "Attendees by minute", "1分ごとの参加者数";
        CurveCaption => "Attendees by minute (peak {}, {} minutes)", "1分ごとの参加者数（ピーク {}人、{}分間）";
        WatchTimeline => "Watch timeline", "視聴タイムライン";
        Engagement => "Engagement", "エンゲージメント";
        Timeline => "Timeline", "タイムライン";
        Conduct => "Chat / Q&A / votes / reactions", "チャット／質問／投票／リアクション";
        Offer => "Offer", "オファー";
        Clicked => "clicked", "クリック済み";
        Shown => "shown", "表示のみ";
        Segments => "Segments", "セグメント";
        All => "all", "すべて";
        NoRegistrantHere => "No registrant here.", "該当する登録者はいません。";
        EngagementHint => "Engagement (0–100): watching the live part up to 60; chat and questions 5 each up to 15; votes 5 each up to 10; reactions 1 each up to 5; clicking the offer 10.",
            "エンゲージメント（0〜100）：ライブ視聴で最大60、チャット・質問は1件5点で最大15、投票は1回5点で最大10、リアクションは1回1点で最大5、オファーのクリックで10。";
        // The new-webinar form.
        FunnelHint => "Its webinar_register step books the sessions; one webinar per funnel.", "ファネルのウェビナー登録ステップ（webinar_register）でセッションの予約を受け付けます。ウェビナーは1ファネルに1つです。";
        LengthMinutes => "Length (minutes) ", "長さ（分） ";
        Schedule => "Schedule", "スケジュール";
        OneOff => "Sessions I add one by one", "セッションを1つずつ追加する";
        Weekly => "Every week at these times", "毎週決まった時間に開催";
        JustInTime => "Just in time (evergreen: the next session starts soon)", "ジャストインタイム（エバーグリーン：次のセッションがすぐに始まる）";
        OnDemand => "On demand (each registrant watches when they open the link)", "オンデマンド（登録者がリンクを開いたときに視聴）";
        WeeklyTimes => "Weekly times, one per line ", "毎週の開催時間（1行に1つ） ";
        WeeklyPlaceholder => "monday 20:00\nthursday 12:00", "月 20:00\n木 12:00";
        EveryMinutes => "Just in time: a session every (minutes) ", "ジャストインタイム：セッションの間隔（分） ";
        LeadMinutes => "… at least this many minutes after registering ", "… 登録から開始までの最短時間（分） ";
        CreateWebinar => "Create webinar", "ウェビナーを作成";
    }
}

/// A session state in words: the same words the console's script shows when it changes.
pub(crate) fn session_state(t: Tr, state: SessionState) -> &'static str {
    t.s(match state {
        SessionState::Scheduled => Js::StateScheduled,
        SessionState::Backstage => Js::StateBackstage,
        SessionState::Live => Js::StateLive,
        SessionState::Ended => Js::StateEnded,
    })
}

/// A segment of registrants in words.
pub(crate) fn segment(seg: &str, ja: bool) -> &str {
    match (ja, seg) {
        (true, "no_show") => "不参加",
        (true, "attended") => "参加",
        (true, "left_before_offer") => "オファー前に退出",
        (true, "clicked_not_bought") => "クリックのみ（未購入）",
        (true, "bought") => "購入",
        _ => seg,
    }
}

/// A room event's name in words (the session report's activity counts).
pub(crate) fn activity(name: &str, ja: bool) -> &str {
    match (ja, name) {
        (true, "chat_message") => "チャット",
        (true, "question_asked") => "質問",
        (true, "poll_voted") => "投票",
        (true, "reaction") => "リアクション",
        (true, "offer_shown") => "オファー表示",
        (true, "offer_clicked") => "オファークリック",
        _ => name,
    }
}
