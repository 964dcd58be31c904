//! Published pages, cached per `(funnel slug, step slug)` so a page view costs no reads.
//!
//! Coherence: every mutating API request bumps a generation counter *after* it has finished
//! (the web front end's API layer, and the experiment use cases). A reader notes the generation
//! before it reads the store and tags its entry with it, and entries from an older generation are ignored; so an entry filled from
//! data read before a change can never outlive that change.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

const MAX_ENTRIES: usize = 10_000;

type Key = (String, String);

/// The cache; `T` is what is cached per page (a resolved public page in the app).
pub struct PageCache<T> {
    generation: AtomicU64,
    entries: Mutex<HashMap<Key, (u64, Arc<T>)>>,
}

impl<T> Default for PageCache<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> PageCache<T> {
    /// An empty cache.
    pub fn new() -> Self {
        Self { generation: AtomicU64::new(0), entries: Mutex::new(HashMap::new()) }
    }

    /// The generation to tag a value read from now on.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets everything (after a change to funnels, steps or pages).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The entry for `(funnel, step)` if it is of the current generation.
    pub fn get(&self, funnel: &str, step: &str) -> Option<Arc<T>> {
        let now = self.generation();
        // A poisoned lock only means a panic elsewhere mid-insert; entries stay valid.
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(&(funnel.to_owned(), step.to_owned())).filter(|(g, _)| *g == now).map(|(_, v)| v.clone())
    }

    /// Stores an entry read at `generation`.
    pub fn put(&self, funnel: &str, step: &str, generation: u64, value: Arc<T>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert((funnel.to_owned(), step.to_owned()), (generation, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_from_before_a_change_are_ignored() {
        let c = PageCache::new();
        let g = c.generation();
        c.invalidate(); // a change lands while the reader was reading
        c.put("f", "s", g, Arc::new(1));
        assert!(c.get("f", "s").is_none());
        c.put("f", "s", c.generation(), Arc::new(2));
        assert_eq!(c.get("f", "s").as_deref(), Some(&2));
        c.invalidate();
        assert!(c.get("f", "s").is_none());
    }
}
