//! The visitor-facing strings, in Japanese and English.

use serde::{Deserialize, Serialize};

/// A UI language.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Japanese.
    Ja,
    /// English (the fallback).
    #[default]
    En,
}

/// A message key.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Msg {
    /// A required field is empty.
    Required,
    /// Not an email address.
    InvalidEmail,
    /// Not a phone number.
    InvalidTel,
    /// Longer than allowed.
    TooLong,
    /// Not one of the options.
    InvalidOption,
    /// Consent box not ticked.
    ConsentRequired,
    /// Generic "fix the errors below" banner.
    FixErrors,
    /// Too many submissions.
    RateLimited,
    /// Default submit label.
    Submit,
    /// Countdown expired.
    CountdownOver,
    /// Page not found.
    NotFound,
    /// Units for the countdown.
    Days,
}

impl Locale {
    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
        }
    }

    /// Parses `ja` / `en` (case-insensitive, region ignored).
    pub fn parse(s: &str) -> Option<Self> {
        let primary = s.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "ja" => Some(Self::Ja),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(l) = Self::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// The text of `msg` in this language.
    pub fn text(self, msg: Msg) -> &'static str {
        use Msg::*;
        match (self, msg) {
            (Self::Ja, Required) => "入力してください。",
            (Self::En, Required) => "This field is required.",
            (Self::Ja, InvalidEmail) => "メールアドレスの形式が正しくありません。",
            (Self::En, InvalidEmail) => "Enter a valid email address.",
            (Self::Ja, InvalidTel) => "電話番号の形式が正しくありません。",
            (Self::En, InvalidTel) => "Enter a valid phone number.",
            (Self::Ja, TooLong) => "文字数が多すぎます。",
            (Self::En, TooLong) => "This is too long.",
            (Self::Ja, InvalidOption) => "選択肢から選んでください。",
            (Self::En, InvalidOption) => "Choose one of the options.",
            (Self::Ja, ConsentRequired) => "同意が必要です。",
            (Self::En, ConsentRequired) => "Your consent is required.",
            (Self::Ja, FixErrors) => "入力内容をご確認ください。",
            (Self::En, FixErrors) => "Please correct the highlighted fields.",
            (Self::Ja, RateLimited) => "送信回数が多すぎます。しばらくしてからお試しください。",
            (Self::En, RateLimited) => "Too many submissions. Please try again shortly.",
            (Self::Ja, Submit) => "送信する",
            (Self::En, Submit) => "Submit",
            (Self::Ja, CountdownOver) => "終了しました",
            (Self::En, CountdownOver) => "This offer has ended",
            (Self::Ja, NotFound) => "ページが見つかりません。",
            (Self::En, NotFound) => "Page not found.",
            (Self::Ja, Days) => "日",
            (Self::En, Days) => "d",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_honours_q() {
        assert_eq!(Locale::from_accept_language("en;q=0.5, ja-JP"), Locale::Ja);
        assert_eq!(Locale::from_accept_language("ja;q=0.3,en-US;q=0.9"), Locale::En);
        assert_eq!(Locale::from_accept_language("fr, de"), Locale::En);
        assert_eq!(Locale::from_accept_language(""), Locale::En);
    }
}
