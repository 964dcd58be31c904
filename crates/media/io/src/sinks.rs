//! Internal sinks' outlets: where the media thread hands a sink's packets (a recorder's, a
//! packager's). Packets are gathered per sink while the SFU's output is drained and leave in
//! one batch per sink when the datagrams are sent, through the sink's bounded channel: one
//! `try_send` per batch, never per packet. A sink too slow to take a batch loses it (counted);
//! its consumer sees the sequence gap and waits for a keyframe.

use std::collections::HashMap;

use hikari_sfu::{MediaPacket, SinkEnd, SinkId};
use tokio::sync::mpsc;

/// What a sink's consumer receives.
#[derive(Debug)]
pub enum SinkOut {
    /// Packets in forwarding order (sequence numbers continuous unless packets were lost).
    Packets(Vec<MediaPacket>),
    /// Nothing more comes: the track went away, or there was never such a track.
    Closed(SinkEnd),
}

#[derive(Default)]
pub(crate) struct Sinks {
    outlets: HashMap<SinkId, Outlet>,
    /// Packets lost because a sink's channel was full or closed.
    pub(crate) dropped: u64,
    /// Whether some outlet gathered packets since the last flush (the media thread flushes at
    /// every send; without packets there is nothing to walk).
    gathered: bool,
}

struct Outlet {
    tx: mpsc::Sender<SinkOut>,
    pending: Vec<MediaPacket>,
}

impl Sinks {
    pub(crate) fn attach(&mut self, sink: SinkId, tx: mpsc::Sender<SinkOut>) {
        self.outlets.insert(sink, Outlet { tx, pending: Vec::new() });
    }

    pub(crate) fn detach(&mut self, sink: SinkId) {
        self.outlets.remove(&sink);
    }

    pub(crate) fn packet(&mut self, sink: SinkId, packet: MediaPacket) {
        if let Some(o) = self.outlets.get_mut(&sink) {
            o.pending.push(packet);
            self.gathered = true;
        }
    }

    /// The sink's last batch and its end, then it is forgotten.
    pub(crate) fn closed(&mut self, sink: SinkId, reason: SinkEnd) {
        self.flush_one(sink);
        if let Some(o) = self.outlets.remove(&sink) {
            let _ = o.tx.try_send(SinkOut::Closed(reason));
        }
    }

    fn flush_one(&mut self, sink: SinkId) {
        if let Some(o) = self.outlets.get_mut(&sink) {
            let _ = Self::hand_over(o, &mut self.dropped);
        }
    }

    /// Hands the outlet's batch over; false when its consumer is gone.
    fn hand_over(o: &mut Outlet, dropped: &mut u64) -> bool {
        if o.pending.is_empty() {
            return !o.tx.is_closed();
        }
        let batch = std::mem::take(&mut o.pending);
        let n = batch.len() as u64;
        match o.tx.try_send(SinkOut::Packets(batch)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                *dropped += n;
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Hands every gathered batch over; the sinks whose consumer is gone (a recording that
    /// ended on its own, say) are forgotten and returned, for the core to detach. Without a
    /// packet since the last flush it does nothing (a gone consumer is found with the next).
    pub(crate) fn flush(&mut self) -> Vec<SinkId> {
        let mut gone = Vec::new();
        if !std::mem::take(&mut self.gathered) {
            return gone;
        }
        for (sink, o) in self.outlets.iter_mut() {
            if !Self::hand_over(o, &mut self.dropped) {
                gone.push(*sink);
            }
        }
        for sink in &gone {
            self.outlets.remove(sink);
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use super::*;

    fn packet(seq: u64) -> MediaPacket {
        MediaPacket { seq, ts: 0, marker: false, keyframe: false, payload: Arc::from(&[1u8][..]), arrived: Instant::now() }
    }

    #[test]
    fn batches_leave_together_a_full_channel_drops_and_counts_and_the_end_follows_the_last_batch() {
        let mut sinks = Sinks::default();
        let (tx, mut rx) = mpsc::channel(1);
        sinks.attach(SinkId(1), tx);
        sinks.packet(SinkId(1), packet(1));
        sinks.packet(SinkId(1), packet(2));
        sinks.packet(SinkId(9), packet(1));
        sinks.flush();
        sinks.packet(SinkId(1), packet(3));
        sinks.flush();
        assert_eq!(sinks.dropped, 1);
        let Ok(SinkOut::Packets(b)) = rx.try_recv() else { panic!("a batch") };
        assert_eq!(b.iter().map(|p| p.seq).collect::<Vec<_>>(), [1, 2]);
        sinks.packet(SinkId(1), packet(4));
        sinks.closed(SinkId(1), SinkEnd::Unpublished);
        assert!(matches!(rx.try_recv(), Ok(SinkOut::Packets(b)) if b[0].seq == 4));
        assert!(rx.try_recv().is_err(), "the channel was full: the end is lost, the sender is dropped");
        sinks.packet(SinkId(1), packet(5));
        assert!(sinks.flush().is_empty(), "a closed sink is already forgotten");
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn a_sink_whose_consumer_is_gone_is_forgotten_and_reported_once() {
        let mut sinks = Sinks::default();
        let (tx, rx) = mpsc::channel(4);
        sinks.attach(SinkId(3), tx);
        drop(rx);
        sinks.packet(SinkId(3), packet(1));
        assert_eq!(sinks.flush(), [SinkId(3)]);
        assert_eq!(sinks.dropped, 0, "a gone consumer is not a slow one");
        sinks.packet(SinkId(3), packet(2));
        assert!(sinks.flush().is_empty());
    }
}
