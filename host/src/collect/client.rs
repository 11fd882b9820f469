//! Calls to the Amazon Connect API: every request waits for the shared [`Pacer`], is counted,
//! is cut off at the run's deadline, and is retried here (not in the SDK) with full-jitter
//! backoff when it was throttled or failed transiently. List and metric calls follow
//! `NextToken` to the last page.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_sdk_connect::Client;
use aws_sdk_connect::config::http::HttpResponse;
use aws_sdk_connect::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_connect::operation::describe_instance::DescribeInstanceOutput;
use aws_sdk_connect::operation::describe_queue::DescribeQueueOutput;
use aws_sdk_connect::operation::describe_routing_profile::DescribeRoutingProfileOutput;
use aws_sdk_connect::operation::describe_user::DescribeUserOutput;
use aws_sdk_connect::types::{
    Channel, CurrentMetric, CurrentMetricName, CurrentMetricResult, Filters, Grouping,
    QueueSummary, QueueType, RoutingProfileSummary, Unit, UserData, UserDataFilters, UserSummary,
};
use tokio::time::{Instant, sleep, timeout_at};
use tracing::debug;

use super::rate::{Backoff, Pacer};

/// Error codes Amazon Connect (and the AWS front end) use for throttling.
const THROTTLING_CODES: &[&str] = &["TooManyRequestsException", "ThrottlingException"];

/// Most queue ids GetCurrentMetricData and GetCurrentUserData accept in one filter.
pub(crate) const MAX_QUEUES_PER_FILTER: usize = 100;

/// Most results GetCurrentMetricData and GetCurrentUserData return per page.
const METRIC_PAGE_SIZE: i32 = 100;

/// Channels asked for when grouping by CHANNEL; the API documents these as supported.
const METRIC_CHANNELS: [Channel; 3] = [Channel::Voice, Channel::Chat, Channel::Task];

/// A call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    /// Every attempt was throttled.
    #[error("{operation}: throttled after {attempts} attempts")]
    Throttled {
        operation: &'static str,
        attempts: u32,
    },
    /// The last attempt failed for another reason (a permanent error is not retried).
    #[error("{operation}: {detail} (attempts: {attempts})")]
    Failed {
        operation: &'static str,
        attempts: u32,
        detail: String,
    },
    /// The run's deadline came before the call could succeed.
    #[error("{operation}: deadline reached (attempts: {attempts})")]
    Deadline {
        operation: &'static str,
        attempts: u32,
    },
}

impl CallError {
    pub(crate) fn is_deadline(&self) -> bool {
        matches!(self, Self::Deadline { .. })
    }
}

/// Why one attempt failed, and whether another may succeed.
enum Failure {
    Throttled,
    Transient(String),
    Permanent(String),
}

/// How the API client behaves; fixed for the collector's life.
pub(crate) struct ApiSettings {
    pub(crate) requests_per_second: f64,
    pub(crate) max_attempts: u32,
    pub(crate) backoff: Backoff,
    pub(crate) attempt_timeout: Duration,
    pub(crate) list_page_size: i32,
}

/// What a paginated call gathered; `errors` is empty when every page arrived.
pub(crate) struct Listing<T> {
    pub(crate) items: Vec<T>,
    pub(crate) errors: Vec<CallError>,
}

impl<T> Listing<T> {
    pub(crate) fn complete(&self) -> bool {
        self.errors.is_empty()
    }
}

/// One page of a paginated answer.
struct Page<T> {
    items: Vec<T>,
    next_token: Option<String>,
}

/// The Amazon Connect client with pacing, retries and a call counter.
pub(crate) struct ConnectApi {
    client: Client,
    pacer: Pacer,
    settings: ApiSettings,
    calls: AtomicU64,
}

