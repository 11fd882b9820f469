//! Collection of one Amazon Connect instance into one [`InstanceSnapshot`].
//!
//! The calls run in order of value, so that a run cut short by its deadline still carries
//! the live figures: DescribeInstance, ListQueues, GetCurrentMetricData and
//! GetCurrentUserData first, then the queue, routing profile and user describes, which are
//! many but mostly answered from the cache. A failed call becomes a [`CollectError`] and the
//! run goes on.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_connect::primitives::DateTime;
use aws_sdk_connect::types::{
    Queue, QueueSummary, RoutingProfile, RoutingProfileSummary, User, UserSummary,
};
use futures_util::stream::{self, StreamExt};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::InstanceSnapshot;
use super::cache::{Cached, InstanceCache, ResourceCache};
use super::client::{CallError, ConnectApi, Listing};
use super::snapshot::{
    CollectError, InstanceInfo, QueueInfo, QueueMetric, RoutingProfileInfo, Snapshot, UserDataInfo,
    UserInfo, rfc3339_millis,
};

/// A list summary that names a describable resource.
trait Listed {
    fn id(&self) -> Option<&str>;
    fn last_modified(&self) -> Option<&DateTime>;
}

impl Listed for QueueSummary {
    fn id(&self) -> Option<&str> {
        self.id()
    }

    fn last_modified(&self) -> Option<&DateTime> {
        self.last_modified_time()
    }
}

impl Listed for RoutingProfileSummary {
    fn id(&self) -> Option<&str> {
        self.id()
    }

    fn last_modified(&self) -> Option<&DateTime> {
        self.last_modified_time()
    }
}

impl Listed for UserSummary {
    fn id(&self) -> Option<&str> {
        self.id()
    }

    fn last_modified(&self) -> Option<&DateTime> {
        self.last_modified_time()
    }
}

/// How errors about one kind of describe are worded.
struct Kind {
    operation: &'static str,
    noun: &'static str,
}

const QUEUES: Kind = Kind {
    operation: "DescribeQueue",
    noun: "queues",
};
const ROUTING_PROFILES: Kind = Kind {
    operation: "DescribeRoutingProfile",
    noun: "routing profiles",
};
const USERS: Kind = Kind {
    operation: "DescribeUser",
    noun: "users",
};

/// What the collector knows while it collects one instance.
pub(crate) struct InstanceRun<'a> {
    pub(crate) api: &'a ConnectApi,
    pub(crate) instance_id: &'a str,
    pub(crate) deadline: Instant,
    pub(crate) concurrency: usize,
    pub(crate) full_refresh: Duration,
}

/// Running totals for the per-instance log line.
#[derive(Default)]
struct Tally {
    described: usize,
    errors: Vec<CollectError>,
}

/// The descriptions of one run, and whether every listing behind them was complete.
struct Described {
    queues: Vec<QueueInfo>,
    routing_profiles: Vec<RoutingProfileInfo>,
    users: Vec<UserInfo>,
    lists_complete: bool,
}

