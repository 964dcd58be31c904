//! The admin's own words, in English and Japanese: one enum of keys per page area, each key
//! with both texts side by side (`texts!`), and `Tr`, the admin's chosen language, which
//! looks them up. The language is the user's setting, else the browser's `Accept-Language`
//! (q-values respected), else English.

pub(crate) mod common;
pub(crate) mod errors;
pub(crate) mod experiments;
pub(crate) mod funnels;
pub(crate) mod problems;
pub(crate) mod recordings;
pub(crate) mod webinars;

use hikari_funnel::Locale;

/// A set of keys with their English and Japanese text.
pub(crate) trait Text: Copy {
    /// The text in `l`.
    fn get(self, l: Locale) -> &'static str;
}

/// Declares a key enum: `Key => "English", "日本語";` per line.
macro_rules! texts {
    ($(#[$m:meta])* $name:ident { $($key:ident => $en:literal, $ja:literal;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Eq, PartialEq)]
        pub(crate) enum $name { $($key),* }

        impl $name {
            /// Every key, in declaration order.
            #[allow(dead_code)]
            pub(crate) const ALL: &[Self] = &[$(Self::$key),*];

            /// The key's name (for scripts' string tables).
            #[allow(dead_code)]
            pub(crate) fn name(self) -> &'static str {
                match self { $(Self::$key => stringify!($key)),* }
            }
        }

        impl $crate::admin::text::Text for $name {
            fn get(self, l: hikari_funnel::Locale) -> &'static str {
                match (self, l) {
                    $((Self::$key, hikari_funnel::Locale::En) => $en, (Self::$key, hikari_funnel::Locale::Ja) => $ja,)*
                }
            }
        }
    };
}

pub(crate) use texts;

/// The admin's language for one request.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub(crate) struct Tr(pub Locale);

impl Tr {
    /// The user's setting wins; without one, the browser's `Accept-Language`; else English.
    pub(crate) fn choose(setting: Option<Locale>, accept_language: Option<&str>) -> Self {
        Self(setting.unwrap_or_else(|| Locale::from_accept_language(accept_language.unwrap_or(""))))
    }

    /// The text of a key.
    pub(crate) fn s<K: Text>(self, k: K) -> &'static str {
        k.get(self.0)
    }

    /// A key's text with each `{}` replaced by the next argument.
    pub(crate) fn f<K: Text>(self, k: K, args: &[&dyn std::fmt::Display]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        let mut parts = k.get(self.0).split("{}").peekable();
        while let Some(p) = parts.next() {
            out.push_str(p);
            if parts.peek().is_some()
                && let Some(a) = args.next()
            {
                out.push_str(&a.to_string());
            }
        }
        out
    }

    /// Whether the admin reads Japanese.
    pub(crate) fn ja(self) -> bool {
        self.0 == Locale::Ja
    }

    /// A moment in the server's display zone (Asia/Tokyo unless configured otherwise), in
    /// the admin's language.
    pub(crate) fn when_local(self, ms: i64) -> String {
        hikari_webinar::format_start(ms, &hikari_webinar::Zone::default(), self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{common::C, *};

    #[test]
    fn setting_then_accept_language_then_english() {
        assert_eq!(Tr::choose(None, Some("ja,en;q=0.8")).0, Locale::Ja);
        assert_eq!(Tr::choose(None, Some("en;q=0.5, ja;q=0.9")).0, Locale::Ja);
        assert_eq!(Tr::choose(None, Some("ja;q=0.3, en")).0, Locale::En);
        assert_eq!(Tr::choose(Some(Locale::En), Some("ja")).0, Locale::En);
        assert_eq!(Tr::choose(None, Some("fr")).0, Locale::En);
        assert_eq!(Tr::choose(None, None).0, Locale::En);
        assert_eq!(Tr(Locale::Ja).f(C::TitleSuffix, &[&"x"]), "x · Hikari");
    }
}
