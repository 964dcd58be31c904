//! Batched UDP sends: the media thread queues the datagrams one wake-up produces and
//! hands them to the kernel with `sendmmsg(2)`, up to [`MAX_BATCH`] per system call,
//! instead of one `sendto(2)` each. A webinar packet fans out to every subscriber, so one
//! incoming datagram already yields as many outgoing ones as there are subscribers.
//!
//! The buffers (`mmsghdr`, `iovec`, addresses) are kept between flushes and only grow, so
//! a warm batch allocates nothing; the datagrams themselves are str0m's.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use nix::errno::Errno;
use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrStorage, sendmmsg};

/// Datagrams per `sendmmsg` call (the kernel caps a call at `UIO_MAXIOV`, 1024).
pub const MAX_BATCH: usize = 256;

/// What a flush did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// Datagrams the kernel took.
    pub datagrams: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Datagrams dropped on an error (a full socket buffer, an unreachable address).
    pub errors: u64,
}

/// Datagrams queued for one socket. Not `Send` (nix's headers hold raw pointers): the
/// media thread creates its own.
pub struct SendBatch {
    queued: Vec<(Vec<u8>, SocketAddr)>,
    headers: MultiHeaders<SockaddrStorage>,
    addrs: Vec<Option<SockaddrStorage>>,
}

impl Default for SendBatch {
    fn default() -> Self {
        Self { queued: Vec::new(), headers: MultiHeaders::preallocate(MAX_BATCH, None), addrs: Vec::with_capacity(MAX_BATCH) }
    }
}

impl SendBatch {
    /// Queues a datagram.
    pub fn push(&mut self, contents: Vec<u8>, destination: SocketAddr) {
        self.queued.push((contents, destination));
    }

    /// Datagrams waiting.
    pub fn len(&self) -> usize {
        self.queued.len()
    }

    /// Sends everything queued on `socket`. A datagram the kernel refuses is dropped and
    /// counted; a full socket buffer drops the rest of the batch (as a `sendto` loop would,
    /// one refusal at a time). Nothing stays queued afterwards.
    pub fn flush(&mut self, socket: &impl AsRawFd) -> Sent {
        let mut sent = Sent::default();
        let mut start = 0;
        while start < self.queued.len() {
            let end = (start + MAX_BATCH).min(self.queued.len());
            match self.send_chunk(socket.as_raw_fd(), start, end) {
                Ok((datagrams, bytes)) => {
                    sent.datagrams += datagrams as u64;
                    sent.bytes += bytes;
                    start += datagrams.max(1);
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => {
                    tracing::trace!("udp send buffer full; dropping {} datagrams", self.queued.len() - start);
                    sent.errors += (self.queued.len() - start) as u64;
                    break;
                }
                Err(e) => {
                    // The chunk's first datagram was refused (an unreachable address, say):
                    // drop it and go on with the next.
                    tracing::trace!(error = %io::Error::from(e), destination = %self.queued[start].1, "udp send failed");
                    sent.errors += 1;
                    start += 1;
                }
            }
        }
        self.queued.clear();
        sent
    }

    /// One `sendmmsg` over `queued[start..end]`: how many datagrams the kernel took, and
    /// their bytes.
    fn send_chunk(&mut self, fd: i32, start: usize, end: usize) -> Result<(usize, u64), Errno> {
        let Self { queued, headers, addrs } = self;
        let chunk = &queued[start..end];
        addrs.clear();
        addrs.extend(chunk.iter().map(|(_, to)| Some(SockaddrStorage::from(*to))));
        let slices: Vec<[IoSlice; 1]> = chunk.iter().map(|(d, _)| [IoSlice::new(d)]).collect();
        let results = sendmmsg(fd, headers, &slices, &*addrs, [], MsgFlags::MSG_DONTWAIT)?;
        let mut n = 0;
        let mut bytes = 0;
        for r in results {
            n += 1;
            bytes += r.bytes as u64;
        }
        Ok((n, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;
    use std::time::Duration;

    #[test]
    fn a_batch_reaches_every_destination_in_order() -> std::io::Result<()> {
        let tx = UdpSocket::bind("127.0.0.1:0")?;
        let rx = (0..3).map(|_| UdpSocket::bind("127.0.0.1:0")).collect::<Result<Vec<_>, _>>()?;
        for r in &rx {
            r.set_read_timeout(Some(Duration::from_secs(5)))?;
        }
        let mut batch = SendBatch::default();
        // More than one sendmmsg call's worth, spread over three receivers.
        let total = MAX_BATCH + 10;
        for i in 0..total {
            batch.push(format!("d{i}").into_bytes(), rx[i % 3].local_addr()?);
        }
        assert_eq!(batch.len(), total);
        let sent = batch.flush(&tx);
        assert_eq!(sent.datagrams, total as u64);
        assert_eq!(sent.errors, 0);
        assert_eq!(batch.len(), 0);
        let mut buf = [0u8; 64];
        for i in 0..total {
            let n = rx[i % 3].recv(&mut buf)?;
            assert_eq!(&buf[..n], format!("d{i}").as_bytes());
        }
        Ok(())
    }

    #[test]
    fn a_refused_datagram_is_counted_and_the_rest_still_go() -> std::io::Result<()> {
        let tx = UdpSocket::bind("127.0.0.1:0")?;
        let rx = UdpSocket::bind("127.0.0.1:0")?;
        rx.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut batch = SendBatch::default();
        batch.push(b"first".to_vec(), rx.local_addr()?);
        // An IPv6 destination on an IPv4 socket is refused (EAFNOSUPPORT or EINVAL).
        batch.push(b"refused".to_vec(), "[::1]:9".parse().map_err(std::io::Error::other)?);
        batch.push(b"last".to_vec(), rx.local_addr()?);
        let sent = batch.flush(&tx);
        assert_eq!((sent.datagrams, sent.errors), (2, 1));
        let mut buf = [0u8; 16];
        let n = rx.recv(&mut buf)?;
        assert_eq!(&buf[..n], b"first");
        let n = rx.recv(&mut buf)?;
        assert_eq!(&buf[..n], b"last");
        Ok(())
    }
}
