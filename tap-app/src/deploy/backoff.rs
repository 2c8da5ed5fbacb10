//! Polling intervals: quick while an operation is young (an emulator finishes
//! in about a second), growing to a few seconds for long AWS operations.

use std::time::Duration;

const FIRST: Duration = Duration::from_millis(200);
const MAX: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    pub fn new() -> Self {
        Backoff { next: FIRST }
    }

    /// The pause before the next poll, which grows each time.
    pub fn step(&mut self) -> Duration {
        let now = self.next;
        self.next = (self.next * 3 / 2).min(MAX);
        now
    }

    /// Sleeps the next step less a random part of up to half of it, so that
    /// many clients retrying at once spread out ("equal jitter").
    pub async fn wait(&mut self) {
        tokio::time::sleep(jitter(self.step())).await;
    }

    /// Something happened: look again soon.
    pub fn reset(&mut self) {
        self.next = FIRST;
    }
}

/// Between half of `d` and all of it.
fn jitter(d: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // A fresh random seed per call (std's RandomState), so no RNG crate is needed.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(d.as_nanos());
    let fraction = (h.finish() % 1000) as u32;
    d / 2 + d / 2 * fraction / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_a_ceiling_and_resets() {
        let mut b = Backoff::new();
        let steps: Vec<Duration> = (0..20).map(|_| b.step()).collect();
        assert_eq!(steps[0], FIRST);
        assert!(steps.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*steps.last().unwrap(), MAX);
        b.reset();
        assert_eq!(b.step(), FIRST);
    }

    #[test]
    fn jitter_stays_within_half_and_whole() {
        let d = Duration::from_secs(4);
        let waits: Vec<Duration> = (0..50).map(|_| jitter(d)).collect();
        assert!(waits.iter().all(|w| *w >= d / 2 && *w <= d));
        assert!(waits.iter().any(|w| *w != waits[0]), "no spread: {waits:?}");
    }
}