impl ConnectApi {
    /// Wraps `client`; its own retries are switched off (this module retries).
    /// `None` when the rate cannot be paced.
    pub(crate) fn new(client: Client, settings: ApiSettings) -> Option<Self> {
        let pacer = Pacer::new(settings.requests_per_second)?;
        let config = client
            .config()
            .to_builder()
            .retry_config(aws_sdk_connect::config::retry::RetryConfig::disabled());
        Some(Self {
            client: Client::from_conf(config.build()),
            pacer,
            settings,
            calls: AtomicU64::new(0),
        })
    }

    /// Requests sent so far, retries included.
    pub(crate) fn calls_made(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Sends one operation with retries: `send` makes a fresh request for each attempt.
    async fn call<T, E, Fut>(
        &self,
        deadline: Instant,
        operation: &'static str,
        mut send: impl FnMut() -> Fut,
    ) -> Result<T, CallError>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut attempts = 0;
        loop {
            self.take_turn(deadline, operation, attempts).await?;
            attempts += 1;

            let failure = match self.attempt(deadline, send()).await {
                Ok(output) => return Ok(output),
                Err(failure) => failure,
            };

            let retryable = !matches!(failure, Failure::Permanent(_));
            if !retryable || attempts >= self.settings.max_attempts {
                return Err(give_up(operation, attempts, failure, deadline));
            }
            self.back_off(deadline, operation, attempts).await?;
        }
    }

