//! The experiment pages (A/B tests): a funnel's list, one experiment's results and charts, and
//! the create form.

use crate::admin::text::texts;

texts! {
    /// Experiment pages.
    X {
        ListTitle => "Experiments: {}", "実験（A/Bテスト）：{}";
        NoExperiments => "No experiments yet.", "実験はまだありません。";
        Name => "Name", "名前";
        Step => "Step", "ステップ";
        Status => "Status", "状態";
        Mode => "Mode", "方式";
        Arms => "Arms", "パターン";
        Winner => "Winner", "勝者";
        NewExperiment => "New experiment", "新しい実験";
        OneLive => "One live (running or decided) experiment per step.", "実施中（または勝者決定済み）の実験は1ステップに1つです。";
        OnStep => "On step “{}”", "ステップ「{}」で実験";
        Split => "split", "固定配分";
        Bandit => "bandit", "バンディット";
        Running => "running", "実施中";
        Decided => "decided", "勝者決定";
        Stopped => "stopped", "停止";
        ShowTitle => "Experiment: {}", "実験：{}";
        BackToList => "← Experiments of {}", "← {} の実験";
        Back => "← Experiments", "← 実験";
        SrmTitle => "Sample ratio mismatch.", "サンプル比率の不一致（SRM）。";
        SrmBody => " The visitors per arm do not match the weights (SRM p = {}, below the 0.001 threshold). Something sends visitors to arms unevenly — weights changed during the test, redirects, caching or tracking gaps. Do not trust these results until the cause is found.",
            " パターンごとの訪問者数が配分比率と一致しません（SRM p = {}、しきい値 0.001 未満）。テスト中の配分変更、リダイレクト、キャッシュ、計測漏れなどで訪問者が偏って振り分けられています。原因が分かるまでこの結果を信頼しないでください。";
        Goal => "Goal", "ゴール";
        GoalOnce => "conversion: at least one {} within {} h", "コンバージョン：{} が {} 時間以内に1回以上";
        GoalSum => "conversion: {} values adding up to {} within {} h", "コンバージョン：{} の値の合計が {} 以上（{} 時間以内）";
        GoalValue => "value: sum of {} values within {} h", "値：{} の値の合計（{} 時間以内）";
        AutoWinner => "Automatic winner", "勝者の自動判定";
        On => "on", "オン";
        Off => "off", "オフ";
        AtLeast => ", at least {} visitors per arm", "、1パターンあたり最低 {} 訪問者";
        SrmCheck => "Sample ratio check", "サンプル比率チェック";
        SrmBandit => "not checked (bandit weights change over time)", "チェックなし（バンディットは配分が変化するため）";
        SrmNeedsVisitors => "— (every arm needs a visitor)", "—（全パターンに訪問者が必要です）";
        Decision => "Decision", "判定";
        ManualWinner => "Winner {} picked by hand.", "手動で {} を勝者に選びました。";
        ManualStop => "Stopped by hand.", "手動で停止しました。";
        RuleWinner => "Winner {} declared by the winner rule.", "勝者判定ルールにより {} が勝者になりました。";
        RuleStop => "Stopped by the winner rule (sample ratio mismatch).", "勝者判定ルールにより停止しました（サンプル比率の不一致）。";
        Recorded => "Recorded decision:", "記録された判定：";
        RecordedNumbers => "Recorded numbers", "記録された数値";
        Arm => "Arm", "パターン";
        Weight => "Weight", "配分";
        Visitors => "Visitors", "訪問者";
        Conversions => "Conversions", "コンバージョン";
        Sum => "Sum", "合計";
        Rate => "Rate", "率";
        Mean => "Mean", "平均";
        Uplift => "Uplift (95% CI)", "改善率（95%信頼区間）";
        ChanceToWin => "Chance to win", "勝つ確率";
        Risk => "Risk", "リスク";
        PValue => "p-value", "p値";
        Control => " (control)", "（コントロール）";
        Baseline => "baseline", "基準";
        StatsHint => "Chance to win, risk (expected loss of choosing the arm) and uplift are Bayesian, against control; the p-value is Welch's t-test. They appear once every arm has a visitor.",
            "勝つ確率・リスク（そのパターンを選んだ場合の期待損失）・改善率はコントロールに対するベイズ推定、p値はウェルチのt検定です。全パターンに訪問者が来ると表示されます。";
        ConversionOverTime => "Conversion over time", "コンバージョン率の推移";
        ValueOverTime => "Value over time", "値の推移";
        Actions => "Actions", "操作";
        EvaluateNow => "Evaluate now", "今すぐ判定";
        Stop => "Stop experiment", "実験を停止";
        ActionsHint => "Evaluate applies the bandit and the winner rule now. Stop serves control to everyone.", "「今すぐ判定」はバンディットと勝者判定ルールをすぐに適用します。「停止」すると全員にコントロールを表示します。";
        // The chart.
        NoVisitorsYet => "No visitors yet: the chart appears with the first assignment.", "まだ訪問者がいません。最初の振り分けでグラフが表示されます。";
        CumulativeRate => "Cumulative conversion rate", "累積コンバージョン率";
        CumulativeMean => "Cumulative mean value per visitor", "訪問者あたりの累積平均値";
        ByDay => "{} by day of assignment", "振り分け日ごとの{}";
        NoVisitors => "no visitors", "訪問者なし";
        DayAxis => "Day of assignment (UTC)", "振り分け日（UTC）";
        PointVisitors => " ({} visitors)", "（訪問者 {}）";
        // The form.
        FormTitle => "New experiment on {}", "{} の新しい実験";
        FormHeading => "New experiment on “{}”", "「{}」の新しい実験";
        SplitLong => "split (fixed weights)", "固定配分（配分比率は固定）";
        BanditLong => "bandit (weights re-set by Thompson sampling)", "バンディット（トンプソン抽出で配分を自動調整）";
        Type => "Type ", "種類 ";
        ConversionLong => "conversion (visitor has the event)", "コンバージョン（訪問者にイベントがある）";
        ValueLong => "value (sum of the event's value)", "値（イベントの値の合計）";
        Event => "Event ", "イベント ";
        Window => "Window (hours) ", "計測期間（時間） ";
        LeastValue => "Least value (conversion, optional) ", "最低値（コンバージョン、任意） ";
        LeastValueHint => "webinar_left with 30: watched at least 30 minutes of the webinar.", "例：webinar_left と 30 で「ウェビナーを30分以上視聴」。";
        DeclareAuto => " Declare the winner automatically", " 勝者を自動で決定する";
        MinVisitors => "Minimum visitors per arm ", "1パターンあたりの最低訪問者数 ";
        ArmsLegend => "Arms (2 to {}; arm 0 is control; leave unused rows empty)", "パターン（2〜{}個。パターン0がコントロール。使わない行は空欄のまま）";
        ServePage => "Serve the page of", "表示するページ";
        NextStep => "Next step after submit", "送信後の次のステップ";
        ArmName => "Arm {} name", "パターン {} の名前";
        ArmWeight => "Arm {} weight", "パターン {} の配分";
        WeightsHint => "Weights are relative (50/50, 1/3, 0.2/0.8…); they are stored as shares summing to 1.", "配分は相対値です（50/50、1/3、0.2/0.8 など）。合計1になる比率として保存されます。";
        Create => "Create experiment", "実験を作成";
    }
}

/// A goal event's meaning, for the event field's suggestions.
pub(crate) fn goal_event(event: &str, ja: bool) -> &'static str {
    match (event, ja) {
        ("generate_lead", false) => "opted in",
        ("generate_lead", true) => "オプトインした",
        ("webinar_registered", false) => "registered for the webinar",
        ("webinar_registered", true) => "ウェビナーに登録した",
        ("webinar_joined", false) => "attended the webinar",
        ("webinar_joined", true) => "ウェビナーに参加した",
        ("webinar_left", false) => "watched (value: minutes of each stay)",
        ("webinar_left", true) => "視聴した（値：滞在ごとの分数）",
        ("offer_clicked", false) => "clicked the webinar's offer",
        ("offer_clicked", true) => "ウェビナーのオファーをクリックした",
        ("purchase", false) => "bought (value: revenue)",
        ("purchase", true) => "購入した（値：売上）",
        ("sign_up", false) => "signed up",
        ("sign_up", true) => "会員登録した",
        _ => "",
    }
}
