//! Scheduled collection of Amazon Connect metadata: on each scheduled invocation the host asks
//! the Amazon Connect API about every configured instance and hands each instance's
//! [`Snapshot`] (format: `docs/snapshot-format.md`) to the `scheduled-snapshot` transform.
//!
//! Start at [`Collector::collect`]. Per instance it calls DescribeInstance, ListQueues
//! (STANDARD), GetCurrentMetricData (grouped by QUEUE and CHANNEL), GetCurrentUserData,
//! DescribeQueue, ListRoutingProfiles, DescribeRoutingProfile, ListUsers and DescribeUser,
//! following `NextToken` on every paginated call.
//!
//! Decisions:
//! - **Rate.** One [`governor`] limiter per collector paces every request, retries included,
//!   at [`CollectorSettings::requests_per_second`] (Amazon Connect allows about 2 per second
//!   per account and region on most calls). At most [`CollectorSettings::max_concurrency`]
//!   describes are in flight at once.
//! - **Retries are ours, not the SDK's.** [`Collector::new`] rebuilds the client with the
//!   SDK's retries disabled, so attempts are not multiplied and each retry waits for the
//!   limiter and is counted. Throttling (HTTP 429, `TooManyRequestsException`,
//!   `ThrottlingException`), 5xx answers, timeouts and connection failures are retried up to
//!   [`CollectorSettings::max_attempts`] with full-jitter exponential backoff; other 4xx
//!   answers are not.
//! - **Cache.** Described queues, routing profiles and users are kept in memory per instance
//!   across warm invocations and reused while the list call reports the same
//!   `LastModifiedTime`; new or modified ones are described, deleted ones dropped, and
//!   everything is described again once [`CollectorSettings::full_refresh`] has passed.
//! - **Partial failure.** A call that still fails after its retries, or that the deadline cuts
//!   off, becomes a [`CollectError`] in the snapshot and collection goes on. A resource whose
//!   describe failed appears with its list summary's fields only (or, if it was described
//!   before, its previous description) and is not cached, so the next run describes it.
//!   Describes cut off by the deadline are reported as one error per kind.

mod cache;
mod client;
mod instance;
mod rate;
mod snapshot;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_connect::Client;

pub use snapshot::{
    AgentStatusInfo, CollectError, IdentityInfo, InstanceInfo, QueueInfo, QueueMetric,
    QueueMetricValues, RoutingProfileInfo, Snapshot, UserDataInfo, UserInfo,
};

use cache::InstanceCache;
use client::{ApiSettings, ConnectApi};
use instance::InstanceRun;
use rate::Backoff;

/// Largest page the Amazon Connect list calls (ListUsers, ListQueues, ListRoutingProfiles)
/// accept; bigger pages mean fewer paced requests.
pub const MAX_LIST_PAGE_SIZE: i32 = 1000;

/// How the collector paces, retries and caches.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorSettings {
    /// Requests per second across all calls of the collector. Default 2.0, Amazon Connect's
    /// usual per-account limit; beyond it the API answers 429.
    pub requests_per_second: f64,
    /// Describe calls in flight at once. Default 2.
    pub max_concurrency: usize,
    /// Describe everything again when the last full describe is this old. Default 6 h.
    pub full_refresh: Duration,
    /// Attempts per call, the first included. Default 5.
    pub max_attempts: u32,
    /// Ceiling of the first retry's random backoff; it doubles per retry. Default 200 ms.
    pub backoff_base: Duration,
    /// Largest backoff ceiling. Default 20 s.
    pub backoff_max: Duration,
    /// Longest wait for one answer before the attempt counts as failed. Default 10 s.
    pub attempt_timeout: Duration,
    /// `MaxResults` of the list calls, 1 to [`MAX_LIST_PAGE_SIZE`]. Default 1000.
    pub list_page_size: i32,
}

