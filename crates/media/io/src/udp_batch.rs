//! Batched UDP sends: the media thread queues the datagrams one wake-up produces and
//! hands them to the kernel with `sendmmsg(2)`, up to [`MAX_BATCH`] per system call,
//! instead of one `sendto(2)` each. A webinar packet fans out to every subscriber, so one
//! incoming datagram already yields as many outgoing ones as there are subscribers.
//!
//! Consecutive datagrams to one destination that have one size (the last may be shorter),
//! such as the packets of a video frame drained from one subscriber leg, go out as one
//! UDP GSO send (`UDP_SEGMENT`): the kernel walks its stack once for the run and cuts it
//! into datagrams at the end (or the NIC does). A kernel or device that refuses GSO turns
//! it off for the socket; the run then goes out datagram by datagram.
//!
//! The `sendmmsg` headers are kept between flushes; per flush the batch allocates the
//! `iovec` list, and nothing per datagram (the datagrams themselves are str0m's).

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use nix::errno::Errno;
use nix::sys::socket::{ControlMessage, MsgFlags, MultiHeaders, SockaddrStorage, sendmmsg, sendmsg};

/// Datagrams per `sendmmsg` call (the kernel caps a call at `UIO_MAXIOV`, 1024).
pub const MAX_BATCH: usize = 256;
/// Datagrams in one GSO send (the kernel's `UDP_MAX_SEGMENTS` is 64 or more).
const MAX_SEGMENTS: usize = 64;
/// Bytes in one GSO send (an IP packet's payload limit, with room for headers).
const MAX_GSO_BYTES: usize = 60_000;

/// What a flush did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// Datagrams the kernel took.
    pub datagrams: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Datagrams dropped on an error (a full socket buffer, an unreachable address).
    pub errors: u64,
    /// GSO sends among them.
    pub gso_sends: u64,
}

/// Datagrams queued for one socket. Not `Send` (nix's headers hold raw pointers): the
/// media thread creates its own.
pub struct SendBatch {
    queued: Vec<(Vec<u8>, SocketAddr)>,
    headers: MultiHeaders<SockaddrStorage>,
    addrs: Vec<Option<SockaddrStorage>>,
    /// Whether runs go out as GSO sends.
    gso: bool,
}