impl InstanceRun<'_> {
    /// Collects the instance, describing only what `cache` cannot answer, and updates it.
    pub(crate) async fn collect(&self, cache: &mut InstanceCache) -> InstanceSnapshot {
        let collected_at_ms = now_ms();
        let started = std::time::Instant::now();
        let calls_before = self.api.calls_made();
        let full = cache.full_refresh_due(self.full_refresh);
        let mut tally = Tally::default();

        // The live figures first, then the descriptions (from the cache where still valid).
        let instance = self.instance(&mut tally).await;
        let queue_list = self.api.list_queues(self.deadline, self.instance_id).await;
        note_listing("ListQueues", &queue_list, &mut tally);
        let queue_ids = listed_ids(&queue_list);
        let queue_metrics = self
            .queue_metrics(&queue_ids, &queue_list, &mut tally)
            .await;
        let user_data = self.user_data(&queue_ids, &queue_list, &mut tally).await;
        let described = self.describe(queue_list, cache, full, &mut tally).await;

        // A full refresh counts only when every listing was complete.
        if full && described.lists_complete {
            cache.refreshed_at = Some(started);
        }

        let snapshot = Snapshot {
            instance_id: self.instance_id.to_owned(),
            collected_at: rfc3339_millis(collected_at_ms),
            instance,
            queues: described.queues,
            routing_profiles: described.routing_profiles,
            users: described.users,
            queue_metrics,
            user_data,
            errors: tally.errors.clone(),
        };
        let calls = self.api.calls_made() - calls_before;
        self.log(&snapshot, full, &tally, calls, started.elapsed());
        InstanceSnapshot {
            instance_id: self.instance_id.to_owned(),
            collected_at_ms,
            snapshot,
            errors: tally.errors,
        }
    }

    /// Queues (already listed), routing profiles and users, described or from the cache.
    async fn describe(
        &self,
        queue_list: Listing<QueueSummary>,
        cache: &mut InstanceCache,
        full: bool,
        tally: &mut Tally,
    ) -> Described {
        let queues = self
            .queues(&queue_list, &mut cache.queues, full, tally)
            .await;

        let profile_list = self
            .api
            .list_routing_profiles(self.deadline, self.instance_id)
            .await;
        note_listing("ListRoutingProfiles", &profile_list, tally);
        let routing_profiles = self
            .routing_profiles(&profile_list, &mut cache.routing_profiles, full, tally)
            .await;

        let user_list = self.api.list_users(self.deadline, self.instance_id).await;
        note_listing("ListUsers", &user_list, tally);
        let users = self.users(&user_list, &mut cache.users, full, tally).await;

        Described {
            queues,
            routing_profiles,
            users,
            lists_complete: queue_list.complete()
                && profile_list.complete()
                && user_list.complete(),
        }
    }

    /// One line per instance; what failed is in the snapshot, not in the log.
    fn log(&self, snapshot: &Snapshot, full: bool, tally: &Tally, calls: u64, took: Duration) {
        info!(
            instance_id = self.instance_id,
            full_refresh = full,
            queues = snapshot.queues.len(),
            routing_profiles = snapshot.routing_profiles.len(),
            users = snapshot.users.len(),
            described = tally.described,
            queue_metrics = snapshot.queue_metrics.len(),
            user_data = snapshot.user_data.len(),
            errors = tally.errors.len(),
            calls,
            elapsed_ms = took.as_millis() as u64,
            "collected instance metadata"
        );
        if !tally.errors.is_empty() {
            warn!(
                instance_id = self.instance_id,
                errors = tally.errors.len(),
                "snapshot is incomplete; the next run tries again"
            );
        }
    }

    async fn instance(&self, tally: &mut Tally) -> Option<InstanceInfo> {
        match self
            .api
            .describe_instance(self.deadline, self.instance_id)
            .await
        {
            Ok(output) => output.instance.as_ref().map(InstanceInfo::from_api),
            Err(error) => {
                tally.errors.push(collect_error("DescribeInstance", &error));
                None
            }
        }
    }

    async fn queue_metrics(
        &self,
        queue_ids: &[String],
        queue_list: &Listing<QueueSummary>,
        tally: &mut Tally,
    ) -> Vec<QueueMetric> {
        if queue_ids.is_empty() {
            skipped_without_queues("QueueMetrics", queue_list, tally);
            return Vec::new();
        }

        let listing = self
            .api
            .current_metrics(self.deadline, self.instance_id, queue_ids)
            .await;
        note_listing("QueueMetrics", &listing, tally);
        listing.items.iter().map(QueueMetric::from_api).collect()
    }

    async fn user_data(
        &self,
        queue_ids: &[String],
        queue_list: &Listing<QueueSummary>,
        tally: &mut Tally,
    ) -> Vec<UserDataInfo> {
        if queue_ids.is_empty() {
            skipped_without_queues("UserData", queue_list, tally);
            return Vec::new();
        }

        let listing = self
            .api
            .current_user_data(self.deadline, self.instance_id, queue_ids)
            .await;
        note_listing("UserData", &listing, tally);

        // An agent in queues of several filter chunks is returned once per chunk.
        let mut seen = HashSet::new();
        let entries = listing.items.iter().map(UserDataInfo::from_api);
        entries
            .filter(|entry| seen.insert(entry.user_id.clone()))
            .collect()
    }

    async fn queues(
        &self,
        list: &Listing<QueueSummary>,
        cache: &mut ResourceCache<QueueInfo>,
        full: bool,
        tally: &mut Tally,
    ) -> Vec<QueueInfo> {
        let describe = |id: String, summary: QueueSummary| async move {
            let output = self
                .api
                .describe_queue(self.deadline, self.instance_id, &id)
                .await?;
            let queue = output.queue.unwrap_or_else(|| Queue::builder().build());
            Ok(QueueInfo::from_api(&id, &summary, &queue))
        };
        self.refresh(&QUEUES, list, cache, full, tally, describe)
            .await
    }

    async fn routing_profiles(
        &self,
        list: &Listing<RoutingProfileSummary>,
        cache: &mut ResourceCache<RoutingProfileInfo>,
        full: bool,
        tally: &mut Tally,
    ) -> Vec<RoutingProfileInfo> {
        let describe = |id: String, _summary: RoutingProfileSummary| async move {
            let request = self
                .api
                .describe_routing_profile(self.deadline, self.instance_id, &id);
            let profile = request.await?.routing_profile;
            let profile = profile.unwrap_or_else(|| RoutingProfile::builder().build());
            Ok(RoutingProfileInfo::from_api(&id, &profile))
        };
        self.refresh(&ROUTING_PROFILES, list, cache, full, tally, describe)
            .await
    }

    async fn users(
        &self,
        list: &Listing<UserSummary>,
        cache: &mut ResourceCache<UserInfo>,
        full: bool,
        tally: &mut Tally,
    ) -> Vec<UserInfo> {
        let describe = |id: String, _summary: UserSummary| async move {
            let output = self
                .api
                .describe_user(self.deadline, self.instance_id, &id)
                .await?;
            let user = output.user.unwrap_or_else(|| User::builder().build());
            Ok(UserInfo::from_api(&id, &user))
        };
        self.refresh(&USERS, list, cache, full, tally, describe)
            .await
    }

    /// The described resources in list order: cached where the list shows no change,
    /// described otherwise (all of them on a full refresh), summary-only where that failed.
    async fn refresh<S, T, Fut>(
        &self,
        kind: &Kind,
        listing: &Listing<S>,
        cache: &mut ResourceCache<T>,
        full: bool,
        tally: &mut Tally,
        describe: impl Fn(String, S) -> Fut,
    ) -> Vec<T>
    where
        S: Listed + Clone,
        T: Clone + FromSummary<S>,
        Fut: Future<Output = Result<T, CallError>>,
    {
        let listed: Vec<(&str, &S)> = listing
            .items
            .iter()
            .filter_map(|s| Some((s.id()?, s)))
            .collect();
        let pending: Vec<(&str, &S)> = listed
            .iter()
            .filter(|(id, summary)| full || cache.fresh(id, summary.last_modified()).is_none())
            .copied()
            .collect();

        // The futures are made first: a stream mapping borrowed items would not be Send.
        let requests: Vec<Fut> = pending
            .iter()
            .map(|(id, summary)| describe((*id).to_owned(), (*summary).clone()))
            .collect();
        let results: Vec<Result<T, CallError>> = stream::iter(requests)
            .buffered(self.concurrency)
            .collect()
            .await;
        tally.described += pending.len();
        let outcomes = pending.iter().map(|(id, _)| *id).zip(results).collect();

        let assembled = assemble(kind, &listed, outcomes, cache, tally);
        cache.update(assembled.cache, listing.complete());
        assembled.values
    }
}

