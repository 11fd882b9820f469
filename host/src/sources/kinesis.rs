//! Lambda's Kinesis event: `{"Records": [{"kinesis": {...}, "eventID", "eventSourceARN"}]}`.
//!
//! The envelope is read with its own small borrowed structs rather than
//! `aws_lambda_events::event::kinesis::KinesisEvent`, whose `data` field decodes base64 while
//! deserializing: one bad record would then fail the whole batch with no record named, and
//! every payload would be copied twice. Here each record's `data` is decoded on its own, so a
//! bad record fails alone, named by shard and sequence number.

use std::borrow::Cow;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{DecodeError, PayloadError, RecordId, SourceRecord};
use crate::contract::{Event, KinesisMeta, SourceMeta};

/// The first bytes of a record aggregated by the Kinesis Producer Library.
const KPL_MAGIC: [u8; 4] = [0xF3, 0x89, 0x9A, 0xC2];

/// The envelope as Lambda sends it: every record in the documented shape. Read in one pass;
/// this is the path every well-formed batch takes.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<EnvelopeRecord<'a>>,
}

/// The envelope with each record kept as raw JSON, read when [`Envelope`] fails: each record
/// is then read on its own, so a malformed one fails alone.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct EnvelopeRecord<'a> {
    #[serde(borrow)]
    kinesis: KinesisData<'a>,
    #[serde(rename = "eventID", borrow, default)]
    event_id: Cow<'a, str>,
    #[serde(rename = "eventSourceARN", borrow, default)]
    event_source_arn: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KinesisData<'a> {
    #[serde(borrow, default)]
    partition_key: Cow<'a, str>,
    #[serde(borrow)]
    sequence_number: Cow<'a, str>,
    #[serde(borrow)]
    data: Cow<'a, str>,
    #[serde(default)]
    approximate_arrival_timestamp: f64,
}

/// True when `payload` looks like a Lambda Kinesis event.
pub fn is_kinesis_event(value: &serde_json::Value) -> bool {
    value
        .get("Records")
        .is_some_and(serde_json::Value::is_array)
}

/// Decodes a Lambda Kinesis event into one [`SourceRecord`] per Kinesis record, in order.
///
/// # Errors
/// A [`PayloadError`] when the envelope itself is not a Kinesis event (no record can be
/// named); a bad record's own data only fails that record.
pub fn decode(payload: &[u8]) -> Result<Vec<SourceRecord>, PayloadError> {
    if let Ok(envelope) = serde_json::from_slice::<Envelope<'_>>(payload) {
        return Ok(envelope.records.into_iter().map(decode_record).collect());
    }

    let envelope: RawEnvelope<'_> = serde_json::from_slice(payload).map_err(|e| PayloadError {
        what: "Lambda Kinesis event",
        reason: e.to_string(),
    })?;
    Ok(envelope
        .records
        .into_iter()
        .enumerate()
        .map(|(i, raw)| decode_raw(i, raw))
        .collect())
}

fn decode_raw(index: usize, raw: &RawValue) -> SourceRecord {
    match serde_json::from_str::<EnvelopeRecord<'_>>(raw.get()) {
        Ok(record) => decode_record(record),
        Err(error) => malformed(index, raw, &error),
    }
}

/// A record without the documented shape: dead-lettered, named by whatever identity it has.
fn malformed(index: usize, raw: &RawValue, error: &serde_json::Error) -> SourceRecord {
    let decoded = Err(DecodeError::Envelope {
        what: "Kinesis record",
        reason: error.to_string(),
    });
    SourceRecord {
        id: salvage_identity(index, raw),
        decoded,
        original: raw.get().as_bytes().to_vec(),
    }
}

/// The identity of a malformed record, read field by field so that one missing or mistyped
/// field does not lose the others: the sequence number comes from `kinesis.sequenceNumber`,
/// else from the `eventID` (`shardId-...:<sequence number>`); the stream from
/// `eventSourceARN`. Without any sequence number the record is named by its position.
fn salvage_identity(index: usize, raw: &RawValue) -> RecordId {
    let value: serde_json::Value = serde_json::from_str(raw.get()).unwrap_or_default();
    let text = |pointer: &str| value.pointer(pointer).and_then(serde_json::Value::as_str);
    let event_id = text("/eventID").unwrap_or_default();
    let from_event_id = event_id.split_once(':').map(|(_, sequence)| sequence);
    let sequence_number = text("/kinesis/sequenceNumber")
        .or(from_event_id)
        .filter(|sequence| !sequence.is_empty());

    match sequence_number {
        Some(sequence_number) => RecordId::Kinesis {
            stream_arn: text("/eventSourceARN").unwrap_or_default().to_owned(),
            shard_id: shard_of(event_id).to_owned(),
            sequence_number: sequence_number.to_owned(),
        },
        None => RecordId::Local {
            origin: format!("Records[{index}] (no sequence number)"),
        },
    }
}

