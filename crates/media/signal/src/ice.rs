//! The ICE servers a join or a resume lists, from the server's TURN (when it runs).

use std::sync::Arc;

use hikari_types::{IceServer, ParticipantSid, ServerSignal};

/// Makes a participant's ICE servers (with its credentials) from its sid, for its join or
/// its resume.
pub type IceServers = Arc<dyn Fn(&ParticipantSid) -> Vec<IceServer> + Send + Sync>;

/// Fills a join or reconnect response with the participant's ICE servers. A join that
/// must relay over TLS (`force-tls`) keeps only the `turns:` URLs; without any, the
/// demand is dropped (a client told to relay with nothing to relay through could not
/// connect at all), as LiveKit does without a TURN TLS port.
pub(crate) fn fill(signal: &mut ServerSignal, ice: Option<&IceServers>) {
    match signal {
        ServerSignal::Join(join) => {
            join.ice_servers = ice.map(|ice| ice(&join.participant.sid)).unwrap_or_default();
            if join.force_relay {
                let tls = tls_only(join.ice_servers.clone());
                if tls.is_empty() {
                    tracing::info!("force-tls ignored: no TURN over TLS is configured (turn.cert_file and turn.key_file, or turn.external_tls)");
                    join.force_relay = false;
                } else {
                    join.ice_servers = tls;
                }
            }
        }
        ServerSignal::Reconnect { participant, ice_servers, .. } => {
            if let Some(ice) = ice {
                *ice_servers = ice(participant);
            }
        }
        _ => {}
    }
}

/// The servers with only their `turns:` URLs; servers left with none are dropped.
fn tls_only(servers: Vec<IceServer>) -> Vec<IceServer> {
    servers
        .into_iter()
        .filter_map(|mut s| {
            s.urls.retain(|u| u.starts_with("turns:"));
            (!s.urls.is_empty()).then_some(s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use hikari_types::JoinInfo;

    use super::*;

    fn join(force_relay: bool) -> ServerSignal {
        ServerSignal::Join(Box::new(JoinInfo { subscriber_primary: true, ping_interval: 5, ping_timeout: 15, force_relay, ..Default::default() }))
    }

    fn turn(urls: &'static [&'static str]) -> IceServers {
        Arc::new(move |_: &ParticipantSid| {
            vec![IceServer { urls: urls.iter().map(|u| (*u).to_owned()).collect(), username: "u".into(), credential: "p".into() }]
        })
    }

    fn filled(mut signal: ServerSignal, ice: Option<&IceServers>) -> (Vec<String>, bool) {
        fill(&mut signal, ice);
        match signal {
            ServerSignal::Join(j) => (j.ice_servers.iter().flat_map(|s| s.urls.clone()).collect(), j.force_relay),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn force_tls_keeps_only_turn_over_tls_or_is_dropped_without_it() {
        let both = turn(&["turn:h:3478?transport=udp", "turns:h:443?transport=tcp"]);
        assert_eq!(filled(join(false), Some(&both)), (vec!["turn:h:3478?transport=udp".to_owned(), "turns:h:443?transport=tcp".to_owned()], false));
        assert_eq!(filled(join(true), Some(&both)), (vec!["turns:h:443?transport=tcp".to_owned()], true));
        let udp = turn(&["turn:h:3478?transport=udp"]);
        assert_eq!(filled(join(true), Some(&udp)), (vec!["turn:h:3478?transport=udp".to_owned()], false), "no TLS: the demand is dropped");
        assert_eq!(filled(join(true), None), (Vec::new(), false), "no TURN at all");
    }
}
