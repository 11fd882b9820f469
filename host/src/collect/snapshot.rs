//! The metadata snapshot handed to `scheduled-snapshot` transforms, as specified in
//! `docs/snapshot-format.md`, and its conversion from the Amazon Connect SDK's types.
//!
//! Field names are the API's own (PascalCase). Optional fields are left out when the API did
//! not return them; the lists are always present, empty when nothing was collected.

use std::collections::BTreeMap;

use aws_sdk_connect::primitives::DateTime;
use aws_sdk_connect::types::{
    Channel, CurrentMetricName, CurrentMetricResult, Instance, Queue, QueueSummary, RoutingProfile,
    RoutingProfileSummary, User, UserData, UserSummary,
};
use serde::{Deserialize, Serialize};
use serde_json::Number;
use time::OffsetDateTime;
use time::macros::format_description;

/// One instance's snapshot: the JSON payload of a `scheduled-snapshot` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Snapshot {
    /// The Amazon Connect instance id the snapshot describes.
    pub instance_id: String,
    /// When collection started, RFC 3339 in UTC with milliseconds.
    pub collected_at: String,
    /// DescribeInstance's answer; absent when that call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<InstanceInfo>,
    /// The instance's STANDARD queues, in ListQueues order.
    pub queues: Vec<QueueInfo>,
    /// The routing profiles, in ListRoutingProfiles order.
    pub routing_profiles: Vec<RoutingProfileInfo>,
    /// The users (agents), in ListUsers order.
    pub users: Vec<UserInfo>,
    /// Current metrics, one entry per queue and channel the API returned.
    pub queue_metrics: Vec<QueueMetric>,
    /// Current user data of the agents in the listed queues, one entry per user.
    pub user_data: Vec<UserDataInfo>,
    /// What could not be collected after retries.
    pub errors: Vec<CollectError>,
}

impl Snapshot {
    /// The snapshot as JSON bytes: the event payload for the transform.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a snapshot has only string keys and finite numbers")
    }
}

/// Something that could not be collected: which resource, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CollectError {
    /// The resource, e.g. `DescribeUser 8a3e…`, `ListUsers`, `QueueMetrics`.
    pub resource: String,
    /// What went wrong, e.g. `GetCurrentMetricData: throttled after 5 attempts`.
    pub message: String,
}

/// The instance as DescribeInstance returns it (settings that matter to dashboards).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_management_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_calls_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound_calls_enabled: Option<bool>,
}

/// A queue: DescribeQueue's fields plus `QueueType` from the ListQueues summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueInfo {
    pub queue_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_contacts: Option<i32>,
}

/// A routing profile as DescribeRoutingProfile returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoutingProfileInfo {
    pub routing_profile_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_profile_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_outbound_queue_id: Option<String>,
}

/// A user, reduced to what dashboards need: no email, no phone configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserInfo {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_info: Option<IdentityInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_profile_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hierarchy_group_id: Option<String>,
}

/// A user's name; the API's other identity fields (email, mobile) are left out on purpose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// GetCurrentMetricData's result for one queue and channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueMetric {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    pub metrics: QueueMetricValues,
}

/// The current metrics the collector asks for; one the API did not return is left out.
/// Counts are whole numbers; `OLDEST_CONTACT_AGE` is in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct QueueMetricValues {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts_in_queue: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_contact_age: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents_online: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents_available: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents_on_contact: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents_after_contact_work: Option<Number>,
}

/// GetCurrentUserData's entry for one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDataInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<AgentStatusInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_profile_id: Option<String>,
    /// How many contacts the API listed for the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_slots_by_channel: Option<BTreeMap<String, i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_slots_by_channel: Option<BTreeMap<String, i32>>,
}

/// The agent status a user is in, and since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AgentStatusInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_start_timestamp: Option<String>,
}

/// Formats milliseconds since the Unix epoch as `2025-03-04T09:05:00.000Z`.
pub(crate) fn rfc3339_millis(epoch_ms: i64) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch_ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_else(|| epoch_ms.to_string())
}