    /// Waits for the pacer, then counts the request about to be sent.
    async fn take_turn(
        &self,
        deadline: Instant,
        operation: &'static str,
        attempts: u32,
    ) -> Result<(), CallError> {
        let expired = CallError::Deadline {
            operation,
            attempts,
        };
        if Instant::now() >= deadline {
            return Err(expired);
        }
        timeout_at(deadline, self.pacer.ready())
            .await
            .map_err(|_| expired)?;
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Sends one attempt, cut off at the attempt timeout or the deadline.
    async fn attempt<T, E>(
        &self,
        deadline: Instant,
        request: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    ) -> Result<T, Failure>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let cutoff = deadline.min(Instant::now() + self.settings.attempt_timeout);
        match timeout_at(cutoff, request).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(error)) => Err(classify(&error)),
            Err(_) => Err(Failure::Transient("no answer in time".to_owned())),
        }
    }

    /// Sleeps before retry `attempts + 1`, unless that would pass the deadline.
    async fn back_off(
        &self,
        deadline: Instant,
        operation: &'static str,
        attempts: u32,
    ) -> Result<(), CallError> {
        let delay = self.settings.backoff.delay(attempts);
        debug!(
            operation,
            attempts,
            delay_ms = delay.as_millis() as u64,
            "retrying"
        );
        if Instant::now() + delay >= deadline {
            return Err(CallError::Deadline {
                operation,
                attempts,
            });
        }
        sleep(delay).await;
        Ok(())
    }

    /// Fetches pages until one has no `NextToken` or a page fails.
    async fn paginate<T, Fut>(&self, mut fetch: impl FnMut(Option<String>) -> Fut) -> Listing<T>
    where
        Fut: Future<Output = Result<Page<T>, CallError>>,
    {
        let mut listing = Listing {
            items: Vec::new(),
            errors: Vec::new(),
        };
        let mut token = None;
        loop {
            match fetch(token.take()).await {
                Ok(page) => {
                    listing.items.extend(page.items);
                    token = page.next_token.filter(|next| !next.is_empty());
                }
                Err(error) => listing.errors.push(error),
            }
            if token.is_none() {
                return listing;
            }
        }
    }

    pub(crate) async fn describe_instance(
        &self,
        deadline: Instant,
        instance_id: &str,
    ) -> Result<DescribeInstanceOutput, CallError> {
        let request = self.client.describe_instance().instance_id(instance_id);
        self.call(deadline, "DescribeInstance", || request.clone().send())
            .await
    }

    /// All STANDARD queues of the instance.
    pub(crate) async fn list_queues(
        &self,
        deadline: Instant,
        instance_id: &str,
    ) -> Listing<QueueSummary> {
        let request = self
            .client
            .list_queues()
            .instance_id(instance_id)
            .queue_types(QueueType::Standard)
            .max_results(self.settings.list_page_size);
        self.paginate(|token| {
            let request = request.clone().set_next_token(token);
            async move {
                let output = self
                    .call(deadline, "ListQueues", || request.clone().send())
                    .await?;
                Ok(Page {
                    items: output.queue_summary_list.unwrap_or_default(),
                    next_token: output.next_token,
                })
            }
        })
        .await
    }

    pub(crate) async fn describe_queue(
        &self,
        deadline: Instant,
        instance_id: &str,
        queue_id: &str,
    ) -> Result<DescribeQueueOutput, CallError> {
        let request = self
            .client
            .describe_queue()
            .instance_id(instance_id)
            .queue_id(queue_id);
        self.call(deadline, "DescribeQueue", || request.clone().send())
            .await
    }

    pub(crate) async fn list_routing_profiles(
        &self,
        deadline: Instant,
        instance_id: &str,
    ) -> Listing<RoutingProfileSummary> {
        let request = self
            .client
            .list_routing_profiles()
            .instance_id(instance_id)
            .max_results(self.settings.list_page_size);
        self.paginate(|token| {
            let request = request.clone().set_next_token(token);
            async move {
                let output = self
                    .call(deadline, "ListRoutingProfiles", || request.clone().send())
                    .await?;
                Ok(Page {
                    items: output.routing_profile_summary_list.unwrap_or_default(),
                    next_token: output.next_token,
                })
            }
        })
        .await
    }

    pub(crate) async fn describe_routing_profile(
        &self,
        deadline: Instant,
        instance_id: &str,
        routing_profile_id: &str,
    ) -> Result<DescribeRoutingProfileOutput, CallError> {
        let request = self
            .client
            .describe_routing_profile()
            .instance_id(instance_id)
            .routing_profile_id(routing_profile_id);
        self.call(deadline, "DescribeRoutingProfile", || {
            request.clone().send()
        })
        .await
    }

    pub(crate) async fn list_users(
        &self,
        deadline: Instant,
        instance_id: &str,
    ) -> Listing<UserSummary> {
        let request = self
            .client
            .list_users()
            .instance_id(instance_id)
            .max_results(self.settings.list_page_size);
        self.paginate(|token| {
            let request = request.clone().set_next_token(token);
            async move {
                let output = self
                    .call(deadline, "ListUsers", || request.clone().send())
                    .await?;
                Ok(Page {
                    items: output.user_summary_list.unwrap_or_default(),
                    next_token: output.next_token,
                })
            }
        })
        .await
    }

    pub(crate) async fn describe_user(
        &self,
        deadline: Instant,
        instance_id: &str,
        user_id: &str,
    ) -> Result<DescribeUserOutput, CallError> {
        let request = self
            .client
            .describe_user()
            .instance_id(instance_id)
            .user_id(user_id);
        self.call(deadline, "DescribeUser", || request.clone().send())
            .await
    }

    /// Current queue metrics grouped by queue and channel, for queues in chunks of 100.
    pub(crate) async fn current_metrics(
        &self,
        deadline: Instant,
        instance_id: &str,
        queue_ids: &[String],
    ) -> Listing<CurrentMetricResult> {
        let mut listing = Listing {
            items: Vec::new(),
            errors: Vec::new(),
        };
        for chunk in queue_ids.chunks(MAX_QUEUES_PER_FILTER) {
            let part = self.current_metrics_for(deadline, instance_id, chunk).await;
            listing.items.extend(part.items);
            listing.errors.extend(part.errors);
        }
        listing
    }

    async fn current_metrics_for(
        &self,
        deadline: Instant,
        instance_id: &str,
        queue_ids: &[String],
    ) -> Listing<CurrentMetricResult> {
        let filters = Filters::builder()
            .set_queues(Some(queue_ids.to_vec()))
            .set_channels(Some(METRIC_CHANNELS.to_vec()))
            .build();
        let request = self
            .client
            .get_current_metric_data()
            .instance_id(instance_id)
            .filters(filters)
            .groupings(Grouping::Queue)
            .groupings(Grouping::Channel)
            .set_current_metrics(Some(current_metrics()))
            .max_results(METRIC_PAGE_SIZE);
        self.paginate(|token| {
            let request = request.clone().set_next_token(token);
            async move {
                let output = self
                    .call(deadline, "GetCurrentMetricData", || request.clone().send())
                    .await?;
                Ok(Page {
                    items: output.metric_results.unwrap_or_default(),
                    next_token: output.next_token,
                })
            }
        })
        .await
    }

    /// Current user data of the agents in the given queues, for queues in chunks of 100.
    pub(crate) async fn current_user_data(
        &self,
        deadline: Instant,
        instance_id: &str,
        queue_ids: &[String],
    ) -> Listing<UserData> {
        let mut listing = Listing {
            items: Vec::new(),
            errors: Vec::new(),
        };
        for chunk in queue_ids.chunks(MAX_QUEUES_PER_FILTER) {
            let part = self
                .current_user_data_for(deadline, instance_id, chunk)
                .await;
            listing.items.extend(part.items);
            listing.errors.extend(part.errors);
        }
        listing
    }

    async fn current_user_data_for(
        &self,
        deadline: Instant,
        instance_id: &str,
        queue_ids: &[String],
    ) -> Listing<UserData> {
        let filters = UserDataFilters::builder()
            .set_queues(Some(queue_ids.to_vec()))
            .build();
        let request = self
            .client
            .get_current_user_data()
            .instance_id(instance_id)
            .filters(filters)
            .max_results(METRIC_PAGE_SIZE);
        self.paginate(|token| {
            let request = request.clone().set_next_token(token);
            async move {
                let output = self
                    .call(deadline, "GetCurrentUserData", || request.clone().send())
                    .await?;
                Ok(Page {
                    items: output.user_data_list.unwrap_or_default(),
                    next_token: output.next_token,
                })
            }
        })
        .await
    }
}