/// A refresh's result: the values in list order, and the cache entries to keep.
struct Assembled<T> {
    values: Vec<T>,
    cache: HashMap<String, Cached<T>>,
}

/// Puts the describe outcomes, the still-valid cache entries and, for failed describes,
/// the previous description or the summary together in list order; records the failures.
fn assemble<S, T>(
    kind: &Kind,
    listed: &[(&str, &S)],
    mut outcomes: HashMap<&str, Result<T, CallError>>,
    cache: &ResourceCache<T>,
    tally: &mut Tally,
) -> Assembled<T>
where
    S: Listed,
    T: Clone + FromSummary<S>,
{
    let mut assembled = Assembled {
        values: Vec::with_capacity(listed.len()),
        cache: HashMap::with_capacity(listed.len()),
    };
    let mut late = 0;
    for &(id, summary) in listed {
        let last_modified = summary.last_modified().copied();
        let valid = match outcomes.remove(id) {
            Some(Ok(value)) => Some(value),
            Some(Err(error)) => {
                late += usize::from(error.is_deadline());
                note_describe_failure(kind, id, &error, tally);
                None
            }
            None => cache.fresh(id, last_modified.as_ref()).cloned(),
        };
        let value = match valid {
            Some(value) => {
                let entry = Cached {
                    last_modified,
                    value: value.clone(),
                };
                assembled.cache.insert(id.to_owned(), entry);
                value
            }
            None => cache
                .any(id)
                .cloned()
                .unwrap_or_else(|| T::from_summary(id, summary)),
        };
        assembled.values.push(value);
    }

    if late > 0 {
        let message = format!(
            "{}: deadline reached before {late} {} were described",
            kind.operation, kind.noun
        );
        tally.errors.push(CollectError {
            resource: kind.operation.to_owned(),
            message,
        });
    }
    assembled
}