impl Default for CollectorSettings {
    fn default() -> Self {
        Self {
            requests_per_second: 2.0,
            max_concurrency: 2,
            full_refresh: Duration::from_secs(6 * 3600),
            max_attempts: 5,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(20),
            attempt_timeout: Duration::from_secs(10),
            list_page_size: MAX_LIST_PAGE_SIZE,
        }
    }
}

/// A setting the collector cannot work with.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("requests_per_second must be positive and finite, got {0}")]
    Rate(f64),
    #[error("max_concurrency must be at least 1")]
    Concurrency,
    #[error("max_attempts must be at least 1")]
    Attempts,
    #[error("list_page_size must be 1 to {MAX_LIST_PAGE_SIZE}, got {0}")]
    PageSize(i32),
}

impl CollectorSettings {
    /// Checks the settings.
    ///
    /// # Errors
    /// The first setting out of range.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let rate = self.requests_per_second;
        if !(rate.is_finite() && rate > 0.0) {
            return Err(SettingsError::Rate(rate));
        }
        if self.max_concurrency == 0 {
            return Err(SettingsError::Concurrency);
        }
        if self.max_attempts == 0 {
            return Err(SettingsError::Attempts);
        }
        if !(1..=MAX_LIST_PAGE_SIZE).contains(&self.list_page_size) {
            return Err(SettingsError::PageSize(self.list_page_size));
        }
        Ok(())
    }
}

/// One instance's collected snapshot, with what the host needs to hand it on.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceSnapshot {
    /// The instance id, as configured.
    pub instance_id: String,
    /// When collection of this instance started (the `snapshot-meta` value).
    pub collected_at_ms: i64,
    /// The payload; [`Snapshot::to_json_bytes`] gives the event's bytes.
    pub snapshot: Snapshot,
    /// What could not be collected: the same list as the snapshot's `Errors`.
    pub errors: Vec<CollectError>,
}

/// Collects snapshots; keep one for the life of the Lambda execution environment so its
/// cache and rate limiter carry over between invocations.
pub struct Collector {
    api: ConnectApi,
    settings: CollectorSettings,
    caches: HashMap<String, InstanceCache>,
}

impl Collector {
    /// A collector calling Amazon Connect through `client`, whose own retries are switched
    /// off (the collector retries, see the module docs).
    ///
    /// # Errors
    /// [`SettingsError`] when a setting is out of range.
    pub fn new(client: Client, settings: CollectorSettings) -> Result<Self, SettingsError> {
        settings.validate()?;
        let api_settings = ApiSettings {
            requests_per_second: settings.requests_per_second,
            max_attempts: settings.max_attempts,
            backoff: Backoff {
                base: settings.backoff_base,
                max: settings.backoff_max,
            },
            attempt_timeout: settings.attempt_timeout,
            list_page_size: settings.list_page_size,
        };
        let api = ConnectApi::new(client, api_settings)
            .ok_or(SettingsError::Rate(settings.requests_per_second))?;
        Ok(Self {
            api,
            settings,
            caches: HashMap::new(),
        })
    }

    /// Collects one snapshot per instance, in order. Never fails: what could not be
    /// collected by `deadline` (after retries) is listed in each snapshot's errors. No call
    /// is started after `deadline` and calls in flight are cut off there, so pass the
    /// Lambda deadline less the time the transform and the write need.
    pub async fn collect(
        &mut self,
        instance_ids: &[String],
        deadline: std::time::Instant,
    ) -> Vec<InstanceSnapshot> {
        let deadline = tokio::time::Instant::from_std(deadline);
        let mut snapshots = Vec::with_capacity(instance_ids.len());
        for instance_id in instance_ids {
            let run = InstanceRun {
                api: &self.api,
                instance_id,
                deadline,
                concurrency: self.settings.max_concurrency,
                full_refresh: self.settings.full_refresh,
            };
            let cache = self.caches.entry(instance_id.clone()).or_default();
            snapshots.push(run.collect(cache).await);
        }
        snapshots
    }

    /// API requests sent since the collector was made, retries included.
    pub fn calls_made(&self) -> u64 {
        self.api.calls_made()
    }
}
