//! The funnel pages: the dashboard, a funnel's steps and edges, the page builder, the funnel
//! report, contacts and API tokens.

use crate::admin::text::texts;

texts! {
    /// Funnel pages.
    F {
        NoFunnels => "No funnels yet.", "ファネルはまだありません。";
        NewFunnel => "New funnel", "新しいファネル";
        Slug => "Slug", "スラッグ（URL）";
        SlugExample => "spring-webinar", "seminar-0401";
        VisitorLanguage => "Visitor language", "訪問者向けの言語";
        VisitorsChoice => "Visitor's choice", "訪問者のブラウザに合わせる";
        CreateFunnel => "Create funnel", "ファネルを作成";
        Report => "Report", "レポート";
        Experiments => "Experiments (A/B tests)", "実験（A/Bテスト）";
        SaveSettings => "Save settings", "設定を保存";
        Steps => "Steps", "ステップ";
        Kind => "Kind", "種類";
        PublicUrl => "Public URL", "公開URL";
        EditPage => "Edit page", "ページを編集";
        MoveStepUp => "Move step up", "ステップを上へ";
        MoveStepDown => "Move step down", "ステップを下へ";
        AddAStep => "Add a step", "ステップを追加";
        RedirectUrl => "Redirect URL (redirect steps)", "リダイレクト先URL（リダイレクトステップのみ）";
        AddStep => "Add step", "ステップを追加";
        Edges => "Edges", "分岐";
        EdgesHint => "After a form is submitted, the first matching edge (by priority) picks the next step; without one, the next step by position follows.",
            "フォーム送信後、条件に合う最初の分岐（優先度順）で次のステップが決まります。合う分岐がなければ、並び順で次のステップに進みます。";
        EdgeLine => " when ", " 条件：";
        Priority => "Priority", "優先度";
        PriorityOf => " (priority {}) ", "（優先度 {}） ";
        From => "From", "遷移元";
        To => "To", "遷移先";
        When => "When", "条件";
        WhenForm => "a form is submitted", "フォームが送信された";
        WhenProperty => "a field compares", "項目の値を比較";
        WhenEvent => "an event occurred", "イベントが発生した";
        WhenLabel => "the contact has a label", "コンタクトにラベルがある";
        WhenAlways => "always", "常に";
        Subject => "Field / event / label", "項目／イベント／ラベル";
        Op => "Op", "比較";
        OpEquals => "equals", "等しい";
        OpNotEquals => "does not equal", "等しくない";
        OpContains => "contains", "含む";
        OpIn => "is one of", "いずれかに一致";
        OpGt => "greater than", "より大きい";
        OpLt => "less than", "より小さい";
        Value => "Value", "値";
        AddEdge => "Add edge", "分岐を追加";
        EditTitle => "Edit {}", "{} を編集";
        PageTitle => "Page: ", "ページ：";
        Blocks => "Blocks", "ブロック";
        BlocksHint => "Drag onto the page, or press to append.", "ページにドラッグするか、押して末尾に追加します。";
        BlockHeading => "Heading", "見出し";
        BlockText => "Text", "テキスト";
        BlockImage => "Image", "画像";
        BlockVideo => "Video", "動画";
        BlockButton => "Button", "ボタン";
        BlockForm => "Form", "フォーム";
        BlockCountdown => "Countdown", "カウントダウン";
        BlockHtml => "HTML", "HTML";
        BlockSpacer => "Spacer", "余白";
        AddSection => "+ Section", "+ セクション";
        Save => "Save", "保存";
        Publish => "Publish", "公開";
        OpenPreview => "Open preview", "プレビューを開く";
        CustomCss => "Custom CSS", "カスタムCSS";
        Properties => "Properties", "プロパティ";
        SelectBlock => "Select a block.", "ブロックを選んでください。";
        LivePreview => "Live preview", "ライブプレビュー";
        ReportTitle => "Report: {}", "レポート：{}";
        WindowHours => "Conversion window (hours) ", "コンバージョン期間（時間） ";
        Update => "Update", "更新";
        VisitorsPerStep => "Visitors per step", "ステップごとの訪問者数";
        Step => "Step", "ステップ";
        Visitors => "Visitors", "訪問者";
        FromStart => "From start", "最初から";
        FromPrevious => "From previous", "前のステップから";
        DropOff => "Drop-off", "離脱";
        MedianTime => "Median time to convert: ", "コンバージョンまでの時間（中央値）：";
        ByUtm => "By first-touch UTM", "初回接触のUTM別";
        Dimension => "Dimension", "項目";
        Contacts => "Contacts", "コンタクト";
        Labels => "Labels", "ラベル";
        FirstTouch => "First touch", "初回接触";
        Revoke => "Revoke", "無効にする";
        CreateToken => "Create token", "トークンを作成";
        NoTokens => "No API tokens yet.", "APIトークンはまだありません。";
        NoContacts => "No contacts yet.", "コンタクトはまだありません。";
    }
}

/// A step kind in words.
pub(crate) fn step_kind(kind: &str, ja: bool) -> &str {
    if !ja {
        return kind;
    }
    match kind {
        "optin" => "オプトイン",
        "sales" => "セールス",
        "checkout" => "決済",
        "upsell" => "アップセル",
        "downsell" => "ダウンセル",
        "thankyou" => "サンクス",
        "webinar_register" => "ウェビナー登録",
        "webinar_room" => "ウェビナー視聴",
        "replay" => "録画配信",
        "redirect" => "リダイレクト",
        _ => kind,
    }
}
