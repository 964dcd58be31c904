//! One ffmpeg input (an RTMP push or the thumbnails) fed CMAF fragments from the job's
//! thread without waiting: the init segment first, then fragments from a keyframe on; a full
//! queue skips fragments up to the next keyframe.

use bytes::Bytes;
use tokio::sync::mpsc;

/// The queue to one ffmpeg's stdin and where its stream stands.
pub(crate) struct Feed {
    tx: mpsc::Sender<Bytes>,
    init_sent: bool,
    synced: bool,
}

impl Feed {
    pub(crate) fn new(tx: mpsc::Sender<Bytes>) -> Self {
        Self { tx, init_sent: false, synced: false }
    }

    /// Offers one fragment (`init` goes first, once); true when `data` was queued.
    pub(crate) fn offer(&mut self, init: &Bytes, data: &Bytes, independent: bool) -> bool {
        if !self.synced && !independent {
            return false;
        }
        if !self.init_sent {
            if self.tx.try_send(init.clone()).is_err() {
                return false;
            }
            self.init_sent = true;
        }
        // ffmpeg is behind (a slow destination): skip to the next keyframe.
        self.synced = self.tx.try_send(data.clone()).is_ok();
        self.synced
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_a_keyframe_after_the_init_and_resyncs_after_a_full_queue() {
        let (tx, mut rx) = mpsc::channel(3);
        let mut f = Feed::new(tx);
        let (init, delta, key) = (Bytes::from_static(b"init"), Bytes::from_static(b"delta"), Bytes::from_static(b"key"));
        assert!(!f.offer(&init, &delta, false), "nothing before a keyframe");
        assert!(f.offer(&init, &key, true) && f.offer(&init, &delta, false));
        assert!(!f.offer(&init, &delta, false), "the queue is full");
        assert_eq!((rx.try_recv().ok(), rx.try_recv().ok(), rx.try_recv().ok()), (Some(init.clone()), Some(key.clone()), Some(delta.clone())));
        assert!(!f.offer(&init, &delta, false), "after a skip, only a keyframe resumes");
        assert!(f.offer(&init, &key, true));
        assert_eq!(rx.try_recv().ok(), Some(key), "the init is not sent again");
    }
}
