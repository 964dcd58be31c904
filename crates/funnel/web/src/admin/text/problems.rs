//! Form refusals in words: each field's name and, in Japanese, what it takes. The domain's
//! reasons are English sentences; a Japanese admin reads the field's rule from here instead
//! (falling back to the domain's reason for a field not listed).

use hikari_funnel::Locale;

/// A field of the new-webinar form, in words, and its rule in Japanese.
pub(crate) fn webinar_field(field: &str, l: Locale) -> (&'static str, Option<&'static str>) {
    let ja = l == Locale::Ja;
    let head = field.split(['.', '[']).next().unwrap_or(field);
    match (head, ja) {
        ("funnel", false) => ("Funnel", None),
        ("funnel", true) => ("ファネル", Some("ファネルを選んでください（ウェビナーは1ファネルに1つです）")),
        ("title", false) => ("Title", None),
        ("title", true) => ("タイトル", Some("1〜200文字で、1行で入力してください")),
        ("time_zone", false) => ("Time zone", None),
        ("time_zone", true) => ("タイムゾーン", Some("Asia/Tokyo のような IANA のタイムゾーン名を入力してください")),
        ("duration_minutes", false) => ("Length", None),
        ("duration_minutes", true) => ("長さ", Some("5〜600の整数（分）を入力してください")),
        ("schedule", false) => ("Schedule", None),
        ("schedule", true) => ("スケジュール", Some(schedule_ja(field))),
        ("reminders", false) => ("Reminders", None),
        ("reminders", true) => ("リマインダー", None),
        (_, false) => ("Webinar", None),
        (_, true) => ("ウェビナー", None),
    }
}

fn schedule_ja(field: &str) -> &'static str {
    match field {
        "schedule.every_minutes" => "間隔は5〜1440分で、1日を割り切れる値にしてください（5、10、15、20、30、60 など）",
        "schedule.lead_minutes" => "登録から開始までは1440分（1日）以内にしてください",
        "schedule.slots" => "毎週の開催時間は1〜28個、同じ時間は1回だけにしてください",
        _ => "1行に1つ、曜日と時刻を「月 20:00」「monday 20:00」のように入力してください（時刻は 00:00〜23:59）",
    }
}

/// A field of the new-experiment form (`name`, `arms[1].page`, `weights[0]`, …) in words, and
/// its rule in Japanese.
pub(crate) fn experiment_field(field: &str, l: Locale) -> (String, Option<&'static str>) {
    let ja = l == Locale::Ja;
    let arm_no = |rest: &str| rest.split(']').next().and_then(|n| n.parse::<usize>().ok());
    if let Some(rest) = field.strip_prefix("weights[") {
        return match (arm_no(rest), ja) {
            (Some(n), false) => (format!("Arm {n} weight"), None),
            (Some(n), true) => (format!("パターン {n} の配分"), Some("0以上の数値を入力してください")),
            (None, false) => ("Weights".into(), None),
            (None, true) => ("配分".into(), Some("1つ以上を正の数にしてください")),
        };
    }
    if let Some(rest) = field.strip_prefix("arms[") {
        let what = rest.split_once("].").map_or("", |(_, f)| f);
        return match (arm_no(rest), ja) {
            (Some(n), false) => (format!("Arm {n} {what}"), None),
            (Some(n), true) => {
                let what = match what {
                    "name" => "名前",
                    "page" => "表示するページ",
                    "next" => "次のステップ",
                    _ => "設定",
                };
                (format!("パターン {n} の{what}"), Some("このファネルのステップを選び、名前は1〜64文字で入力してください"))
            }
            (None, false) => ("Arms".into(), None),
            (None, true) => ("パターン".into(), Some("パターンは2〜10個にしてください")),
        };
    }
    let (en, ja_name, rule): (&str, &str, Option<&'static str>) = match field {
        "name" => ("Name", "名前", Some("1〜200文字で入力してください")),
        "mode" => ("Mode", "方式", Some("固定配分かバンディットを選んでください")),
        "goal_type" => ("Goal type", "ゴールの種類", Some("コンバージョンか値を選んでください")),
        "goal_event" | "event" => ("Goal event", "ゴールのイベント", Some("英小文字・数字・アンダースコアのイベント名を入力してください（例：generate_lead）")),
        "goal.window_hours" => ("Goal window", "計測期間", Some("1〜8760の整数（時間）を入力してください")),
        "goal.min_value" => ("Least value", "最低値", Some("0より大きい数値を入力するか、空欄にしてください")),
        "min_units_per_arm" => ("Minimum visitors per arm", "1パターンあたりの最低訪問者数", Some("1〜1000000の整数を入力してください")),
        "weights" => ("Weights", "配分", Some("1つ以上を正の数にしてください")),
        "arms" => ("Arms", "パターン", Some("パターンは2〜10個にしてください")),
        "step" => ("Step", "ステップ", Some("このステップにはすでに実施中の実験があります")),
        _ => ("Experiment", "実験", None),
    };
    if ja { (ja_name.into(), rule) } else { (en.into(), None) }
}
