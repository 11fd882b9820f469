//! Pacing of Amazon Connect API calls: one request-rate limiter shared by every call of a
//! collector (first attempts and retries alike), and full-jitter exponential backoff.
//!
//! Amazon Connect throttles most calls at about 2 requests per second per account and
//! region (a token bucket with a small burst) and answers 429 beyond. The limiter spaces
//! requests evenly at the configured rate with a burst of one, so the service's own bucket
//! stays full and only a retry after a real throttle has to wait.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// Spaces requests at a fixed rate; shared by all concurrent calls.
pub(crate) struct Pacer {
    limiter: DefaultDirectRateLimiter,
}

impl Pacer {
    /// A pacer for `requests_per_second`, which must be positive and finite; `None` when the
    /// rate is too high to express (a period under a nanosecond) or invalid.
    pub(crate) fn new(requests_per_second: f64) -> Option<Self> {
        let valid = requests_per_second.is_finite() && requests_per_second > 0.0;
        if !valid {
            return None;
        }

        let period = Duration::try_from_secs_f64(1.0 / requests_per_second).ok()?;
        let quota = Quota::with_period(period)?.allow_burst(NonZeroU32::MIN);
        Some(Self {
            limiter: RateLimiter::direct(quota),
        })
    }

    /// Waits until one more request may be sent.
    pub(crate) async fn ready(&self) {
        self.limiter.until_ready().await;
    }
}

/// Full-jitter exponential backoff: before retry `n` (1-based) sleep a uniformly random
/// duration in `[0, min(max, base * 2^(n-1))]`, so clients that were throttled together do
/// not come back together.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) base: Duration,
    pub(crate) max: Duration,
}

impl Backoff {
    /// The sleep before retry number `retry` (1 for the first retry).
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        self.ceiling(retry).mul_f64(fastrand::f64())
    }

    fn ceiling(&self, retry: u32) -> Duration {
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base.saturating_mul(doubling).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_ceiling_doubles_up_to_the_maximum() {
        let backoff = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_millis(1_000),
        };
        let ceilings: Vec<u128> = (1..=6).map(|n| backoff.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1_000, 1_000]);
    }

    #[test]
    fn backoff_delay_stays_within_the_ceiling() {
        let backoff = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(20),
        };
        let within = (0..200).all(|_| backoff.delay(3) <= Duration::from_millis(400));
        assert!(within);
    }

    #[test]
    fn pacer_rejects_rates_that_are_not_positive_and_finite() {
        assert!(Pacer::new(0.0).is_none());
        assert!(Pacer::new(-1.0).is_none());
        assert!(Pacer::new(f64::NAN).is_none());
        assert!(Pacer::new(f64::INFINITY).is_none());
        assert!(Pacer::new(2.0).is_some());
    }
}
