//! The agent event stream payload as typed, borrowed serde structs.
//!
//! Only the fields the mapping reads are declared; serde skips the rest (and any field Amazon
//! Connect adds later) without allocating. Every field is optional here so that the mapping,
//! not serde, decides which absences are errors and can name the field and the event. Strings
//! borrow from the payload unless JSON escapes force a copy.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON string borrowed from the payload when it has no escapes.
///
/// serde only borrows a `Cow<str>` that is a field's whole type, not one inside an `Option`,
/// hence this wrapper.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct Str<'a>(#[serde(borrow)] pub(crate) Cow<'a, str>);

/// The text of an optional string field.
pub(crate) fn text<'s>(value: &'s Option<Str<'_>>) -> Option<&'s str> {
    value.as_ref().map(|value| value.0.as_ref())
}

/// The payload's top level, which must be a JSON object.
///
/// Derived struct deserializers also accept a JSON array, reading fields by position; a
/// payload like `["LOGIN", ...]` is not an agent event, so this wrapper asks for a map.
pub(crate) struct Payload<'a>(pub AgentEventIn<'a>);

impl<'de> Deserialize<'de> for Payload<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PayloadVisitor)
    }
}

struct PayloadVisitor;

impl<'de> Visitor<'de> for PayloadVisitor {
    type Value = Payload<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an agent event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, fields: A) -> Result<Payload<'de>, A::Error> {
        AgentEventIn::deserialize(MapAccessDeserializer::new(fields)).map(Payload)
    }
}

/// One agent event, as one Kinesis record's `data` decodes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AgentEventIn<'a> {
    #[serde(borrow)]
    pub event_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub event_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub event_timestamp: Option<Str<'a>>,
    #[serde(rename = "AWSAccountId", borrow)]
    pub aws_account_id: Option<Str<'a>>,
    #[serde(rename = "AgentARN", borrow)]
    pub agent_arn: Option<Str<'a>>,
    #[serde(rename = "InstanceARN", borrow)]
    pub instance_arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub current_agent_snapshot: Option<Snapshot<'a>>,
    #[serde(borrow)]
    pub previous_agent_snapshot: Option<PreviousSnapshot<'a>>,
}

/// `CurrentAgentSnapshot`: the agent's state after the event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Snapshot<'a> {
    #[serde(borrow)]
    pub agent_status: Option<AgentStatus<'a>>,
    #[serde(borrow)]
    pub next_agent_status: Option<NextAgentStatus<'a>>,
    #[serde(borrow)]
    pub configuration: Option<Configuration<'a>>,
    #[serde(borrow)]
    pub contacts: Option<Vec<Contact<'a>>>,
}

/// `PreviousAgentSnapshot`: only its status name is mapped, the rest is skipped.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PreviousSnapshot<'a> {
    #[serde(borrow)]
    pub agent_status: Option<AgentStatus<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AgentStatus<'a> {
    #[serde(rename = "ARN", borrow)]
    pub arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow)]
    pub start_timestamp: Option<Str<'a>>,
    #[serde(borrow)]
    pub r#type: Option<Str<'a>>,
}

/// `NextAgentStatus`: the status the agent chose while on a contact.
///
/// The API reference spells the enqueue time `EnqueueTimestamp`, AWS's own sample event
/// `EnqueuedTimestamp`; both are read, the reference spelling wins if both appear.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct NextAgentStatus<'a> {
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow)]
    pub r#type: Option<Str<'a>>,
    #[serde(borrow)]
    pub enqueue_timestamp: Option<Str<'a>>,
    #[serde(borrow)]
    pub enqueued_timestamp: Option<Str<'a>>,
}

impl NextAgentStatus<'_> {
    pub(crate) fn enqueue_time(&self) -> Option<&str> {
        text(&self.enqueue_timestamp).or(text(&self.enqueued_timestamp))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Configuration<'a> {
    #[serde(borrow)]
    pub username: Option<Str<'a>>,
    #[serde(borrow)]
    pub first_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub last_name: Option<Str<'a>>,
    #[serde(borrow)]
    pub routing_profile: Option<RoutingProfile<'a>>,
    #[serde(borrow)]
    pub agent_hierarchy_groups: Option<HierarchyGroups<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RoutingProfile<'a> {
    #[serde(rename = "ARN", borrow)]
    pub arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    pub concurrency: Option<Slots>,
}

