//! Pages: a JSON tree of sections → columns → blocks, plus custom CSS.
//!
//! The tree is data, never markup: text is escaped when rendered and only `html` blocks carry
//! markup, which the web layer sanitises on render. [`Page::validate`] bounds the tree's size and
//! refuses URLs with schemes other than http(s) (no `javascript:`).

use crate::{DomainError, Form};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The most sections a page may have.
pub const MAX_SECTIONS: usize = 200;
/// The most blocks a page may have in all.
pub const MAX_BLOCKS: usize = 1000;
/// The most characters in one text value.
pub const MAX_TEXT: usize = 20_000;
/// The most bytes of custom CSS.
pub const MAX_CSS: usize = 64 * 1024;

/// A page's content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// Top-level sections, top to bottom.
    #[serde(default)]
    pub sections: Vec<Section>,
}

/// A full-width band of the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Stable id, unique in the page (`[A-Za-z0-9_-]{1,64}`).
    pub id: String,
    /// Columns, left to right.
    #[serde(default)]
    pub columns: Vec<Column>,
}

/// A column of a section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Stable id.
    pub id: String,
    /// Width in percent, 1-100.
    #[serde(default = "full_width")]
    pub width: u8,
    /// Blocks, top to bottom.
    #[serde(default)]
    pub blocks: Vec<Block>,
}

fn full_width() -> u8 {
    100
}

/// One block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Stable id.
    pub id: String,
    /// What the block shows.
    #[serde(flatten)]
    pub kind: BlockKind,
}

/// The block types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockKind {
    /// A heading, level 1-6.
    Heading {
        /// Plain text.
        text: String,
        /// 1-6.
        #[serde(default = "one")]
        level: u8,
    },
    /// A paragraph of plain text (newlines kept).
    Text {
        /// Plain text.
        text: String,
    },
    /// An image.
    Image {
        /// http(s) or site-relative URL.
        src: String,
        /// Alternative text (required for accessibility; may be empty for decoration).
        #[serde(default)]
        alt: String,
    },
    /// A video file or an embed URL.
    Video {
        /// http(s) URL.
        src: String,
        /// Accessible title.
        #[serde(default)]
        title: String,
    },
    /// A link styled as a button.
    Button {
        /// Label.
        label: String,
        /// Target URL.
        href: String,
    },
    /// A form.
    Form(Form),
    /// A countdown to a moment.
    Countdown {
        /// Target time, Unix ms.
        until: i64,
        /// Caption.
        #[serde(default)]
        label: String,
    },
    /// Raw HTML, sanitised on render.
    Html {
        /// Markup.
        html: String,
    },
    /// Vertical space.
    Spacer {
        /// Pixels, 0-400.
        #[serde(default = "spacer_height")]
        height: u16,
    },
}

fn one() -> u8 {
    1
}

fn spacer_height() -> u16 {
    32
}

/// A page being edited: content and CSS, as saved by the builder.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PageDraft {
    /// The block tree.
    #[serde(default)]
    pub page: Page,
    /// Custom CSS for this page.
    #[serde(default)]
    pub css: String,
}

impl PageDraft {
    /// Checks the tree and the CSS.
    pub fn validate(&self) -> Result<(), DomainError> {
        self.page.validate()?;
        if self.css.len() > MAX_CSS {
            return Err(DomainError::invalid("css", format!("at most {MAX_CSS} bytes")));
        }
        // The CSS lands inside a <style> element: refuse anything that could close it.
        if self.css.contains('<') {
            return Err(DomainError::invalid("css", "must not contain '<'"));
        }
        Ok(())
    }
}

impl Page {
    /// Every block in document order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.sections.iter().flat_map(|s| &s.columns).flat_map(|c| &c.blocks)
    }

    /// The form with id `id`, if any.
    pub fn form(&self, id: &str) -> Option<&Form> {
        self.blocks().find_map(|b| match &b.kind {
            BlockKind::Form(f) if b.id == id => Some(f),
            _ => None,
        })
    }

    /// Checks sizes, ids, URLs and forms.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.sections.len() > MAX_SECTIONS {
            return Err(DomainError::invalid("sections", format!("at most {MAX_SECTIONS}")));
        }
        let mut ids = HashSet::new();
        let mut blocks = 0usize;
        for (si, s) in self.sections.iter().enumerate() {
            let at = format!("sections[{si}]");
            check_id(&at, &s.id, &mut ids)?;
            for (ci, c) in s.columns.iter().enumerate() {
                let at = format!("{at}.columns[{ci}]");
                check_id(&at, &c.id, &mut ids)?;
                if !(1..=100).contains(&c.width) {
                    return Err(DomainError::invalid(format!("{at}.width"), "use 1-100"));
                }
                for (bi, b) in c.blocks.iter().enumerate() {
                    blocks += 1;
                    if blocks > MAX_BLOCKS {
                        return Err(DomainError::invalid("blocks", format!("at most {MAX_BLOCKS}")));
                    }
                    let at = format!("{at}.blocks[{bi}]");
                    check_id(&at, &b.id, &mut ids)?;
                    b.kind.validate(&at)?;
                }
            }
        }
        Ok(())
    }
}