/// A failed describe is an error naming the resource; deadline ones are counted instead.
fn note_describe_failure(kind: &Kind, id: &str, error: &CallError, tally: &mut Tally) {
    debug!(operation = kind.operation, id, %error, "describe failed");
    if error.is_deadline() {
        return;
    }
    let resource = format!("{} {id}", kind.operation);
    tally.errors.push(collect_error(&resource, error));
}

/// What the list summary alone says about a resource whose describe failed.
trait FromSummary<S> {
    fn from_summary(id: &str, summary: &S) -> Self;
}

impl FromSummary<QueueSummary> for QueueInfo {
    fn from_summary(id: &str, summary: &QueueSummary) -> Self {
        QueueInfo::from_summary(id, summary)
    }
}

impl FromSummary<RoutingProfileSummary> for RoutingProfileInfo {
    fn from_summary(id: &str, summary: &RoutingProfileSummary) -> Self {
        RoutingProfileInfo::from_summary(id, summary)
    }
}

impl FromSummary<UserSummary> for UserInfo {
    fn from_summary(id: &str, summary: &UserSummary) -> Self {
        UserInfo::from_summary(id, summary)
    }
}

fn listed_ids<S: Listed>(listing: &Listing<S>) -> Vec<String> {
    listing
        .items
        .iter()
        .filter_map(|s| s.id())
        .map(str::to_owned)
        .collect()
}

/// Records a listing's failed pages as errors about `resource`.
fn note_listing<T>(resource: &str, listing: &Listing<T>, tally: &mut Tally) {
    let errors = listing
        .errors
        .iter()
        .map(|error| collect_error(resource, error));
    tally.errors.extend(errors);
}

/// Metrics need queue ids; without any (because ListQueues failed) they are an error.
fn skipped_without_queues(resource: &str, queue_list: &Listing<QueueSummary>, tally: &mut Tally) {
    if queue_list.complete() {
        return;
    }
    tally.errors.push(CollectError {
        resource: resource.to_owned(),
        message: format!("{resource}: skipped because ListQueues failed"),
    });
}

fn collect_error(resource: &str, error: &CallError) -> CollectError {
    CollectError {
        resource: resource.to_owned(),
        message: error.to_string(),
    }
}

fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