/// `AgentHierarchyGroups`: the object, and each of its levels, may be `null`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct HierarchyGroups<'a> {
    #[serde(borrow)]
    pub level1: Option<HierarchyGroup<'a>>,
    #[serde(borrow)]
    pub level2: Option<HierarchyGroup<'a>>,
    #[serde(borrow)]
    pub level3: Option<HierarchyGroup<'a>>,
    #[serde(borrow)]
    pub level4: Option<HierarchyGroup<'a>>,
    #[serde(borrow)]
    pub level5: Option<HierarchyGroup<'a>>,
}

impl HierarchyGroups<'_> {
    /// The group names of levels 1 to 5, in order.
    pub(crate) fn names(&self) -> [Option<&str>; 5] {
        [
            &self.level1,
            &self.level2,
            &self.level3,
            &self.level4,
            &self.level5,
        ]
        .map(|level| level.as_ref().and_then(|group| text(&group.name)))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct HierarchyGroup<'a> {
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
}

/// One entry of `CurrentAgentSnapshot.Contacts`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Contact<'a> {
    #[serde(borrow)]
    pub contact_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub initial_contact_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub channel: Option<Str<'a>>,
    #[serde(borrow)]
    pub initiation_method: Option<Str<'a>>,
    #[serde(borrow)]
    pub state: Option<Str<'a>>,
    #[serde(borrow)]
    pub state_start_timestamp: Option<Str<'a>>,
    #[serde(borrow)]
    pub connected_to_agent_timestamp: Option<Str<'a>>,
    #[serde(borrow)]
    pub queue_timestamp: Option<Str<'a>>,
    #[serde(borrow)]
    pub queue: Option<Queue<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Queue<'a> {
    #[serde(rename = "ARN", borrow)]
    pub arn: Option<Str<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
}

/// Available slots per channel, folded from `RoutingProfile.Concurrency` while it is read,
/// so the list itself is never stored.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Slots {
    pub voice: Option<i64>,
    pub chat: Option<i64>,
    pub task: Option<i64>,
}

/// One `Concurrency` entry.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ChannelConcurrency<'a> {
    #[serde(borrow)]
    channel: Option<Str<'a>>,
    available_slots: Option<i64>,
}

impl Slots {
    /// Takes an entry's available slots; the first entry for a channel wins, a null count is
    /// 0 and channels without a column (e.g. EMAIL) are skipped.
    fn add(&mut self, entry: ChannelConcurrency<'_>) {
        let slot = match text(&entry.channel) {
            Some("VOICE") => &mut self.voice,
            Some("CHAT") => &mut self.chat,
            Some("TASK") => &mut self.task,
            _ => return,
        };
        slot.get_or_insert(entry.available_slots.unwrap_or(0));
    }
}

impl<'de> Deserialize<'de> for Slots {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(SlotsVisitor)
    }
}

struct SlotsVisitor;

impl<'de> Visitor<'de> for SlotsVisitor {
    type Value = Slots;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a list of channel concurrency entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut entries: A) -> Result<Slots, A::Error> {
        let mut slots = Slots::default();
        while let Some(entry) = entries.next_element::<ChannelConcurrency<'de>>()? {
            slots.add(entry);
        }
        Ok(slots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_borrow_from_the_payload() {
        let event: AgentEventIn = serde_json::from_str(r#"{"EventType":"LOGIN"}"#).unwrap();

        assert!(matches!(
            event.event_type,
            Some(Str(Cow::Borrowed("LOGIN")))
        ));
    }

    #[test]
    fn payload_strings_borrow_through_the_object_wrapper() {
        let payload: Payload = serde_json::from_str(r#"{"AgentARN":"arn:agent"}"#).unwrap();

        assert!(matches!(
            payload.0.agent_arn,
            Some(Str(Cow::Borrowed("arn:agent")))
        ));
    }

    #[test]
    fn escaped_strings_are_unescaped_into_owned_text() {
        let event: AgentEventIn = serde_json::from_str(r#"{"EventId":"a\"b"}"#).unwrap();

        assert!(matches!(event.event_id, Some(Str(Cow::Owned(ref id))) if id == "a\"b"));
    }

    #[test]
    fn concurrency_folds_into_slots_per_channel() {
        let json = r#"[
            {"Channel": "VOICE", "AvailableSlots": 1, "MaximumSlots": 1},
            {"Channel": "EMAIL", "AvailableSlots": 9},
            {"Channel": "TASK", "AvailableSlots": null},
            {"Channel": "VOICE", "AvailableSlots": 7}
        ]"#;

        let slots: Slots = serde_json::from_str(json).unwrap();

        assert_eq!(
            slots,
            Slots {
                voice: Some(1),
                chat: None,
                task: Some(0)
            }
        );
    }
}
