//! Single-PeerConnection mode (`/rtc/v1`): the client always offers.
//!
//! The client's offers carry receive-only media lines ("slots"). A subscription takes a
//! free slot of its kind; our answer then sends on that line with msid
//! `PA_publisher|TR_track TR_track` and lists it in `mid_to_track_id`. Unused slots are
//! answered `inactive`. Since the server never offers in this mode, a change of slots
//! asks the client for a new offer with `media_sections_requirement`, naming how many
//! lines it must add (possibly none).

use str0m::media::Mid;

use hikari_types::ServerSignal;

use crate::arena::PcIdx;
use crate::ctx::Ctx;
use crate::pc::Slot;
use crate::room::Room;

impl Room {
    pub(crate) fn add_slot(&mut self, pc: PcIdx, mid: Mid, video: bool) {
        let slots = &mut self.pcs[pc].slots;
        if !slots.iter().any(|s| s.mid == mid) {
            slots.push(Slot { mid, video, track: None });
        }
    }

    /// Gives waiting legs free slots. Outside an offer (`in_offer` false), a changed
    /// assignment needs a new client offer; legs without a slot need more lines.
    pub(crate) fn assign_slots(&mut self, cx: &mut Ctx, pc: PcIdx, in_offer: bool) {
        let mut assigned = false;
        let (mut need_audio, mut need_video) = (0u32, 0u32);
        for (t, track) in self.tracks.iter_mut() {
            let video = track.is_video();
            for down in track.downs.iter_mut().filter(|d| d.pc == pc && d.mid.is_none()) {
                match self.pcs[pc].slots.iter_mut().find(|s| s.track.is_none() && s.video == video) {
                    Some(slot) => {
                        slot.track = Some(t);
                        down.mid = Some(slot.mid);
                        assigned = true;
                    }
                    None if video => need_video += 1,
                    None => need_audio += 1,
                }
            }
        }
        let p = &mut self.pcs[pc];
        let audios = need_audio.saturating_sub(p.requested.0);
        let videos = need_video.saturating_sub(p.requested.1);
        if audios + videos > 0 || (assigned && !in_offer && !p.awaiting_offer) {
            p.requested.0 += audios;
            p.requested.1 += videos;
            p.awaiting_offer = true;
            let conn = self.participants[p.owner].conn;
            cx.signal(conn, ServerSignal::MediaSectionsRequirement { audios, videos });
        }
    }

    /// Frees the slot of a leg that ended and asks for a new offer to close it.
    pub(crate) fn release_slot(&mut self, cx: &mut Ctx, pc: PcIdx, mid: Mid) {
        let Some(p) = self.pcs.get_mut(pc) else { return };
        if let Some(slot) = p.slots.iter_mut().find(|s| s.mid == mid) {
            slot.track = None;
        }
        if !p.awaiting_offer {
            p.awaiting_offer = true;
            let conn = self.participants[p.owner].conn;
            cx.signal(conn, ServerSignal::MediaSectionsRequirement { audios: 0, videos: 0 });
        }
    }

    /// Our answer with each slot's msid and direction set as assigned.
    pub(crate) fn rewrite_answer(&self, pc: PcIdx, sdp: &str) -> String {
        let slots = &self.pcs[pc].slots;
        let mut out = String::with_capacity(sdp.len() + 256);
        for (i, section) in sdp.split("\r\nm=").enumerate() {
            if i > 0 {
                out.push_str("\r\nm=");
            }
            let mid = section.lines().find_map(|l| l.strip_prefix("a=mid:")).map(str::trim);
            let slot = mid.and_then(|m| slots.iter().find(|s| s.mid.to_string() == m));
            let Some(slot) = slot else {
                out.push_str(section);
                continue;
            };
            let msid = slot.track.and_then(|t| self.tracks.get(t)).map(|t| {
                let owner = &self.participants[t.owner].info.sid;
                format!("{owner}|{sid} {sid}", sid = t.info.sid)
            });
            out.push_str(&rewrite_section(section, msid.as_deref()));
        }
        out
    }
}

/// Sets a media section's msid (sending) or makes it inactive (`None`).
fn rewrite_section(section: &str, msid: Option<&str>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut has_msid = false;
    for line in section.split("\r\n") {
        match msid {
            Some(msid) => {
                if line.starts_with("a=msid:") {
                    lines.push(format!("a=msid:{msid}"));
                    has_msid = true;
                } else if let Some(rest) = line.strip_prefix("a=ssrc:").filter(|r| r.contains(" msid:")) {
                    let ssrc = rest.split(' ').next().unwrap_or_default();
                    lines.push(format!("a=ssrc:{ssrc} msid:{msid}"));
                } else if matches!(line, "a=inactive" | "a=recvonly") {
                    lines.push("a=sendonly".into());
                } else {
                    lines.push(line.to_owned());
                }
            }
            None => {
                if line.starts_with("a=msid:") || (line.starts_with("a=ssrc:") && line.contains(" msid:")) {
                    continue;
                }
                if matches!(line, "a=sendonly" | "a=sendrecv") {
                    lines.push("a=inactive".into());
                } else {
                    lines.push(line.to_owned());
                }
            }
        }
    }
    if let (Some(msid), false) = (msid, has_msid)
        && let Some(at) = lines.iter().position(|l| l.starts_with("a=mid:"))
    {
        lines.insert(at + 1, format!("a=msid:{msid}"));
    }
    lines.join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTION: &str = "video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:3\r\na=sendonly\r\na=msid:abc def\r\na=ssrc:42 cname:x\r\na=ssrc:42 msid:abc def\r\n";

    #[test]
    fn assigned_slot_gets_livekit_msid() {
        let s = rewrite_section(SECTION, Some("PA_a|TR_b TR_b"));
        assert!(s.contains("a=msid:PA_a|TR_b TR_b"));
        assert!(s.contains("a=ssrc:42 msid:PA_a|TR_b TR_b"));
        assert!(s.contains("a=sendonly"));
        assert!(!s.contains("abc"));
    }

    #[test]
    fn free_slot_is_inactive() {
        let s = rewrite_section(SECTION, None);
        assert!(s.contains("a=inactive") && !s.contains("a=sendonly"));
        assert!(!s.contains("msid"));
        assert!(s.contains("a=ssrc:42 cname:x"));
    }

    #[test]
    fn msid_inserted_when_missing() {
        let s = rewrite_section("audio 9 X 111\r\na=mid:1\r\na=inactive\r\n", Some("P|T T"));
        assert!(s.contains("a=mid:1\r\na=msid:P|T T"));
        assert!(s.contains("a=sendonly"));
    }
}
