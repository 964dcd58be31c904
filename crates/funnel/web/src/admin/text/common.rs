//! The admin frame, sign-in, the language switch and the strings the admin's scripts show.

use crate::admin::text::texts;

texts! {
    /// The frame, navigation and sign-in.
    C {
        TitleSuffix => "{} · Hikari", "{} · Hikari";
        Brand => "Hikari funnels", "Hikari ファネル";
        NavFunnels => "Funnels", "ファネル";
        NavWebinars => "Webinars", "ウェビナー";
        NavContacts => "Contacts", "コンタクト";
        NavRecordings => "Recordings", "録画";
        NavTokens => "API tokens", "APIトークン";
        NavTeam => "Team", "チーム";
        TeamIntro => "Everyone here signs in to this admin and can host webinars: a co-host opens the same session's console and presents beside you.",
            "ここにいる全員がこの管理画面にログインでき、ウェビナーのホストを務められます。共同ホストは同じセッションのコンソールを開き、あなたと並んで配信します。";
        AddCohost => "Add a co-host", "共同ホストを追加";
        AddCohostHint => "Give them the email and the password (at least 8 characters) to sign in with; every admin has the same rights.",
            "ログインに使うメールアドレスとパスワード（8文字以上）を伝えてください。管理者の権限はみな同じです。";
        Added => "Added", "追加日";
        You => "(you)", "（あなた）";
        SignOut => "Sign out", "ログアウト";
        Language => "Language", "表示言語";
        LanguageAuto => "Browser's language", "ブラウザに合わせる";
        LanguageSave => "Change", "変更";
        SignIn => "Sign in", "ログイン";
        FirstAdmin => "Create the first admin", "最初の管理者を作成";
        Email => "Email", "メールアドレス";
        Password => "Password", "パスワード";
        WrongPassword => "Wrong email or password.", "メールアドレスまたはパスワードが正しくありません。";
        Back => "←", "←";
        None_ => "—", "—";
        Delete => "Delete", "削除";
        Name => "Name", "名前";
        Minutes => "{} min", "{}分";
    }
}

texts! {
    /// What the admin's scripts show (`admin.js`, `builder.js`, `console.js`), handed to them
    /// as JSON in the page (`#admin-text`).
    Js {
        Error => "Error", "エラー";
        Invalid => "", "入力内容を確認してください：";
        Conflict => "", "すでに存在するか、競合しています：";
        CopyOnce => "Copy this now, it is shown once: ", "今すぐコピーしてください（表示はこの一度だけです）：";
        ConfirmDelete => "Delete?", "削除しますか？";
        UnsavedChanges => "Unsaved changes", "未保存の変更があります";
        RemoveSection => "Remove section", "セクションを削除";
        MoveUp => "Move up", "上へ";
        MoveDown => "Move down", "下へ";
        DeleteBlock => "Delete block", "ブロックを削除";
        PreviewFailed => "Preview: ", "プレビュー：";
        Saved => "Saved (version {})", "保存しました（バージョン {}）";
        SavedBySomeoneElse => "Not saved: someone else saved version {}. Your edits are still here; copy them, then reload.",
            "保存できません：他の人がバージョン {} を保存しました。編集内容はこの画面に残っています。コピーしてから再読み込みしてください。";
        NotSaved => "Not saved: ", "保存できません：";
        Published => "Published version {}", "バージョン {} を公開しました";
        NotPublished => "Not published: ", "公開できません：";
        CannotLoad => "Cannot load: ", "読み込めません：";
        Version => "Version {}", "バージョン {}";
        PublishedVersion => ", published {}", "、公開中 {}";
        NotPublishedYet => ", not published", "、未公開";
        Section => "Section {}", "セクション {}";
        SelectBlock => "Select a block.", "ブロックを選んでください。";
        Fields => "{} fields", "{} 項目";
        PropText => "Text", "テキスト";
        PropLevel => "Level", "見出しレベル";
        PropSrc => "Source URL", "URL";
        PropAlt => "Alternative text", "代替テキスト";
        PropTitle => "Title", "タイトル";
        PropLabel => "Label", "ラベル";
        PropHref => "Link", "リンク先";
        PropSubmitLabel => "Submit label", "送信ボタンの文言";
        PropEvent => "Event", "イベント";
        PropFields => "Fields (JSON)", "入力項目（JSON）";
        PropUntil => "Until (Unix ms)", "終了日時（Unix ミリ秒）";
        PropHtml => "HTML", "HTML";
        PropHeight => "Height (px)", "高さ（px）";
        CameraOff => "Camera off", "カメラをオフ";
        CameraOn => "Camera on", "カメラをオン";
        MicOff => "Mic off", "マイクをオフ";
        MicOn => "Mic on", "マイクをオン";
        StopSharing => "Stop sharing", "共有を停止";
        ShareScreen => "Share screen", "画面を共有";
        Connecting => "connecting", "接続しています";
        Connected => "connected", "接続しました";
        Publishing => "publishing", "配信中";
        Disconnected => "disconnected", "切断されました";
        Reconnecting => "reconnecting", "再接続しています";
        Failed => "failed: ", "失敗：";
        NeedsHttps => "failed: the camera and microphone need this page over https (or on localhost)",
            "失敗：カメラとマイクを使うには、このページを https（または localhost）で開いてください";
        OnStage => " (on stage) ", "（ステージ上） ";
        Pinned => " (pinned)", "（表示中）";
        Show => "Show", "表示";
        Hide => "Hide", "非表示";
        Highlight => "Highlight", "強調";
        Unhighlight => "Unhighlight", "強調を解除";
        Answered => "Answered", "回答済み";
        NotAnswered => "Not answered", "未回答";
        Question => "Question", "質問";
        Open => "Open", "開始";
        Close => "Close", "締め切る";
        Pin => "Pin", "表示する";
        Unpin => "Unpin", "表示をやめる";
        SendBack => "Send back", "客席に戻す";
        BringOnStage => "Bring on stage", "ステージに上げる";
        Remove => "Remove", "退出させる";
        ConfirmRemove => "Remove this attendee from the session?", "この参加者をセッションから退出させますか？";
        Mute => "Mute", "ミュート";
        Unmute => "Unmute", "ミュート解除";
        Votes => "votes", "票";
        Left => "left", "残り";
        Clicks => "clicks", "クリック";
        StateScheduled => "scheduled", "予定";
        StateBackstage => "backstage", "バックステージ";
        StateLive => "live", "配信中";
        StateEnded => "ended", "終了";
        PollDraft => "draft", "下書き";
        PollOpen => "open", "受付中";
        PollClosed => "closed", "締切";
    }
}