fn decode_record(record: EnvelopeRecord<'_>) -> SourceRecord {
    let kinesis = record.kinesis;
    let shard_id = shard_of(&record.event_id).to_owned();
    let id = RecordId::Kinesis {
        stream_arn: record.event_source_arn.clone().into_owned(),
        shard_id: shard_id.clone(),
        sequence_number: kinesis.sequence_number.clone().into_owned(),
    };
    let original = kinesis.data.as_bytes().to_vec();

    let decoded = decode_data(&kinesis.data).map(|payload| Event {
        meta: SourceMeta::Kinesis(KinesisMeta {
            stream_arn: record.event_source_arn.into_owned(),
            shard_id,
            partition_key: kinesis.partition_key.into_owned(),
            sequence_number: kinesis.sequence_number.into_owned(),
            approximate_arrival_ms: (kinesis.approximate_arrival_timestamp * 1000.0).round() as i64,
        }),
        payload,
    });
    SourceRecord {
        id,
        decoded,
        original,
    }
}

/// Decodes one record's base64 `data`, refusing KPL-aggregated records.
///
/// Decoding is the largest part of reading a Kinesis event (every payload is ~8 KB of
/// base64), so it runs on the SIMD decoder; the `base64` crate re-reads a payload that fails,
/// only to say where and why.
pub fn decode_data(data: &str) -> Result<Vec<u8>, DecodeError> {
    let bytes = base64_simd::STANDARD
        .decode_to_vec(data)
        .map_err(|_| DecodeError::Base64(base64_error(data)))?;
    if bytes.starts_with(&KPL_MAGIC) {
        return Err(DecodeError::KplAggregated);
    }
    Ok(bytes)
}

/// Why `data` is not standard padded base64, in the `base64` crate's words.
fn base64_error(data: &str) -> String {
    match base64::engine::general_purpose::STANDARD.decode(data) {
        Err(error) => error.to_string(),
        Ok(_) => "not canonical base64".to_owned(),
    }
}

