//! Time for the sans-IO servers: nanoseconds since the driver started.

use turn_server_proto::types::Instant;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    base: std::time::Instant,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self { base: std::time::Instant::now() }
    }

    pub(crate) fn now(&self) -> Instant {
        Instant::from_nanos(i64::try_from(self.base.elapsed().as_nanos()).unwrap_or(i64::MAX))
    }
}
