//! Typed slots: a slab whose keys are newtypes, so a participant's slot can never be used
//! where a PeerConnection's or a track's is expected.

use std::fmt;
use std::iter::Map;
use std::marker::PhantomData;

use slab::Slab;

/// A slot index of one kind.
pub(crate) trait Idx: Copy + Eq + std::hash::Hash + fmt::Debug {
    fn from_slot(slot: usize) -> Self;
    fn slot(self) -> usize;
}

macro_rules! idx {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub(crate) struct $name(usize);

        impl Idx for $name {
            fn from_slot(slot: usize) -> Self {
                Self(slot)
            }

            fn slot(self) -> usize {
                self.0
            }
        }
    };
}

idx!(
    /// A room's slot in the SFU.
    RoomIdx
);
idx!(
    /// A participant's slot in its room.
    PartIdx
);
idx!(
    /// A PeerConnection's slot in its room.
    PcIdx
);
idx!(
    /// A published track's slot in its room.
    TrackIdx
);

/// Values of `T` in slots keyed by `I`.
pub(crate) struct Arena<I, T> {
    slab: Slab<T>,
    kind: PhantomData<I>,
}

impl<I, T> Default for Arena<I, T> {
    fn default() -> Self {
        Self { slab: Slab::new(), kind: PhantomData }
    }
}

impl<I: Idx, T> Arena<I, T> {
    pub fn insert(&mut self, value: T) -> I {
        I::from_slot(self.slab.insert(value))
    }

    /// The index the next `insert` returns.
    pub fn next_idx(&self) -> I {
        I::from_slot(self.slab.vacant_key())
    }

    pub fn remove(&mut self, i: I) -> Option<T> {
        self.slab.try_remove(i.slot())
    }

    pub fn get(&self, i: I) -> Option<&T> {
        self.slab.get(i.slot())
    }

    pub fn get_mut(&mut self, i: I) -> Option<&mut T> {
        self.slab.get_mut(i.slot())
    }

    pub fn contains(&self, i: I) -> bool {
        self.slab.contains(i.slot())
    }

    pub fn len(&self) -> usize {
        self.slab.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slab.is_empty()
    }

    // Concrete iterator types (no destructor), so a borrow from `iter_mut().find(…)` in an
    // `if let` ends where the value's last use does, as with the slab's own iterators.
    #[allow(clippy::type_complexity)]
    pub fn iter<'a>(&'a self) -> Map<slab::Iter<'a, T>, fn((usize, &'a T)) -> (I, &'a T)> {
        self.slab.iter().map(|(k, v)| (I::from_slot(k), v))
    }

    #[allow(clippy::type_complexity)]
    pub fn iter_mut<'a>(&'a mut self) -> Map<slab::IterMut<'a, T>, fn((usize, &'a mut T)) -> (I, &'a mut T)> {
        self.slab.iter_mut().map(|(k, v)| (I::from_slot(k), v))
    }
}

impl<I: Idx, T> std::ops::Index<I> for Arena<I, T> {
    type Output = T;

    /// Panics on an empty slot, as indexing a slice out of range does: only for indices the
    /// caller just took from this arena.
    fn index(&self, i: I) -> &T {
        &self.slab[i.slot()]
    }
}

impl<I: Idx, T> std::ops::IndexMut<I> for Arena<I, T> {
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.slab[i.slot()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_and_typed() {
        let mut a: Arena<PcIdx, &str> = Arena::default();
        let x = a.insert("x");
        assert_eq!(a.next_idx(), PcIdx(1));
        let y = a.insert("y");
        assert_eq!((a[x], a.get(y)), ("x", Some(&"y")));
        assert_eq!(a.remove(x), Some("x"));
        assert_eq!(a.remove(x), None, "removing twice is not a panic");
        assert_eq!(a.insert("z"), x, "the free slot is reused");
    }
}
