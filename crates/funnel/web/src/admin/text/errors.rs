//! Error pages in Japanese (English ones are `HtmlError`'s own).

/// The page's heading.
pub(crate) fn title(status: u16) -> String {
    format!("エラー（{status}）")
}

/// What happened, by the error's code (and, for `not_found`, what was missing).
pub(crate) fn message(code: &str, what: Option<&str>) -> String {
    match code {
        "not_found" => format!("{}が見つかりません。", thing(what.unwrap_or(""))),
        "bad_request" => "リクエストの内容が正しくありません。".into(),
        "invalid" => "入力内容を確認してください。".into(),
        "conflict" | "version_conflict" => "ほかの操作と競合しました。ページを再読み込みしてからやり直してください。".into(),
        "csrf" => "セキュリティ確認の期限が切れました。ページを再読み込みしてからやり直してください。".into(),
        "forbidden" | "cross_origin" => "この操作は許可されていません。".into(),
        "too_large" => "送信内容が大きすぎます。".into(),
        "rate_limited" => "リクエストが多すぎます。1分ほど待ってからやり直してください。".into(),
        "unavailable" => "いまは処理できません。少し待ってからやり直してください。".into(),
        _ => "問題が発生しました。".into(),
    }
}

/// The link back to the dashboard.
pub(crate) fn home() -> &'static str {
    "管理画面のトップへ"
}

fn thing(what: &str) -> &'static str {
    match what {
        "funnel" => "ファネル",
        "step" => "ステップ",
        "page" => "ページ",
        "edge" => "分岐",
        "contact" => "コンタクト",
        "experiment" => "実験",
        "webinar" => "ウェビナー",
        "session" => "セッション",
        "registrant" | "registrant of this session" => "登録者",
        "join link" => "参加リンク",
        "recording" => "録画",
        "token" => "APIトークン",
        "user" => "ユーザー",
        "poll" => "アンケート",
        "offer" => "オファー",
        "message" => "メッセージ",
        _ => "お探しのページ",
    }
}
