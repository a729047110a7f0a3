//! Bounds on each request's instance. Both are off by default, as in `spin up`.

use std::time::Duration;

use wasmtime::{Store, StoreLimitsBuilder};

use crate::engine::EPOCH_TICK;
use crate::instance::RequestState;

#[derive(Debug, Clone, Copy, Default)]
pub struct GuestLimits {
    /// Wasm execution past this time traps (the request gets an empty 500). Spin 3.6 ticks
    /// the epoch too but sets no deadline for WASIp2 components (its `--request-timeout` only
    /// applies to WASIp3 ones), so by default nothing ends a guest that loops.
    pub request_timeout: Option<Duration>,
    /// The size in bytes a linear memory may grow to, as `spin up --max-instance-memory`
    /// (`SPIN_MAX_INSTANCE_MEMORY`); without it, the pooling allocator's 4 GiB.
    pub max_instance_memory: Option<usize>,
}

impl GuestLimits {
    pub(crate) fn apply(&self, store: &mut Store<RequestState>) {
        store.set_epoch_deadline(self.request_timeout.map_or(u64::MAX / 2, deadline_ticks));
        if let Some(bytes) = self.max_instance_memory {
            store.data_mut().limits = StoreLimitsBuilder::new().memory_size(bytes).build();
            store.limiter(|state| &mut state.limits);
        }
    }
}

/// Spin's `Store::set_deadline` arithmetic: whole ticks, plus one for the tick under way.
fn deadline_ticks(timeout: Duration) -> u64 {
    let ticks = timeout.as_micros() / EPOCH_TICK.as_micros();
    u64::try_from(ticks).unwrap_or(u64::MAX / 2) + 1
}

/// `500ms`, `2s` or `2` (seconds), as Spin's duration flags.
pub fn parse_duration(text: &str) -> Option<Duration> {
    if let Some(millis) = text.strip_suffix("ms") {
        return millis.parse().ok().map(Duration::from_millis);
    }
    text.strip_suffix('s').unwrap_or(text).parse().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_spins() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("3s"), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("soon"), None);
    }

    #[test]
    fn deadlines_round_down_to_ticks_plus_the_current_one() {
        assert_eq!(deadline_ticks(Duration::from_millis(500)), 51);
        assert_eq!(deadline_ticks(Duration::from_millis(5)), 1);
    }
}