impl BlockKind {
    fn validate(&self, at: &str) -> Result<(), DomainError> {
        match self {
            Self::Heading { text, level } => {
                check_text(&format!("{at}.text"), text)?;
                if !(1..=6).contains(level) {
                    return Err(DomainError::invalid(format!("{at}.level"), "use 1-6"));
                }
            }
            Self::Text { text } => check_text(&format!("{at}.text"), text)?,
            Self::Image { src, alt } => {
                check_url(&format!("{at}.src"), src)?;
                check_text(&format!("{at}.alt"), alt)?;
            }
            Self::Video { src, title } => {
                check_url(&format!("{at}.src"), src)?;
                check_text(&format!("{at}.title"), title)?;
            }
            Self::Button { label, href } => {
                check_text(&format!("{at}.label"), label)?;
                check_url(&format!("{at}.href"), href)?;
            }
            Self::Form(f) => f.validate_schema(at)?,
            Self::Countdown { label, .. } => check_text(&format!("{at}.label"), label)?,
            Self::Html { html } => check_text(&format!("{at}.html"), html)?,
            Self::Spacer { height } => {
                if *height > 400 {
                    return Err(DomainError::invalid(format!("{at}.height"), "use 0-400"));
                }
            }
        }
        Ok(())
    }
}

fn check_id(at: &str, id: &str, seen: &mut HashSet<String>) -> Result<(), DomainError> {
    let ok = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !ok {
        return Err(DomainError::invalid(format!("{at}.id"), "use 1-64 of A-Z a-z 0-9 _ -"));
    }
    if !seen.insert(id.to_owned()) {
        return Err(DomainError::invalid(format!("{at}.id"), format!("duplicate id {id:?}")));
    }
    Ok(())
}

pub(crate) fn check_text(at: &str, text: &str) -> Result<(), DomainError> {
    if text.chars().count() > MAX_TEXT {
        return Err(DomainError::invalid(at, format!("at most {MAX_TEXT} characters")));
    }
    Ok(())
}

/// Accepts `http://`, `https://`, `mailto:`, site-relative (`/x`, not `//x`) and `#anchor` URLs.
/// A backslash is refused anywhere: browsers parse it as `/` in http(s) URLs (WHATWG URL), so
/// `/\evil.example/x` would leave the site.
pub fn check_url(at: &str, url: &str) -> Result<(), DomainError> {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    let ok = u.len() <= 2048
        && !u.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        && (lower.starts_with("https://")
            || lower.starts_with("http://")
            || lower.starts_with("mailto:")
            || (u.starts_with('/') && !u.starts_with("//"))
            || u.starts_with('#'));
    if ok { Ok(()) } else { Err(DomainError::invalid(at, "use an http(s), mailto:, /relative or #anchor URL")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_that_browsers_resolve_to_another_host_are_refused() {
        for bad in [
            "//evil.example/x",
            "/\\evil.example/x",
            "\\\\evil.example",
            "/\\/evil.example",
            "https:\\\\evil.example",
            "https://ok.example\\@evil.example",
            "javascript:alert(1)",
            "/x\ty",
        ] {
            assert!(check_url("href", bad).is_err(), "{bad:?} accepted");
        }
        for good in ["https://example.com/a?b=c#d", "/f/shop/thanks", "#form", "mailto:a@example.com"] {
            assert!(check_url("href", good).is_ok(), "{good:?} refused");
        }
    }

    fn page(json: &str) -> Page {
        serde_json::from_str(json).expect("fixture parses")
    }

    #[test]
    fn parses_and_validates_a_tree() {
        let p = page(
            r#"{"sections":[{"id":"s","columns":[{"id":"c","blocks":[
            {"id":"h","type":"heading","text":"Hi","level":2},
            {"id":"i","type":"image","src":"/a.png","alt":"a"},
            {"id":"x","type":"spacer"}]}]}]}"#,
        );
        assert_eq!(p.blocks().count(), 3);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn refuses_script_urls_and_duplicate_ids() {
        let p = page(
            r#"{"sections":[{"id":"s","columns":[{"id":"c","blocks":[
            {"id":"b","type":"button","label":"x","href":"javascript:alert(1)"}]}]}]}"#,
        );
        assert!(p.validate().is_err());
        let p = page(r#"{"sections":[{"id":"s","columns":[{"id":"s"}]}]}"#);
        assert!(p.validate().is_err());
    }

    #[test]
    fn css_cannot_close_style() {
        let d = PageDraft { page: Page::default(), css: "</style><script>".into() };
        assert!(d.validate().is_err());
    }
}
