//! EventBridge events as Lambda receives them: the envelope (`id`, `source`, `detail-type`,
//! `time`, `account`, `region`, `resources`) around a `detail` object, which becomes the
//! event's payload byte for byte.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{DecodeError, RecordId, SourceRecord};
use crate::contract::{Event, EventbridgeMeta, SourceMeta};

/// The detail-type of Amazon Connect contact events.
pub const CONTACT_EVENT_DETAIL_TYPE: &str = "Amazon Connect Contact Event";

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    id: String,
    #[serde(default)]
    source: String,
    #[serde(rename = "detail-type", default)]
    detail_type: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(borrow)]
    detail: Option<&'a RawValue>,
}

/// True when `value` has the shape of an EventBridge envelope.
pub fn is_eventbridge_event(value: &serde_json::Value) -> bool {
    value.get("detail-type").is_some() && value.get("source").is_some()
}

/// Decodes one EventBridge event. An envelope without an `id` is named by `origin`.
pub fn decode(payload: &[u8], origin: &str) -> SourceRecord {
    let original = payload.to_vec();
    let envelope: Envelope<'_> = match serde_json::from_slice(payload) {
        Ok(envelope) => envelope,
        Err(e) => {
            let id = RecordId::Local {
                origin: origin.to_owned(),
            };
            let reason = e.to_string();
            let decoded = Err(DecodeError::Envelope {
                what: "EventBridge event",
                reason,
            });
            return SourceRecord {
                id,
                decoded,
                original,
            };
        }
    };

    let id = if envelope.id.is_empty() {
        RecordId::Local {
            origin: origin.to_owned(),
        }
    } else {
        RecordId::EventBridge {
            id: envelope.id.clone(),
        }
    };
    let Some(detail) = envelope.detail.filter(|d| d.get() != "null") else {
        let decoded = Err(DecodeError::Envelope {
            what: "EventBridge event",
            reason: "it has no `detail`".to_owned(),
        });
        return SourceRecord {
            id,
            decoded,
            original,
        };
    };
    let detail = detail.get().as_bytes().to_vec();
    let event = Event {
        meta: SourceMeta::Eventbridge(EventbridgeMeta {
            id: envelope.id,
            source: envelope.source,
            detail_type: envelope.detail_type,
            time: envelope.time,
            account: envelope.account,
            region: envelope.region,
            resources: envelope.resources,
        }),
        payload: detail,
    };
    SourceRecord {
        id,
        decoded: Ok(event),
        original,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh-user trial saw such an event reported as "detail has no `contactId`".
    #[test]
    fn an_event_without_detail_fails_naming_the_missing_detail() {
        for payload in [
            r#"{"id":"e-1","source":"aws.connect","detail-type":"Amazon Connect Contact Event"}"#,
            r#"{"id":"e-1","source":"aws.connect","detail-type":"x","detail":null}"#,
        ] {
            let record = decode(payload.as_bytes(), "file.json");

            assert_eq!(
                record.id,
                RecordId::EventBridge {
                    id: "e-1".to_owned()
                }
            );
            assert_eq!(
                record.decoded.unwrap_err().to_string(),
                "not a valid EventBridge event: it has no `detail`"
            );
            assert_eq!(record.original, payload.as_bytes());
        }
    }
}
