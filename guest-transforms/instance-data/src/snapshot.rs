//! The snapshot payload (`docs/snapshot-format.md`) as typed, borrowed serde structs.
//!
//! Only the fields the mapping writes or joins on are declared, so serde skips the rest:
//! fields added later, and personal data such as an email address or phone configuration,
//! which therefore cannot reach a record. Every field is optional and `null` reads as absent;
//! a declared field of another JSON type fails the payload, since the host's collector wrote
//! it and a type change is a contract break worth a dead letter. Counts are read from any
//! JSON number, because the API returns metric values as doubles.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, Visitor};

/// A JSON string borrowed from the payload when it has no escapes.
///
/// serde borrows a `Cow<str>` only when it is a field's whole type, not inside an `Option`,
/// hence this wrapper.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct Str<'a>(#[serde(borrow)] Cow<'a, str>);

/// The text of an optional string field; the empty string reads as absent.
pub(crate) fn text<'s>(value: &'s Option<Str<'_>>) -> Option<&'s str> {
    let text = value.as_ref().map(|value| value.0.as_ref());
    text.filter(|text| !text.is_empty())
}

/// An optional JSON number as a whole count: fractions are rounded, and values beyond the
/// `i64` range saturate.
pub(crate) fn count(value: &Option<serde_json::Number>) -> Option<i64> {
    let number = value.as_ref()?;
    if let Some(whole) = number.as_i64() {
        return Some(whole);
    }
    if number.is_u64() {
        return Some(i64::MAX);
    }

    // A float-to-integer `as` saturates at the `i64` bounds.
    let float = number.as_f64()?;
    float.is_finite().then(|| float.round() as i64)
}

/// The whole snapshot of one instance.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SnapshotIn<'a> {
    #[serde(borrow)]
    pub instance_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub collected_at: Option<Str<'a>>,
    #[serde(borrow)]
    pub instance: Option<InstanceIn<'a>>,
    #[serde(borrow)]
    pub queues: Option<Vec<QueueIn<'a>>>,
    #[serde(borrow)]
    pub routing_profiles: Option<Vec<RoutingProfileIn<'a>>>,
    #[serde(borrow)]
    pub users: Option<Vec<UserIn<'a>>>,
    #[serde(borrow)]
    pub queue_metrics: Option<Vec<QueueMetricsIn<'a>>>,
    #[serde(borrow)]
    pub user_data: Option<Vec<UserDataIn<'a>>>,
    #[serde(borrow)]
    pub errors: Option<Vec<CollectorErrorIn<'a>>>,
}

/// `Instance`: what `DescribeInstance` returned.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InstanceIn<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow)]
    pub arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub instance_alias: Option<Str<'a>>,
    #[serde(borrow)]
    pub identity_management_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub instance_status: Option<Str<'a>>,
    #[serde(borrow)]
    pub created_time: Option<Str<'a>>,
    pub inbound_calls_enabled: Option<bool>,
    pub outbound_calls_enabled: Option<bool>,
}

/// One entry of `Queues`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct QueueIn<'a> {
    #[serde(borrow)]
    pub queue_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub queue_arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow)]
    pub description: Option<Str<'a>>,
    #[serde(borrow)]
    pub queue_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub status: Option<Str<'a>>,
    pub max_contacts: Option<serde_json::Number>,
}

/// One entry of `RoutingProfiles`; only what names a user's profile.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RoutingProfileIn<'a> {
    #[serde(borrow)]
    pub routing_profile_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
}

/// One entry of `Users`. No contact details are declared, so none can be written.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UserIn<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow)]
    pub arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub username: Option<Str<'a>>,
    #[serde(borrow)]
    pub identity_info: Option<IdentityInfoIn<'a>>,
    #[serde(borrow)]
    pub routing_profile_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub hierarchy_group_id: Option<Str<'a>>,
}

/// `Users[].IdentityInfo`: the names only.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IdentityInfoIn<'a> {
    #[serde(borrow)]
    pub first_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub last_name: Option<Str<'a>>,
}

/// One entry of `QueueMetrics`: the current metrics of one queue on one channel.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct QueueMetricsIn<'a> {
    #[serde(borrow)]
    pub queue_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub queue_arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub channel: Option<Str<'a>>,
    pub metrics: Option<MetricsIn>,
}

/// `QueueMetrics[].Metrics`: the metrics the mapping writes; others are skipped.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) struct MetricsIn {
    pub contacts_in_queue: Option<serde_json::Number>,
    pub oldest_contact_age: Option<serde_json::Number>,
    pub agents_online: Option<serde_json::Number>,
    pub agents_available: Option<serde_json::Number>,
    pub agents_on_contact: Option<serde_json::Number>,
    pub agents_after_contact_work: Option<serde_json::Number>,
}

/// One entry of `UserData`: an agent's current state.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UserDataIn<'a> {
    #[serde(borrow)]
    pub user_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub user_arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub status: Option<StatusIn<'a>>,
    #[serde(borrow)]
    pub routing_profile_id: Option<Str<'a>>,
    pub contact_count: Option<serde_json::Number>,
    pub available_slots_by_channel: Option<SlotsIn>,
}

/// `UserData[].Status`: the agent's status and since when.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StatusIn<'a> {
    #[serde(borrow)]
    pub status_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub status_start_timestamp: Option<Str<'a>>,
}

/// `UserData[].AvailableSlotsByChannel`; other channels are skipped.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) struct SlotsIn {
    pub voice: Option<serde_json::Number>,
    pub chat: Option<serde_json::Number>,
    pub task: Option<serde_json::Number>,
}

/// One entry of `Errors`: something the collector could not read after its retries.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CollectorErrorIn<'a> {
    #[serde(borrow)]
    pub resource: Option<Str<'a>>,
    #[serde(borrow)]
    pub message: Option<Str<'a>>,
}

impl<'a> SnapshotIn<'a> {
    /// Reads a snapshot, borrowing its unescaped strings.
    ///
    /// # Errors
    ///
    /// When `json` is not JSON, not a JSON object (serde's derived reader would otherwise
    /// fill the fields of an array by position), or a declared field has another JSON type.
    pub fn from_json(json: &'a [u8]) -> serde_json::Result<Self> {
        let JsonObject(snapshot) = serde_json::from_slice(json)?;
        Ok(snapshot)
    }
}

/// A `T` read from a JSON object and nothing else.
struct JsonObject<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = JsonObject<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(JsonObject)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{SnapshotIn, count};

    #[test]
    fn unescaped_strings_are_borrowed_from_the_payload() {
        let json = br#"{"InstanceId": "i-1", "CollectedAt": "2025\u002d03"}"#;
        let snapshot = SnapshotIn::from_json(json).unwrap();

        assert!(matches!(
            snapshot.instance_id.unwrap().0,
            Cow::Borrowed("i-1")
        ));
        assert!(
            matches!(snapshot.collected_at.unwrap().0, Cow::Owned(ref text) if text == "2025-03")
        );
    }

    #[test]
    fn counts_read_integers_and_round_doubles() {
        let numbers: Vec<Option<serde_json::Number>> =
            serde_json::from_str("[3, 3.0, 2.5, -1.4, 18446744073709551615, 1e300, null]").unwrap();
        let counts: Vec<Option<i64>> = numbers.iter().map(count).collect();

        let expected = [
            Some(3),
            Some(3),
            Some(3),
            Some(-1),
            Some(i64::MAX),
            Some(i64::MAX),
        ];
        assert_eq!(counts, [&expected[..], &[None]].concat());
    }
}