impl SendBatch {
    /// A batch; `gso` allows GSO sends for runs of equal-size datagrams.
    pub fn new(gso: bool) -> Self {
        Self { queued: Vec::new(), headers: MultiHeaders::preallocate(MAX_BATCH, None), addrs: Vec::with_capacity(MAX_BATCH), gso }
    }

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
        let fd = socket.as_raw_fd();
        let mut sent = Sent::default();
        // `singles` is the first datagram not yet sent; runs found at `i` go out as GSO.
        let (mut singles, mut i) = (0, 0);
        while i < self.queued.len() {
            let run = if self.gso { self.run_at(i) } else { 1 };
            if run < 2 {
                i += 1;
                continue;
            }
            if !self.send_singles(fd, singles, i, &mut sent) {
                return self.finish(sent);
            }
            match self.send_gso(fd, i, i + run) {
                Ok(bytes) => {
                    sent.gso_sends += 1;
                    sent.datagrams += run as u64;
                    sent.bytes += bytes;
                    i += run;
                    singles = i;
                }
                Err(Errno::EAGAIN) => {
                    sent.errors += (self.queued.len() - i) as u64;
                    return self.finish(sent);
                }
                // No GSO here (an old kernel, a device without checksum offload): send
                // this run and all later ones datagram by datagram.
                Err(e @ (Errno::EIO | Errno::EINVAL | Errno::EMSGSIZE | Errno::ENOPROTOOPT | Errno::EOPNOTSUPP)) => {
                    tracing::warn!(error = %io::Error::from(e), "UDP GSO refused; sending datagrams one by one");
                    self.gso = false;
                    singles = i;
                }
                Err(e) => {
                    tracing::trace!(error = %io::Error::from(e), destination = %self.queued[i].1, "udp send failed");
                    sent.errors += run as u64;
                    i += run;
                    singles = i;
                }
            }
        }
        self.send_singles(fd, singles, self.queued.len(), &mut sent);
        self.finish(sent)
    }

    fn finish(&mut self, sent: Sent) -> Sent {
        self.queued.clear();
        sent
    }

    /// How many datagrams from `i` on form a GSO run: one destination, one size, only the
    /// last one may be shorter.
    fn run_at(&self, i: usize) -> usize {
        let (first, to) = (&self.queued[i].0, self.queued[i].1);
        let size = first.len();
        if size == 0 {
            // A segment size of 0 means "no GSO" to the kernel: empty datagrams go singly.
            return 1;
        }
        let mut n = 1;
        let mut bytes = size;
        for (d, dest) in &self.queued[i + 1..] {
            if *dest != to || d.len() > size || n == MAX_SEGMENTS || bytes + d.len() > MAX_GSO_BYTES {
                break;
            }
            n += 1;
            bytes += d.len();
            if d.len() < size {
                break;
            }
        }
        n
    }

    /// One GSO send of `queued[start..end]`; its bytes.
    fn send_gso(&self, fd: i32, start: usize, end: usize) -> Result<u64, Errno> {
        let run = &self.queued[start..end];
        let segment = run[0].0.len() as u16;
        let slices: Vec<IoSlice> = run.iter().map(|(d, _)| IoSlice::new(d)).collect();
        let to = SockaddrStorage::from(run[0].1);
        loop {
            match sendmsg(fd, &slices, &[ControlMessage::UdpGsoSegments(&segment)], MsgFlags::MSG_DONTWAIT, Some(&to)) {
                Err(Errno::EINTR) => continue,
                r => return r.map(|n| n as u64),
            }
        }
    }

    /// Sends `queued[start..end]` one datagram each, `sendmmsg` by `sendmmsg`. False when
    /// the socket buffer is full: the rest of the batch is then dropped and counted.
    fn send_singles(&mut self, fd: i32, mut start: usize, end: usize, sent: &mut Sent) -> bool {
        while start < end {
            let stop = (start + MAX_BATCH).min(end);
            match self.send_chunk(fd, start, stop) {
                Ok((datagrams, bytes)) => {
                    sent.datagrams += datagrams as u64;
                    sent.bytes += bytes;
                    start += datagrams.max(1);
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => {
                    tracing::trace!("udp send buffer full; dropping {} datagrams", self.queued.len() - start);
                    sent.errors += (self.queued.len() - start) as u64;
                    return false;
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
        true
    }

    /// One `sendmmsg` over `queued[start..end]`: how many datagrams the kernel took, and
    /// their bytes.
    fn send_chunk(&mut self, fd: i32, start: usize, end: usize) -> Result<(usize, u64), Errno> {
        let Self { queued, headers, addrs, .. } = self;
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

    /// A loopback socket whose reads give up after 5 s.
    fn receiver() -> std::io::Result<UdpSocket> {
        let rx = UdpSocket::bind("127.0.0.1:0")?;
        rx.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(rx)
    }

    #[test]
    fn a_batch_reaches_every_destination_in_order() -> std::io::Result<()> {
        let tx = UdpSocket::bind("127.0.0.1:0")?;
        let rx = (0..3).map(|_| receiver()).collect::<Result<Vec<_>, _>>()?;
        let mut batch = SendBatch::new(true);
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
        let rx = receiver()?;
        let mut batch = SendBatch::new(true);
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

    fn payload(tag: u8, len: usize) -> Vec<u8> {
        let mut d = vec![tag; len];
        d[0] = tag;
        d
    }

    fn receive(rx: &UdpSocket, n: usize) -> std::io::Result<Vec<Vec<u8>>> {
        let mut buf = [0u8; 2048];
        (0..n).map(|_| rx.recv(&mut buf).map(|len| buf[..len].to_vec())).collect()
    }

    #[test]
    fn a_run_to_one_destination_goes_as_one_gso_send_and_arrives_as_datagrams() -> std::io::Result<()> {
        let tx = UdpSocket::bind("127.0.0.1:0")?;
        let (a, b) = (receiver()?, receiver()?);
        let mut batch = SendBatch::new(true);
        // a: one; b: a frame of four equal datagrams and a shorter last one; a: one more;
        // b: a longer one after a shorter one starts a new run.
        let sent_a = [payload(1, 90), payload(7, 90)];
        let sent_b = [payload(2, 300), payload(3, 300), payload(4, 300), payload(5, 300), payload(6, 120), payload(8, 50), payload(9, 400)];
        batch.push(sent_a[0].clone(), a.local_addr()?);
        for d in &sent_b[..5] {
            batch.push(d.clone(), b.local_addr()?);
        }
        batch.push(sent_a[1].clone(), a.local_addr()?);
        for d in &sent_b[5..] {
            batch.push(d.clone(), b.local_addr()?);
        }
        let sent = batch.flush(&tx);
        assert_eq!((sent.datagrams, sent.errors), (9, 0));
        assert_eq!(sent.gso_sends, 1, "only the five-datagram run is a GSO send");
        assert_eq!(sent.bytes, (sent_a.iter().chain(&sent_b)).map(|d| d.len() as u64).sum::<u64>());
        assert_eq!(receive(&a, 2)?, sent_a.to_vec());
        assert_eq!(receive(&b, 7)?, sent_b.to_vec(), "each datagram arrives whole, in order");
        Ok(())
    }

    #[test]
    fn without_gso_a_run_goes_datagram_by_datagram() -> std::io::Result<()> {
        let tx = UdpSocket::bind("127.0.0.1:0")?;
        let rx = receiver()?;
        let mut batch = SendBatch::new(false);
        let frames: Vec<Vec<u8>> = (0..4).map(|i| payload(i, 200)).collect();
        for d in &frames {
            batch.push(d.clone(), rx.local_addr()?);
        }
        let sent = batch.flush(&tx);
        assert_eq!((sent.datagrams, sent.gso_sends), (4, 0));
        assert_eq!(receive(&rx, 4)?, frames);
        Ok(())
    }

    #[test]
    fn empty_datagrams_are_never_a_gso_run() -> std::io::Result<()> {
        let tx = UdpSocket::bind("127.0.0.1:0")?;
        let rx = receiver()?;
        let mut batch = SendBatch::new(true);
        for _ in 0..3 {
            batch.push(Vec::new(), rx.local_addr()?);
        }
        let sent = batch.flush(&tx);
        assert_eq!((sent.datagrams, sent.gso_sends), (3, 0));
        assert_eq!(receive(&rx, 3)?, vec![Vec::<u8>::new(); 3]);
        Ok(())
    }
}
