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

use super::{DecodeError, PayloadError, RecordId, SourceRecord};
use crate::contract::{Event, KinesisMeta, SourceMeta};

/// The first bytes of a record aggregated by the Kinesis Producer Library.
const KPL_MAGIC: [u8; 4] = [0xF3, 0x89, 0x9A, 0xC2];

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<EnvelopeRecord<'a>>,
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
        .and_then(|r| r.as_array())
        .and_then(|r| r.first())
        .is_some_and(|r| r.get("kinesis").is_some())
}

/// Decodes a Lambda Kinesis event into one [`SourceRecord`] per Kinesis record, in order.
///
/// # Errors
/// A [`PayloadError`] when the envelope itself is not a Kinesis event (no record can be
/// named); a bad record's own data only fails that record.
pub fn decode(payload: &[u8]) -> Result<Vec<SourceRecord>, PayloadError> {
    let envelope: Envelope<'_> = serde_json::from_slice(payload).map_err(|e| PayloadError {
        what: "Lambda Kinesis event",
        reason: e.to_string(),
    })?;
    Ok(envelope.records.into_iter().map(decode_record).collect())
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
pub fn decode_data(data: &str) -> Result<Vec<u8>, DecodeError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| DecodeError::Base64(e.to_string()))?;
    if bytes.starts_with(&KPL_MAGIC) {
        return Err(DecodeError::KplAggregated);
    }
    Ok(bytes)
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

    #[test]
    fn an_envelope_that_is_not_a_kinesis_event_is_a_payload_error() {
        let error = decode(br#"{"detail-type":"x"}"#).unwrap_err();
        assert_eq!(error.what, "Lambda Kinesis event");
        assert!(error.reason.contains("Records"), "{}", error.reason);
    }
}
