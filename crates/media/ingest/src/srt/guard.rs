//! Calls into srt-protocol, whose parser and handshake code panic on some inputs (short
//! control packets, unknown handshake extensions, congestion warnings): [`guarded`] runs one
//! and turns a panic into `None`, so that caller is refused or its session ends. While it
//! runs, the thread is marked, so the fuzz target's panic hook lets those panics (and only
//! those) unwind instead of aborting (`crate::fuzzing`).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; `None` if it panicked.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    let was = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result.ok()
}

/// Whether this thread is inside [`guarded`] now.
pub(crate) fn in_guarded() -> bool {
    GUARDED.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_none_and_the_mark_is_undone() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        assert_eq!(guarded(|| 7), Some(7));
        assert_eq!(guarded(|| -> u8 { panic!("srt-protocol") }), None);
        assert_eq!(guarded(|| guarded(in_guarded)), Some(Some(true)));
        std::panic::set_hook(previous);
        assert!(!in_guarded());
    }
}
