//! A client that sends `Leave` and closes its socket while the server is stuck writing to it
//! is still heard leaving.
//!
//! The race: a session writes the room's signals to its client; when the client stops
//! reading, the write blocks on full TCP buffers, and nothing reads the client's frames
//! meanwhile. The client then sends `Leave` and closes with unread data, so its kernel resets
//! the connection and the blocked write fails. The `Leave` sits in the server's receive
//! buffer, but before 6ffddee the session ended on the failed write without reading it: the
//! router got only `Closed`, and the room kept the participant 15 s for a resume.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::SinkExt;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

use hikari_auth::{AccessToken, AuthThrottle, KeySet, VideoGrant};
use hikari_common::clock::unix_secs;
use hikari_media_io::MediaError;
use hikari_protocol::encode_client_signal;
use hikari_sfu::{Command, ConnId, Join, SignalOut};
use hikari_signal::{Router, SignalState, routes};
use hikari_types::{AdminRequest, AdminResponse, ClientSignal, DisconnectReason, ParticipantInfo, ServerSignal};

/// Hands each join's outbox and every command to the test.
#[derive(Clone)]
struct Recorder {
    outboxes: mpsc::UnboundedSender<mpsc::Sender<SignalOut>>,
    commands: mpsc::UnboundedSender<Command>,
}

impl Router for Recorder {
    fn next_conn(&self) -> ConnId {
        ConnId(1)
    }

    fn join(&self, _: Join, outbox: mpsc::Sender<SignalOut>) -> Result<(), MediaError> {
        self.outboxes.send(outbox).map_err(|_| MediaError::Unavailable("test over"))
    }

    fn command(&self, command: Command) -> Result<(), MediaError> {
        self.commands.send(command).map_err(|_| MediaError::Unavailable("test over"))
    }

    async fn admin(&self, _: AdminRequest) -> Result<AdminResponse, MediaError> {
        Err(MediaError::Unavailable("no admin requests in this test"))
    }
}

/// One signal larger than the server's socket send buffer (Linux autotunes it to 4 MiB at
/// most) and the client's small receive buffer together: writing it can never finish.
const HUGE: usize = 16 << 20;
/// The bound on every wait.
const WAIT: Duration = Duration::from_secs(5);

fn token() -> String {
    AccessToken::new("devkey", unix_secs(), 600)
        .identity("bob")
        .video(VideoGrant { room_join: true, room: "r".into(), ..Default::default() })
        .sign("secret")
        .expect("sign")
}

#[tokio::test]
async fn a_leave_sent_while_the_server_is_stuck_writing_is_forwarded_before_closed() {
    let (outboxes, mut joined) = mpsc::unbounded_channel();
    let (commands, mut heard) = mpsc::unbounded_channel();
    let app = routes(SignalState {
        ice_servers: None,
        keys: Arc::new(KeySet::new([("devkey".to_owned(), "secret".to_owned())])),
        router: Recorder { outboxes, commands },
        rtc_v1: true,
        ping_timeout: Duration::from_secs(15),
        throttle: Arc::new(AuthThrottle::new(20, 60)),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await });

    // A client with a small receive buffer, which never reads.
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(64 << 10).expect("receive buffer");
    let stream = timeout(WAIT, socket.connect(addr)).await.expect("connected in time").expect("connect");
    let url = format!("ws://{addr}/rtc?access_token={}", token());
    let (mut client, _) = timeout(WAIT, tokio_tungstenite::client_async(url, stream)).await.expect("upgraded in time").expect("upgrade");
    let outbox = timeout(WAIT, joined.recv()).await.expect("joined in time").expect("joined");

    // Once the session takes the huge signal off its outbox it is inside the write of it,
    // which blocks, and reads nothing from the client until that write ends.
    let huge = ServerSignal::Update(vec![ParticipantInfo { metadata: "m".repeat(HUGE), ..Default::default() }]);
    outbox.send(SignalOut::Signal(huge)).await.expect("session alive");
    timeout(WAIT, async {
        while outbox.capacity() < outbox.max_capacity() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the session took the signal in time");

    // Goodbye, then close with unread data: the kernel resets the connection, which fails
    // the server's write.
    let leave = encode_client_signal(&ClientSignal::Leave { reason: DisconnectReason::ClientInitiated });
    timeout(WAIT, client.send(Message::Binary(leave.into()))).await.expect("sent in time").expect("leave sent");
    drop(client);

    let mut got = Vec::new();
    while !matches!(got.last(), Some(Command::Closed { .. })) {
        got.push(timeout(WAIT, heard.recv()).await.expect("closed in time").expect("router alive"));
    }
    let conn = ConnId(1);
    assert_eq!(got, [Command::Signal { conn, signal: ClientSignal::Leave { reason: DisconnectReason::ClientInitiated } }, Command::Closed { conn }]);
}
