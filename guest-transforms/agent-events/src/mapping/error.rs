//! Why a payload could not be mapped.
//!
//! Every mapping error is permanent: the same bytes will fail the same way on every retry,
//! so the component reports them as non-retryable and the host dead-letters the event.

use std::fmt;

use super::timestamp::TimestampError;

/// Why an agent event payload could not be mapped to records.
///
/// The messages name the offending field and, when it could be read, the event's `EventId`.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The payload bytes are not UTF-8, so they cannot be JSON.
    #[error("payload is not UTF-8 text: {source}")]
    NotUtf8 {
        #[from]
        source: std::str::Utf8Error,
    },

    /// The payload is not well-formed JSON.
    #[error("payload is not JSON: {source}")]
    NotJson { source: serde_json::Error },

    /// The payload is JSON, but a field has the wrong type (e.g. a number where a string
    /// belongs, or a top-level array).
    #[error("payload is not an agent event: {}{source}", FieldPrefix(.field.as_deref()))]
    WrongShape {
        /// The path of the offending field, e.g. `CurrentAgentSnapshot.Contacts[0].State`;
        /// `None` when the payload itself has the wrong type.
        field: Option<String>,
        source: serde_json::Error,
    },

    /// A field every agent event has is absent, `null` or empty, as in a contact trace
    /// record or a contact event sent to the wrong transform.
    #[error(
        "payload is not an agent event: field '{field}' is missing, null or empty{}",
        EventIdSuffix(.event_id.as_deref())
    )]
    MissingField {
        field: &'static str,
        event_id: Option<String>,
    },

    /// `EventType` is not one of LOGIN, LOGOUT, STATE_CHANGE, HEART_BEAT.
    #[error("unknown EventType '{event_type}'{}", EventIdSuffix(.event_id.as_deref()))]
    UnknownEventType {
        event_type: String,
        event_id: Option<String>,
    },

    /// `EventTimestamp` is not a strict ISO-8601 UTC timestamp.
    #[error(
        "unparseable EventTimestamp '{value}': {source}{}",
        EventIdSuffix(.event_id.as_deref())
    )]
    BadEventTimestamp {
        value: String,
        source: TimestampError,
        event_id: Option<String>,
    },

    /// A contact in `CurrentAgentSnapshot.Contacts` has no `ContactId`, which its record
    /// needs as a dimension.
    #[error(
        "field 'CurrentAgentSnapshot.Contacts[{index}].ContactId' is missing, null or empty{}",
        EventIdSuffix(.event_id.as_deref())
    )]
    MissingContactId {
        index: usize,
        event_id: Option<String>,
    },
}

/// Formats ` (EventId …)` when the id is known, nothing otherwise.
struct EventIdSuffix<'a>(Option<&'a str>);

impl fmt::Display for EventIdSuffix<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(formatter, " (EventId {id})"),
            None => Ok(()),
        }
    }
}

/// Formats `field 'path': ` when the path is known, nothing otherwise.
struct FieldPrefix<'a>(Option<&'a str>);

impl fmt::Display for FieldPrefix<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(field) => write!(formatter, "field '{field}': "),
            None => Ok(()),
        }
    }
}