/// An API timestamp to the nearest millisecond. The API sends epoch seconds as a decimal
/// number, which reaches us as a float: `.517` may arrive as `.516999…`, so truncating
/// (as `DateTime::to_millis` does) would lose a millisecond.
fn timestamp(value: Option<&DateTime>) -> Option<String> {
    let at = value?;
    let millis =
        i128::from(at.secs()) * 1000 + (i128::from(at.subsec_nanos()) + 500_000) / 1_000_000;
    i64::try_from(millis).ok().map(rfc3339_millis)
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

/// A metric value as a JSON number: whole values as integers, the rest as decimals.
fn metric_number(value: f64) -> Option<Number> {
    let whole = value.fract() == 0.0 && value.abs() < 9.0e15;
    if whole {
        return Some(Number::from(value as i64));
    }
    Number::from_f64(value)
}

impl InstanceInfo {
    pub(crate) fn from_api(instance: &Instance) -> Self {
        Self {
            id: owned(instance.id()),
            arn: owned(instance.arn()),
            instance_alias: owned(instance.instance_alias()),
            identity_management_type: owned(
                instance
                    .identity_management_type()
                    .map(|kind| kind.as_str()),
            ),
            instance_status: owned(instance.instance_status().map(|status| status.as_str())),
            created_time: timestamp(instance.created_time()),
            inbound_calls_enabled: instance.inbound_calls_enabled(),
            outbound_calls_enabled: instance.outbound_calls_enabled(),
        }
    }
}

impl QueueInfo {
    /// What ListQueues alone says about a queue: used when its DescribeQueue failed.
    pub(crate) fn from_summary(id: &str, summary: &QueueSummary) -> Self {
        Self {
            queue_id: id.to_owned(),
            queue_arn: owned(summary.arn()),
            name: owned(summary.name()),
            description: None,
            queue_type: owned(summary.queue_type().map(|kind| kind.as_str())),
            status: None,
            max_contacts: None,
        }
    }

    /// DescribeQueue's answer, with the queue type from the summary (Queue has none).
    pub(crate) fn from_api(id: &str, summary: &QueueSummary, queue: &Queue) -> Self {
        Self {
            queue_id: queue.queue_id().unwrap_or(id).to_owned(),
            queue_arn: owned(queue.queue_arn().or(summary.arn())),
            name: owned(queue.name().or(summary.name())),
            description: owned(queue.description()),
            queue_type: owned(summary.queue_type().map(|kind| kind.as_str())),
            status: owned(queue.status().map(|status| status.as_str())),
            max_contacts: queue.max_contacts(),
        }
    }
}

impl RoutingProfileInfo {
    /// What ListRoutingProfiles alone says: used when DescribeRoutingProfile failed.
    pub(crate) fn from_summary(id: &str, summary: &RoutingProfileSummary) -> Self {
        Self {
            routing_profile_id: id.to_owned(),
            routing_profile_arn: owned(summary.arn()),
            name: owned(summary.name()),
            description: None,
            default_outbound_queue_id: None,
        }
    }

    pub(crate) fn from_api(id: &str, profile: &RoutingProfile) -> Self {
        Self {
            routing_profile_id: profile.routing_profile_id().unwrap_or(id).to_owned(),
            routing_profile_arn: owned(profile.routing_profile_arn()),
            name: owned(profile.name()),
            description: owned(profile.description()),
            default_outbound_queue_id: owned(profile.default_outbound_queue_id()),
        }
    }
}

impl UserInfo {
    /// What ListUsers alone says about a user: used when DescribeUser failed.
    pub(crate) fn from_summary(id: &str, summary: &UserSummary) -> Self {
        Self {
            id: id.to_owned(),
            arn: owned(summary.arn()),
            username: owned(summary.username()),
            identity_info: None,
            routing_profile_id: None,
            hierarchy_group_id: None,
        }
    }

    /// DescribeUser's answer reduced to the fields the snapshot may carry.
    pub(crate) fn from_api(id: &str, user: &User) -> Self {
        let identity_info = user.identity_info().map(|identity| IdentityInfo {
            first_name: owned(identity.first_name()),
            last_name: owned(identity.last_name()),
        });
        Self {
            id: user.id().unwrap_or(id).to_owned(),
            arn: owned(user.arn()),
            username: owned(user.username()),
            identity_info,
            routing_profile_id: owned(user.routing_profile_id()),
            hierarchy_group_id: owned(user.hierarchy_group_id()),
        }
    }
}

impl QueueMetric {
    pub(crate) fn from_api(result: &CurrentMetricResult) -> Self {
        let dimensions = result.dimensions();
        let queue = dimensions.and_then(|dimensions| dimensions.queue());
        let mut metrics = QueueMetricValues::default();
        for data in result.collections() {
            let name = data.metric().and_then(|metric| metric.name());
            let value = data.value().and_then(metric_number);
            if let (Some(name), Some(value)) = (name, value) {
                metrics.set(name, value);
            }
        }
        Self {
            queue_id: owned(queue.and_then(|queue| queue.id())),
            queue_arn: owned(queue.and_then(|queue| queue.arn())),
            channel: owned(dimensions.and_then(|d| d.channel()).map(Channel::as_str)),
            metrics,
        }
    }
}

impl QueueMetricValues {
    fn set(&mut self, name: &CurrentMetricName, value: Number) {
        let slot = match name {
            CurrentMetricName::ContactsInQueue => &mut self.contacts_in_queue,
            CurrentMetricName::OldestContactAge => &mut self.oldest_contact_age,
            CurrentMetricName::AgentsOnline => &mut self.agents_online,
            CurrentMetricName::AgentsAvailable => &mut self.agents_available,
            CurrentMetricName::AgentsOnContact => &mut self.agents_on_contact,
            CurrentMetricName::AgentsAfterContactWork => &mut self.agents_after_contact_work,
            _ => return,
        };
        *slot = Some(value);
    }
}

impl UserDataInfo {
    pub(crate) fn from_api(data: &UserData) -> Self {
        let user = data.user();
        let status = data.status().map(|status| AgentStatusInfo {
            status_name: owned(status.status_name()),
            status_start_timestamp: timestamp(status.status_start_timestamp()),
        });
        Self {
            user_id: owned(user.and_then(|user| user.id())),
            user_arn: owned(user.and_then(|user| user.arn())),
            status,
            routing_profile_id: owned(data.routing_profile().and_then(|profile| profile.id())),
            contact_count: data.contacts.as_ref().map(Vec::len),
            available_slots_by_channel: data.available_slots_by_channel().map(slots_by_name),
            max_slots_by_channel: data.max_slots_by_channel().map(slots_by_name),
        }
    }
}

fn slots_by_name(slots: &std::collections::HashMap<Channel, i32>) -> BTreeMap<String, i32> {
    slots
        .iter()
        .map(|(channel, count)| (channel.as_str().to_owned(), *count))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_milliseconds_and_z() {
        assert_eq!(
            rfc3339_millis(1_741_079_100_000),
            "2025-03-04T09:05:00.000Z"
        );
        assert_eq!(
            rfc3339_millis(1_741_078_803_517),
            "2025-03-04T09:00:03.517Z"
        );
    }

    #[test]
    fn api_timestamps_round_to_the_nearest_millisecond() {
        let at = DateTime::from_secs_f64(1_741_078_803.517);
        assert_eq!(
            timestamp(Some(&at)).as_deref(),
            Some("2025-03-04T09:00:03.517Z")
        );
        let just_below = DateTime::from_fractional_secs(1_741_078_803, 0.999_6);
        assert_eq!(
            timestamp(Some(&just_below)).as_deref(),
            Some("2025-03-04T09:00:04.000Z")
        );
    }

    #[test]
    fn whole_metric_values_are_integers_and_others_decimals() {
        assert_eq!(
            metric_number(3.0).map(|n| n.to_string()),
            Some("3".to_owned())
        );
        assert_eq!(
            metric_number(42.5).map(|n| n.to_string()),
            Some("42.5".to_owned())
        );
        assert_eq!(metric_number(f64::NAN), None);
    }
}
