//! The contact-event mapping: one EventBridge contact event in, one `ContactEvent` record out.
//!
//! Pure Rust with no WebAssembly types, so it compiles and is tested natively; the component
//! (`component.rs`) only converts [`Record`] to the WIT `timestream-record`. The crate
//! documentation lists the mapping decisions.

use transform_kit::iso8601::parse_utc_epoch_ms;

use crate::detail::{AgentInfo, ContactDetail, Endpoint, QueueInfo};

pub use transform_kit::{MeasureValue, TimeUnit};

/// The Timestream table, and the `measure_name` of every record (dashboard convention).
pub const TABLE: &str = "ContactEvent";

/// The EventBridge `detail-type` of Amazon Connect contact events; nothing else is mapped.
pub const CONTACT_EVENT_DETAIL_TYPE: &str = "Amazon Connect Contact Event";

/// The host configuration key that opts in to writing the customer's address.
pub const INCLUDE_CUSTOMER_ENDPOINT_KEY: &str = "include-customer-endpoint";

/// How many event-type ranks fit in one millisecond of a record version.
const RANKS_PER_MS: i64 = 16;

/// Deployment choices that change what is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// Write `customerEndpoint_address` (the caller's phone number or email address, which
    /// is personal data). Off by default.
    pub include_customer_endpoint: bool,
}

impl Settings {
    /// Builds the settings from the value of [`INCLUDE_CUSTOMER_ENDPOINT_KEY`]: `"true"`
    /// (ASCII case-insensitive, surrounding whitespace ignored) opts in; anything else,
    /// including no value, keeps the address out.
    pub fn from_config(include_customer_endpoint: Option<&str>) -> Self {
        let opted_in = include_customer_endpoint
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
        Self {
            include_customer_endpoint: opted_in,
        }
    }
}

/// The parts of the EventBridge envelope the mapping uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvelopeMeta<'a> {
    /// The envelope `id`, unique per event; written as `_X_EventId` and named in errors.
    pub id: &'a str,
    /// The envelope `detail-type`; must be [`CONTACT_EVENT_DETAIL_TYPE`].
    pub detail_type: &'a str,
    /// The envelope `time` as received (RFC 3339, whole seconds).
    pub time: &'a str,
}

/// A Timestream multi-measure record (WIT `timestream-record`) with owned names.
pub type Record = transform_kit::Record<String>;

/// A dimension of a record (WIT `dimension`).
pub type Dimension = transform_kit::Dimension<String>;

/// One value of a multi-measure record (WIT `measure`).
pub type Measure = transform_kit::Measure<String>;

/// Collects measures, leaving out absent and empty values (Timestream has no null and
/// rejects empty strings).
type Measures = transform_kit::MeasureList<String>;

/// Why a contact event cannot be mapped. Every case names the EventBridge event id.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The envelope's `detail-type` is not a contact event.
    #[error(
        "event {event_id} has detail-type {detail_type:?}; this transform maps only \
         {CONTACT_EVENT_DETAIL_TYPE:?}"
    )]
    UnsupportedDetailType {
        event_id: String,
        detail_type: String,
    },

    /// The detail is not JSON, or not a JSON object.
    #[error("event {event_id}: detail is not a JSON contact event: {source}")]
    InvalidJson {
        event_id: String,
        #[source]
        source: serde_json::Error,
    },

    /// A field the record cannot be identified without is absent, empty or not a string.
    #[error("event {event_id}: detail has no `{field}`")]
    MissingField {
        event_id: String,
        field: &'static str,
    },

    /// Neither `initiationTimestamp` nor the envelope `time` is a UTC ISO-8601 timestamp.
    #[error(
        "event {event_id} (contact {contact_id}): no usable time: neither \
         `initiationTimestamp` nor the envelope time {envelope_time:?} is a UTC timestamp"
    )]
    NoUsableTime {
        event_id: String,
        contact_id: String,
        envelope_time: String,
    },
}