/// The shard id from an `eventID` of the form `shardId-000000000000:<sequence number>`.
fn shard_of(event_id: &str) -> &str {
    event_id
        .split_once(':')
        .map_or(event_id, |(shard, _)| shard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"Records": [{
            "kinesis": {
                "partitionKey": "agent-1",
                "sequenceNumber": "4966",
                "data": data,
                "approximateArrivalTimestamp": 1741078803.612,
            },
            "eventID": "shardId-000000000007:4966",
            "eventSourceARN": "arn:aws:kinesis:eu-west-2:111122223333:stream/s",
        }]}))
        .unwrap()
    }

    #[test]
    fn a_record_carries_its_identity_and_metadata() {
        let records = decode(&event("eyJhIjoxfQ==")).unwrap();
        assert_eq!(records[0].id.to_string(), "shardId-000000000007/4966");
        let Ok(Event {
            meta: SourceMeta::Kinesis(meta),
            payload,
        }) = &records[0].decoded
        else {
            panic!("decoded: {:?}", records[0].decoded);
        };
        assert_eq!(payload, br#"{"a":1}"#);
        assert_eq!(meta.approximate_arrival_ms, 1_741_078_803_612);
        assert_eq!(meta.partition_key, "agent-1");
        assert_eq!(meta.shard_id, "shardId-000000000007");
        assert_eq!(records[0].original, b"eyJhIjoxfQ==");
    }

    #[test]
    fn kpl_aggregated_records_are_refused_with_that_reason() {
        let mut aggregated = KPL_MAGIC.to_vec();
        aggregated.extend_from_slice(b"\x0a\x03abc");
        let data = base64::engine::general_purpose::STANDARD.encode(aggregated);
        let records = decode(&event(&data)).unwrap();
        assert_eq!(
            records[0].decoded.as_ref().unwrap_err(),
            &DecodeError::KplAggregated
        );
    }

    #[test]
    fn invalid_base64_fails_only_its_record() {
        let records = decode(&event("%%%")).unwrap();
        assert!(matches!(records[0].decoded, Err(DecodeError::Base64(_))));
    }

    fn base64_reason(data: &str) -> String {
        match decode_data(data) {
            Err(DecodeError::Base64(reason)) => reason,
            other => panic!("{data:?}: expected a base64 error, got {other:?}"),
        }
    }

    #[test]
    fn only_standard_padded_base64_is_accepted_and_errors_say_where() {
        assert_eq!(decode_data("eyJhIjoxfQ==").unwrap(), br#"{"a":1}"#);
        assert_eq!(decode_data("").unwrap(), b"");
        // A whole 8 KB payload, as Kinesis sends it, round-trips.
        let payload: Vec<u8> = (0..8192u32).map(|i| (i % 251) as u8).collect();
        let data = base64::engine::general_purpose::STANDARD.encode(&payload);
        assert_eq!(decode_data(&data).unwrap(), payload);

        assert_eq!(
            base64_reason("eyJh%joxfQ=="),
            "Invalid symbol 37, offset 4."
        );
        assert_eq!(base64_reason("eyJhIjoxfQ"), "Invalid padding");
        assert_eq!(
            base64_reason("eyJh IjoxfQ=="),
            "Invalid symbol 32, offset 4."
        );
        assert_eq!(
            base64_reason("eyJhIjoxfR=="),
            "Invalid last symbol 82, offset 9."
        );
        assert_eq!(
            base64_reason("eyJhIjoxfQ-_"),
            "Invalid symbol 45, offset 10."
        );
    }

    #[test]
    fn a_malformed_record_fails_alone_named_by_its_sequence_number() {
        let mut envelope: serde_json::Value =
            serde_json::from_slice(&event("eyJhIjoxfQ==")).unwrap();
        let mut broken = envelope["Records"][0].clone();
        broken["kinesis"].as_object_mut().unwrap().remove("data");
        broken["kinesis"]["sequenceNumber"] = serde_json::json!("4967");
        let mut nameless = broken.clone();
        nameless["kinesis"]
            .as_object_mut()
            .unwrap()
            .remove("sequenceNumber");
        nameless.as_object_mut().unwrap().remove("eventID");
        envelope["Records"]
            .as_array_mut()
            .unwrap()
            .extend([broken, nameless]);

        let records = decode(&serde_json::to_vec(&envelope).unwrap()).unwrap();

        assert_eq!(records.len(), 3);
        assert!(records[0].decoded.is_ok());
        assert_eq!(records[1].id.sequence_number(), Some("4967"));
        let Err(DecodeError::Envelope { what, reason }) = &records[1].decoded else {
            panic!("{:?}", records[1].decoded);
        };
        assert_eq!(*what, "Kinesis record");
        assert!(reason.contains("missing field `data`"), "{reason}");
        assert_eq!(records[2].id.to_string(), "Records[2] (no sequence number)");
    }

    /// A fresh-user trial found records like these dead-lettered as `Records[i]`, without
    /// their stream, shard or sequence number.
    #[test]
    fn a_malformed_record_keeps_the_identity_its_other_fields_give() {
        let arn = "arn:aws:kinesis:eu-west-2:111122223333:stream/s";
        let missing = serde_json::json!({
            "kinesis": {"data": "eyJhIjoxfQ=="},
            "eventID": "shardId-000000000001:7001",
            "eventSourceARN": arn,
        });
        let mistyped = serde_json::json!({
            "kinesis": {"sequenceNumber": 7002, "data": "eyJhIjoxfQ=="},
            "eventID": "shardId-000000000001:7002",
            "eventSourceARN": arn,
        });
        let envelope = serde_json::json!({"Records": [missing, mistyped]});

        let records = decode(&serde_json::to_vec(&envelope).unwrap()).unwrap();

        for (record, sequence_number) in records.iter().zip(["7001", "7002"]) {
            assert_eq!(
                record.id,
                RecordId::Kinesis {
                    stream_arn: arn.to_owned(),
                    shard_id: "shardId-000000000001".to_owned(),
                    sequence_number: sequence_number.to_owned(),
                }
            );
            assert!(record.decoded.is_err());
        }
        let Err(DecodeError::Envelope { reason, .. }) = &records[1].decoded else {
            panic!("{:?}", records[1].decoded);
        };
        assert!(reason.contains("invalid type: integer `7002`"), "{reason}");
    }

    #[test]
    fn an_envelope_that_is_not_a_kinesis_event_is_a_payload_error() {
        let error = decode(br#"{"detail-type":"x"}"#).unwrap_err();
        assert_eq!(error.what, "Lambda Kinesis event");
        assert!(error.reason.contains("Records"), "{}", error.reason);
    }
}
