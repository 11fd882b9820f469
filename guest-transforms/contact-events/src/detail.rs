//! The typed, borrowed shape of a contact event's `detail` object.
//!
//! Only the fields the mapping writes or computes with are declared; every other field
//! (`tags`, `routingCriteria`, fields added after this was written) is skipped by serde.
//! Fields are read leniently (see [`crate::lenient`]): a value of another JSON type, or an
//! empty string, reads as absent instead of failing the whole event, because Amazon Connect
//! keeps adding to and changing this model and a partial record beats a dead-lettered event.

use std::borrow::Cow;

use serde::Deserialize;

use crate::lenient;

/// The `detail` of an `Amazon Connect Contact Event`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContactDetail<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub event_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub contact_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub instance_arn: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub channel: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub initiation_method: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub initiation_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub initial_contact_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub previous_contact_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub related_contact_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub connected_to_system_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub disconnect_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub disconnect_reason: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub answering_machine_detection_status: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::object")]
    pub queue_info: Option<QueueInfo<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::object")]
    pub agent_info: Option<AgentInfo<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::object")]
    pub customer_endpoint: Option<Endpoint<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::object")]
    pub system_endpoint: Option<Endpoint<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::object")]
    pub customer_voice_activity: Option<VoiceActivity<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::object")]
    pub campaign: Option<Campaign<'a>>,
}

/// `detail.queueInfo`: the queue the contact waited in.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueueInfo<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub queue_arn: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub queue_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub enqueue_timestamp: Option<Cow<'a, str>>,
}

/// `detail.agentInfo`: the agent who took the contact.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AgentInfo<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub agent_arn: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub connected_to_agent_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub accepted_by_agent_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub after_contact_work_start_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub after_contact_work_end_timestamp: Option<Cow<'a, str>>,
}

impl<'a> ContactDetail<'a> {
    /// Reads a detail from JSON, borrowing its unescaped strings.
    ///
    /// # Errors
    ///
    /// When `json` is not JSON or not a JSON object (serde's derived struct reader would
    /// otherwise accept an array and fill the fields by position).
    pub fn from_json(json: &'a [u8]) -> serde_json::Result<Self> {
        let lenient::JsonObject(detail) = serde_json::from_slice(json)?;
        Ok(detail)
    }
}

impl AgentInfo<'_> {
    /// True when the object names an agent; an empty `agentInfo: {}` does not.
    pub fn names_an_agent(&self) -> bool {
        self.agent_arn.is_some() || self.connected_to_agent_timestamp.is_some()
    }
}

/// `detail.customerEndpoint` or `detail.systemEndpoint`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Endpoint<'a> {
    #[serde(rename = "type", borrow, default, deserialize_with = "lenient::string")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub address: Option<Cow<'a, str>>,
}

/// `detail.customerVoiceActivity`: when the called party's greeting started and ended.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VoiceActivity<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub greeting_start_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub greeting_end_timestamp: Option<Cow<'a, str>>,
}

/// `detail.campaign`: the outbound campaign that placed the contact.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Campaign<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub campaign_id: Option<Cow<'a, str>>,
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::ContactDetail;

    #[test]
    fn unescaped_strings_are_borrowed_from_the_input() {
        let detail: ContactDetail<'_> =
            ContactDetail::from_json(br#"{"contactId": "c-1", "channel": "VO\u0049CE"}"#).unwrap();

        assert!(matches!(detail.contact_id, Some(Cow::Borrowed("c-1"))));
        assert!(matches!(detail.channel, Some(Cow::Owned(ref text)) if text == "VOICE"));
    }

    #[test]
    fn strings_of_another_type_or_empty_read_as_absent() {
        let json = r#"{"contactId": "c-1", "channel": 5, "eventType": "", "initiationMethod":
            {"nested": [1, 2]}, "disconnectReason": null, "previousContactId": [true]}"#;
        let detail = ContactDetail::from_json(json.as_bytes()).unwrap();

        assert_eq!(detail.contact_id.as_deref(), Some("c-1"));
        assert_eq!(detail.channel, None);
        assert_eq!(detail.event_type, None);
        assert_eq!(detail.initiation_method, None);
        assert_eq!(detail.disconnect_reason, None);
        assert_eq!(detail.previous_contact_id, None);
    }

    #[test]
    fn nested_objects_that_are_null_or_not_objects_read_as_absent() {
        let json = r#"{"contactId": "c-1", "queueInfo": null, "agentInfo": ["arn", "time"],
            "campaign": "c", "systemEndpoint": {"type": "TELEPHONE_NUMBER"}}"#;
        let detail = ContactDetail::from_json(json.as_bytes()).unwrap();

        assert!(detail.queue_info.is_none());
        assert!(detail.agent_info.is_none());
        assert!(detail.campaign.is_none());
        let system = detail.system_endpoint.unwrap();
        assert_eq!(system.kind.as_deref(), Some("TELEPHONE_NUMBER"));
    }

    #[test]
    fn detail_must_be_a_json_object() {
        assert!(ContactDetail::from_json(br#"["c-1", "QUEUED"]"#).is_err());
        assert!(ContactDetail::from_json(b"\"c-1\"").is_err());
        assert!(ContactDetail::from_json(b"null").is_err());
        assert!(ContactDetail::from_json(b"{} trailing").is_err());
    }
}