impl MappingError {
    /// Whether trying the same event again could succeed. Never: every case is about the
    /// event's own content, so it belongs in the dead-letter queue.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// Maps one contact event to its `ContactEvent` record.
///
/// `detail` is the EventBridge `detail` object as JSON bytes. Unknown event types and fields
/// are mapped with what is known. Returns exactly one record.
///
/// # Errors
///
/// [`MappingError`] when the detail-type is not a contact event, the detail is not a JSON
/// object, it has no `contactId`, or neither `initiationTimestamp` nor the envelope time can
/// be read as a time. None of these is retryable.
pub fn map_contact_event(
    envelope: &EnvelopeMeta<'_>,
    detail: &[u8],
    settings: &Settings,
) -> Result<Vec<Record>, MappingError> {
    check_detail_type(envelope)?;

    let detail = ContactDetail::from_json(detail).map_err(|source| MappingError::InvalidJson {
        event_id: envelope.id.to_owned(),
        source,
    })?;
    let contact_id = detail
        .contact_id
        .as_deref()
        .ok_or_else(|| MappingError::MissingField {
            event_id: envelope.id.to_owned(),
            field: "contactId",
        })?;

    let (time, version) = time_and_version(&detail, envelope, contact_id)?;

    Ok(vec![Record {
        table: TABLE.to_owned(),
        dimensions: dimensions(&detail, contact_id),
        measure_name: TABLE.to_owned(),
        measures: measures(&detail, envelope, settings),
        time,
        time_unit: TimeUnit::Milliseconds,
        version,
    }])
}

fn check_detail_type(envelope: &EnvelopeMeta<'_>) -> Result<(), MappingError> {
    if envelope.detail_type == CONTACT_EVENT_DETAIL_TYPE {
        return Ok(());
    }
    Err(MappingError::UnsupportedDetailType {
        event_id: envelope.id.to_owned(),
        detail_type: envelope.detail_type.to_owned(),
    })
}

/// The series time (initiation, else envelope time) and the version that orders the
/// contact's states: the newest timestamp in milliseconds, times 16, plus the type's rank.
fn time_and_version(
    detail: &ContactDetail<'_>,
    envelope: &EnvelopeMeta<'_>,
    contact_id: &str,
) -> Result<(i64, i64), MappingError> {
    let envelope_ms = utc_ms(envelope.time);
    let initiation_ms = detail.initiation_timestamp.as_deref().and_then(utc_ms);

    let time = initiation_ms
        .or(envelope_ms)
        .ok_or_else(|| MappingError::NoUsableTime {
            event_id: envelope.id.to_owned(),
            contact_id: contact_id.to_owned(),
            envelope_time: envelope.time.to_owned(),
        })?;

    let latest_in_detail = detail_timestamps(detail).filter_map(utc_ms).max();
    let latest_ms = latest_in_detail
        .into_iter()
        .chain(envelope_ms)
        .max()
        .unwrap_or(time);
    Ok((
        time,
        latest_ms * RANKS_PER_MS + event_type_rank(detail.event_type.as_deref()),
    ))
}

/// A UTC timestamp (`Z` or `+00:00`) in milliseconds since the Unix epoch; `None` when it is
/// not one, so that it takes no part in the times computed from it.
fn utc_ms(text: &str) -> Option<i64> {
    parse_utc_epoch_ms(text).ok()
}

/// Every timestamp of the detail that marks progress of the contact (not scheduled times).
fn detail_timestamps<'d>(detail: &'d ContactDetail<'_>) -> impl Iterator<Item = &'d str> {
    let queue = detail.queue_info.as_ref();
    let agent = detail.agent_info.as_ref();
    let voice = detail.customer_voice_activity.as_ref();
    [
        detail.initiation_timestamp.as_deref(),
        detail.connected_to_system_timestamp.as_deref(),
        detail.disconnect_timestamp.as_deref(),
        queue.and_then(|queue| queue.enqueue_timestamp.as_deref()),
        agent.and_then(|agent| agent.connected_to_agent_timestamp.as_deref()),
        agent.and_then(|agent| agent.accepted_by_agent_timestamp.as_deref()),
        agent.and_then(|agent| agent.after_contact_work_start_timestamp.as_deref()),
        agent.and_then(|agent| agent.after_contact_work_end_timestamp.as_deref()),
        voice.and_then(|voice| voice.greeting_start_timestamp.as_deref()),
        voice.and_then(|voice| voice.greeting_end_timestamp.as_deref()),
    ]
    .into_iter()
    .flatten()
}

/// Orders event types that can share a millisecond, earliest in a contact's life first.
fn event_type_rank(event_type: Option<&str>) -> i64 {
    match event_type {
        Some("INITIATED") => 1,
        Some("CONNECTED_TO_SYSTEM") => 2,
        Some("QUEUED") => 3,
        Some("CONNECTED_TO_AGENT") => 4,
        Some(other) if is_answering_machine_outcome(other) => 5,
        Some("DISCONNECTED") => 7,
        Some("COMPLETED") => 8,
        _ => 6,
    }
}

fn is_answering_machine_outcome(event_type: &str) -> bool {
    const OUTCOMES: [&str; 11] = [
        "HUMAN_ANSWERED",
        "VOICEMAIL_BEEP",
        "VOICEMAIL_NO_BEEP",
        "AMD_UNANSWERED",
        "AMD_UNRESOLVED",
        "AMD_ERROR",
        "AMD_DISABLED",
        "SIT_TONE_BUSY",
        "SIT_TONE_DETECTED",
        "SIT_TONE_INVALID_NUMBER",
        "FAX_MACHINE_DETECTED",
    ];
    OUTCOMES.contains(&event_type)
}

fn dimensions(detail: &ContactDetail<'_>, contact_id: &str) -> Vec<Dimension> {
    let instance = detail
        .instance_arn
        .as_deref()
        .map(|arn| ("instanceArn", arn));
    let contact = Some(("contactId", contact_id));
    [instance, contact]
        .into_iter()
        .flatten()
        .map(|(name, value)| Dimension::new(name, value))
        .collect()
}

fn measures(
    detail: &ContactDetail<'_>,
    envelope: &EnvelopeMeta<'_>,
    settings: &Settings,
) -> Vec<Measure> {
    let mut measures = Measures::default();

    contact_measures(&mut measures, detail);
    if let Some(queue) = &detail.queue_info {
        queue_measures(&mut measures, queue);
    }
    if let Some(agent) = &detail.agent_info {
        agent_measures(&mut measures, agent);
    }
    endpoint_measures(&mut measures, detail, settings);
    computed_measures(&mut measures, detail, envelope);

    measures.into_vec()
}

fn contact_measures(measures: &mut Measures, detail: &ContactDetail<'_>) {
    measures.varchar("eventType", &detail.event_type);
    measures.varchar("channel", &detail.channel);
    measures.varchar("initiationMethod", &detail.initiation_method);
    measures.varchar("initiationTimestamp", &detail.initiation_timestamp);
    measures.varchar("initialContactId", &detail.initial_contact_id);
    measures.varchar("previousContactId", &detail.previous_contact_id);
    measures.varchar("relatedContactId", &detail.related_contact_id);
    measures.varchar(
        "connectedToSystemTimestamp",
        &detail.connected_to_system_timestamp,
    );
    measures.varchar("disconnectTimestamp", &detail.disconnect_timestamp);
    measures.varchar("disconnectReason", &detail.disconnect_reason);
    measures.varchar(
        "answeringMachineDetectionStatus",
        &detail.answering_machine_detection_status,
    );
    if let Some(campaign) = &detail.campaign {
        measures.varchar("campaign_campaignId", &campaign.campaign_id);
    }
}

fn queue_measures(measures: &mut Measures, queue: &QueueInfo<'_>) {
    measures.varchar("queueInfo_queueArn", &queue.queue_arn);
    measures.varchar("queueInfo_queueType", &queue.queue_type);
    measures.varchar("queueInfo_enqueueTimestamp", &queue.enqueue_timestamp);
}

fn agent_measures(measures: &mut Measures, agent: &AgentInfo<'_>) {
    measures.varchar("agentInfo_agentArn", &agent.agent_arn);
    measures.varchar(
        "agentInfo_connectedToAgentTimestamp",
        &agent.connected_to_agent_timestamp,
    );
    measures.varchar(
        "agentInfo_acceptedByAgentTimestamp",
        &agent.accepted_by_agent_timestamp,
    );
    measures.varchar(
        "agentInfo_afterContactWorkStartTimestamp",
        &agent.after_contact_work_start_timestamp,
    );
    measures.varchar(
        "agentInfo_afterContactWorkEndTimestamp",
        &agent.after_contact_work_end_timestamp,
    );
}

/// The endpoints and the customer's voice activity. The customer's address is personal data
/// and only written when the deployment opts in.
fn endpoint_measures(measures: &mut Measures, detail: &ContactDetail<'_>, settings: &Settings) {
    if let Some(system) = &detail.system_endpoint {
        measures.varchar("systemEndpoint_type", &system.kind);
        measures.varchar("systemEndpoint_address", &system.address);
    }
    if let Some(customer) = &detail.customer_endpoint {
        customer_endpoint_measures(measures, customer, settings);
    }
    if let Some(voice) = &detail.customer_voice_activity {
        let start = &voice.greeting_start_timestamp;
        measures.varchar("customerVoiceActivity_greetingStartTimestamp", start);
        let end = &voice.greeting_end_timestamp;
        measures.varchar("customerVoiceActivity_greetingEndTimestamp", end);
    }
}

fn customer_endpoint_measures(
    measures: &mut Measures,
    customer: &Endpoint<'_>,
    settings: &Settings,
) {
    measures.varchar("customerEndpoint_type", &customer.kind);
    if settings.include_customer_endpoint {
        measures.varchar("customerEndpoint_address", &customer.address);
    }
}

fn computed_measures(
    measures: &mut Measures,
    detail: &ContactDetail<'_>,
    envelope: &EnvelopeMeta<'_>,
) {
    measures.varchar("_X_EventId", Some(envelope.id));
    measures.varchar("_X_EventTime", Some(envelope.time));
    if let Some(wait_ms) = queue_wait_ms(detail) {
        measures.bigint("_X_QueueWaitMs", wait_ms);
    }
    if is_disconnected(detail) {
        measures.boolean("_X_Abandoned", !has_agent(detail));
    }
}

/// Milliseconds between entering the queue and reaching an agent, or leaving the queue by
/// hanging up. `None` while still waiting, without a queue, or when the times go backwards.
fn queue_wait_ms(detail: &ContactDetail<'_>) -> Option<i64> {
    let enqueue = detail.queue_info.as_ref()?.enqueue_timestamp.as_deref()?;
    let enqueued_ms = utc_ms(enqueue)?;

    let agent = detail.agent_info.as_ref();
    let connected = agent.and_then(|agent| agent.connected_to_agent_timestamp.as_deref());
    let left_queue = match connected {
        Some(connected) => connected,
        None if is_disconnected(detail) && !has_agent(detail) => {
            detail.disconnect_timestamp.as_deref()?
        }
        None => return None,
    };

    let wait_ms = utc_ms(left_queue)? - enqueued_ms;
    (wait_ms >= 0).then_some(wait_ms)
}

/// True from the DISCONNECTED event on: that event, and any later one (COMPLETED, ...)
/// that carries the disconnect time.
fn is_disconnected(detail: &ContactDetail<'_>) -> bool {
    detail.event_type.as_deref() == Some("DISCONNECTED") || detail.disconnect_timestamp.is_some()
}

fn has_agent(detail: &ContactDetail<'_>) -> bool {
    detail
        .agent_info
        .as_ref()
        .is_some_and(AgentInfo::names_an_agent)
}
