//! Data packets: from one participant's data channel to the receivers' channels.

use str0m::channel::ChannelData;

use hikari_types::{DataSender, ParticipantIdentity, Reliability};

use crate::arena::{PartIdx, PcIdx};
use crate::ctx::Ctx;
use crate::room::Room;

/// The largest data packet relayed (the SDKs' own limit for reliable packets is 15 KiB
/// before chunking into streams; lossy packets are smaller).
pub(crate) const MAX_DATA_PACKET: usize = 64 * 1024;

/// A receiver whose channel buffers more than this is not sent more (its packets are
/// dropped and counted) so that one slow receiver cannot grow the server's memory.
const MAX_BUFFERED: usize = 4 * 1024 * 1024;

impl Room {
    pub(crate) fn on_channel_data(&mut self, cx: &mut Ctx, pc: PcIdx, data: ChannelData) {
        let Some(&reliability) = self.pcs[pc].channels.get(&data.id) else { return };
        let sender = self.pcs[pc].owner;
        let Some(part) = self.participants.get(sender) else { return };
        if !part.info.permission.can_publish_data {
            tracing::debug!(participant = %part.info.identity, "data packet without permission dropped");
            return;
        }
        if data.data.len() > MAX_DATA_PACKET {
            tracing::warn!(participant = %part.info.identity, bytes = data.data.len(), "oversized data packet dropped");
            return;
        }
        let info = &part.info;
        let sender_is = DataSender { identity: &info.identity, sid: &info.sid, hidden: info.permission.hidden, agent: info.permission.agent };
        let relay = match cx.cfg.data.relay(&data.data, sender_is, reliability) {
            Ok(Some(relay)) => relay,
            Ok(None) => return,
            Err(error) => {
                tracing::debug!(participant = %part.info.identity, %error, "malformed data packet dropped");
                return;
            }
        };
        let receivers: Vec<_> = self
            .participants
            .iter()
            .filter(|(i, _)| *i != sender)
            .filter(|(_, p)| {
                (relay.destination_identities.is_empty() && relay.destination_sids.is_empty())
                    || relay.destination_identities.contains(&p.info.identity)
                    || relay.destination_sids.contains(&p.info.sid)
            })
            .map(|(i, _)| i)
            .collect();
        for r in receivers {
            self.send_data(cx, r, &relay.bytes, reliability);
        }
    }

    /// Writes an encoded data packet to a participant's channel of that reliability.
    pub(crate) fn send_data(&mut self, cx: &mut Ctx, p: PartIdx, bytes: &[u8], reliability: Reliability) {
        let Some(part) = self.participants.get(p) else { return };
        let Some(pc) = part.down_pc() else { return };
        let identity: &ParticipantIdentity = &part.info.identity;
        let Some(pcx) = self.pcs.get_mut(pc) else { return };
        let Some(id) = pcx.out_channel(reliability) else {
            tracing::debug!(participant = %identity, "no open data channel; packet dropped");
            return;
        };
        let Some(mut channel) = pcx.rtc.channel(id) else { return };
        if channel.buffered_amount() > MAX_BUFFERED {
            tracing::warn!(participant = %identity, "receiver too slow; data packet dropped");
            return;
        }
        match channel.write(true, bytes) {
            Ok(_) => self.counters.data_relayed += 1,
            Err(error) => tracing::debug!(participant = %identity, %error, "data channel write failed"),
        }
        self.drain(cx, pc);
    }
}