/// The metrics the snapshot carries, each with the unit the API requires for it.
fn current_metrics() -> Vec<CurrentMetric> {
    let metric = |name, unit| CurrentMetric::builder().name(name).unit(unit).build();
    vec![
        metric(CurrentMetricName::ContactsInQueue, Unit::Count),
        metric(CurrentMetricName::OldestContactAge, Unit::Seconds),
        metric(CurrentMetricName::AgentsOnline, Unit::Count),
        metric(CurrentMetricName::AgentsAvailable, Unit::Count),
        metric(CurrentMetricName::AgentsOnContact, Unit::Count),
        metric(CurrentMetricName::AgentsAfterContactWork, Unit::Count),
    ]
}

/// Sorts a failed attempt into throttled, transient (worth retrying) or permanent.
fn classify<E>(error: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let SdkError::ServiceError(context) = error else {
        let detail = DisplayErrorContext(error).to_string();
        return match error {
            SdkError::ConstructionFailure(_) => Failure::Permanent(detail),
            _ => Failure::Transient(detail),
        };
    };

    let status = context.raw().status().as_u16();
    let code = context.err().code().unwrap_or("UnknownError");
    let detail = match context.err().message() {
        Some(message) => format!("HTTP {status} {code}: {message}"),
        None => format!("HTTP {status} {code}"),
    };
    if status == 429 || THROTTLING_CODES.contains(&code) {
        Failure::Throttled
    } else if status >= 500 {
        Failure::Transient(detail)
    } else {
        Failure::Permanent(detail)
    }
}

/// The error reported once no further attempt will be made.
fn give_up(
    operation: &'static str,
    attempts: u32,
    failure: Failure,
    deadline: Instant,
) -> CallError {
    match failure {
        Failure::Throttled => CallError::Throttled {
            operation,
            attempts,
        },
        Failure::Transient(_) if Instant::now() >= deadline => CallError::Deadline {
            operation,
            attempts,
        },
        Failure::Transient(detail) | Failure::Permanent(detail) => CallError::Failed {
            operation,
            attempts,
            detail,
        },
    }
}
