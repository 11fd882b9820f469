//! The dead-letter queue: input records that can never be written go to an Amazon SQS queue
//! as JSON messages, with their identity, the reason and the record as received.
//!
//! [`DeadLetterQueue::send`] packs letters into `SendMessageBatch` calls (at most
//! [`MAX_BATCH_ENTRIES`] entries and [`MAX_MESSAGE_BYTES`] per call), retries failed entries
//! with backoff until the deadline, and returns the letters it could not send, so that the
//! caller reports those input records to Lambda for retry instead: nothing is lost.

use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchError;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::pipeline::{Disposition, EventReport};
use crate::sources::RecordId;
use crate::store::timestream::backoff_delay;

/// The limit on one message body, and on the sum of the bodies in one batch: SQS's maximum
/// for years and the `MaximumMessageSize` many queues are created with. (SQS now allows up to
/// 1 MiB; keeping 256 KiB makes letters fit either.)
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// SQS's limit on entries in one `SendMessageBatch`.
pub const MAX_BATCH_ENTRIES: usize = 10;

/// A reason is cut to this length only when the letter would not fit in a message even with
/// an empty payload.
const MAX_REASON_BYTES: usize = 16 * 1024;

/// One input record that cannot be written, as the queue's JSON message body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The record's identity, e.g. `shardId-000000000000/4966…` or `event 1b2c…`.
    pub id: String,
    /// `kinesis`, `eventbridge`, `schedule` or `local`.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// `name@version` of the transform that handled the record, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<String>,
    /// Why the record cannot be written.
    pub reason: String,
    /// The record as received: a Kinesis record's base64 `data`, an EventBridge event's JSON.
    /// Bytes that are not UTF-8 (a raw line replayed from a file) are base64-encoded here,
    /// with [`DeadLetter::payload_encoding`] saying so, so that the letter keeps them exactly.
    pub payload: String,
    /// `base64` when [`DeadLetter::payload`] is the base64 of bytes that are not UTF-8;
    /// absent when the payload is the record's text itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_encoding: Option<String>,
}

/// A record's bytes as letter text: the text itself when it is UTF-8, else its base64 with
/// the encoding named.
fn payload_text(original: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(original) {
        Ok(text) => (text.to_owned(), None),
        Err(_) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(original);
            (encoded, Some("base64".to_owned()))
        }
    }
}

/// The message body: a letter's fields, plus `payload_truncated: true` when the payload was
/// cut to fit SQS's message size limit.
#[derive(Serialize)]
struct MessageBody<'a> {
    #[serde(flatten)]
    letter: &'a DeadLetter,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    payload_truncated: bool,
}

impl DeadLetter {
    /// The letter for the input record `id`, its `original` bytes as received and `reason`.
    pub fn for_record(
        id: &RecordId,
        transform: Option<&str>,
        reason: impl Into<String>,
        original: &[u8],
    ) -> Self {
        let (payload, payload_encoding) = payload_text(original);
        let mut letter = Self {
            id: id.to_string(),
            source: String::new(),
            stream_arn: None,
            shard_id: None,
            sequence_number: None,
            event_id: None,
            transform: transform.map(str::to_owned),
            reason: reason.into(),
            payload,
            payload_encoding,
        };
        letter.source = match id {
            RecordId::Kinesis {
                stream_arn,
                shard_id,
                sequence_number,
            } => {
                letter.stream_arn = Some(stream_arn.clone());
                letter.shard_id = Some(shard_id.clone());
                letter.sequence_number = Some(sequence_number.clone());
                "kinesis".into()
            }
            RecordId::EventBridge { id } => {
                letter.event_id = Some(id.clone());
                "eventbridge".into()
            }
            RecordId::Snapshot { .. } => "schedule".into(),
            RecordId::Local { .. } => "local".into(),
        };
        letter
    }

    /// The letter for a pipeline report whose disposition is
    /// [`Disposition::DeadLetter`]; `None` for any other disposition.
    pub fn from_report(report: &EventReport) -> Option<Self> {
        let Disposition::DeadLetter { reason } = &report.disposition else {
            return None;
        };
        Some(Self::for_record(
            &report.id,
            report.transform.as_deref(),
            reason,
            &report.original,
        ))
    }

    /// The JSON message body, at most [`MAX_MESSAGE_BYTES`] long: an oversized letter has its
    /// payload cut (on a character boundary) and `"payload_truncated": true` added.
    pub fn message_body(&self) -> String {
        let body = to_json(self, false);
        if body.len() <= MAX_MESSAGE_BYTES {
            return body;
        }

        let mut short = self.clone();
        short.payload.clear();
        if to_json(&short, true).len() > MAX_MESSAGE_BYTES {
            short.reason = cut(&self.reason, MAX_REASON_BYTES).to_owned();
        }

        // Escaping makes a payload longer in JSON than in memory, by an amount that depends
        // on its characters: search for the longest prefix that fits.
        let (mut fits, mut too_long) = (0, self.payload.len().min(MAX_MESSAGE_BYTES) + 1);
        while too_long - fits > 1 {
            let middle = fits + (too_long - fits) / 2;
            short.payload = cut(&self.payload, middle).to_owned();
            if to_json(&short, true).len() <= MAX_MESSAGE_BYTES {
                fits = middle;
            } else {
                too_long = middle;
            }
        }
        short.payload = cut(&self.payload, fits).to_owned();
        to_json(&short, true)
    }
}

/// JSON for a letter, with the two characters SQS refuses (U+FFFE, U+FFFF) replaced.
fn to_json(letter: &DeadLetter, payload_truncated: bool) -> String {
    let body = MessageBody {
        letter,
        payload_truncated,
    };
    let json = serde_json::to_string(&body).expect("a struct of strings serializes");
    if json.contains(['\u{FFFE}', '\u{FFFF}']) {
        return json.replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}");
    }
    json
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    &text[..end]
}

/// What [`DeadLetterQueue::send`] did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DeadLetterReport {
    /// Letters now in the queue.
    pub sent: usize,
    /// Letters not sent, as (letter id, reason), in input order. Their input records must
    /// be retried instead.
    pub failed: Vec<(String, String)>,
}

/// An SQS queue for dead letters.
#[derive(Debug, Clone)]
pub struct DeadLetterQueue {
    client: Client,
    queue_url: String,
    retry_base: Duration,
}

impl DeadLetterQueue {
    /// Default for the first retry's wait ceiling (see [`DeadLetterQueue::with_retry_base`]).
    pub const DEFAULT_RETRY_BASE: Duration = Duration::from_millis(50);

    /// A queue client for `queue_url`. The SDK's retries are disabled: [`Self::send`] retries
    /// failed entries itself, under the caller's deadline.
    pub fn new(sdk: &SdkConfig, queue_url: impl Into<String>) -> Self {
        let config = aws_sdk_sqs::config::Builder::from(sdk).retry_config(RetryConfig::disabled());
        Self {
            client: Client::from_conf(config.build()),
            queue_url: queue_url.into(),
            retry_base: Self::DEFAULT_RETRY_BASE,
        }
    }

    /// The same queue with another first-retry wait ceiling (doubled per retry, full jitter).
    pub fn with_retry_base(mut self, retry_base: Duration) -> Self {
        self.retry_base = retry_base;
        self
    }

    /// The queue's URL.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// Sends `letters`, retrying what fails until `deadline`; returns what could not be sent.
    pub async fn send(&self, letters: Vec<DeadLetter>, deadline: Instant) -> DeadLetterReport {
        let bodies: Vec<String> = letters.iter().map(DeadLetter::message_body).collect();
        let mut pending: Vec<usize> = (0..letters.len()).collect();
        let mut failed: Vec<(usize, String)> = Vec::new();
        let mut sent = 0;
        let mut attempt: u32 = 1;

        while !pending.is_empty() {
            let mut retry: Vec<(usize, String)> = Vec::new();
            for batch in pack(&pending, &bodies) {
                let result = self.send_batch(&batch, &bodies, deadline).await;
                sent += result.sent;
                failed.extend(result.failed);
                retry.extend(result.retry);
            }
            if retry.is_empty() {
                break;
            }

            let Some(delay) = backoff_delay(self.retry_base, attempt, deadline) else {
                failed.extend(retry);
                break;
            };
            tracing::warn!(letters = retry.len(), attempt, delay_ms = delay.as_millis() as u64,
                error = %retry[0].1, "retrying dead letters");
            tokio::time::sleep(delay).await;
            pending = retry.into_iter().map(|(index, _)| index).collect();
            attempt += 1;
        }

        failed.sort_by_key(|(index, _)| *index);
        let failed: Vec<(String, String)> = failed
            .into_iter()
            .map(|(index, reason)| (letters[index].id.clone(), reason))
            .collect();
        if !failed.is_empty() {
            tracing::warn!(failed = failed.len(), sent, queue = %self.queue_url,
                "dead letters not sent; their input records go back to Lambda for retry");
        }
        DeadLetterReport { sent, failed }
    }

    /// One `SendMessageBatch` call; entry ids are the letters' positions in the input.
    async fn send_batch(
        &self,
        batch: &[usize],
        bodies: &[String],
        deadline: Instant,
    ) -> BatchResult {
        let entries = batch.iter().map(|&i| {
            SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(&bodies[i])
                .build()
                .expect("an entry with its id and body set builds")
        });
        tracing::debug!(queue = %self.queue_url, letters = batch.len(), "sending dead letters");
        let call = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries.collect()))
            .send();
        // Boxed: the SDK's future is deeply nested, and callers nest this one further.
        let call = Box::pin(call);

        let output = match tokio::time::timeout_at(deadline.into(), call).await {
            Err(_) => return BatchResult::all_retry(batch, "the deadline passed mid-request"),
            Ok(Err(error)) => return BatchResult::from_error(batch, error),
            Ok(Ok(output)) => output,
        };

        let mut result = BatchResult {
            sent: output.successful().len(),
            ..BatchResult::default()
        };
        for entry in output.failed() {
            let Some(index) = entry
                .id()
                .parse::<usize>()
                .ok()
                .filter(|i| batch.contains(i))
            else {
                continue;
            };
            let reason = format!(
                "SQS {}: {}",
                entry.code(),
                entry.message().unwrap_or("no message")
            );
            if entry.sender_fault() {
                result.failed.push((index, reason));
            } else {
                result.retry.push((index, reason));
            }
        }

        // An entry SQS neither accepted nor refused is retried.
        let answered = output
            .successful()
            .iter()
            .map(|e| e.id())
            .chain(output.failed().iter().map(|e| e.id()));
        let answered: Vec<&str> = answered.collect();
        for &index in batch {
            if !answered.contains(&index.to_string().as_str()) {
                result
                    .retry
                    .push((index, "SQS did not answer for this entry".into()));
            }
        }
        result
    }
}

/// What one batch call did, by letter position.
#[derive(Debug, Default)]
struct BatchResult {
    sent: usize,
    /// Refused for good (SQS says the sender is at fault).
    failed: Vec<(usize, String)>,
    /// Worth another try.
    retry: Vec<(usize, String)>,
}

impl BatchResult {
    fn all_retry(batch: &[usize], reason: &str) -> Self {
        let retry = batch.iter().map(|&i| (i, reason.to_owned())).collect();
        Self {
            retry,
            ..Self::default()
        }
    }

    fn all_failed(batch: &[usize], reason: &str) -> Self {
        let failed = batch.iter().map(|&i| (i, reason.to_owned())).collect();
        Self {
            failed,
            ..Self::default()
        }
    }

    /// A whole call failed: throttling, 5xx and transport errors are retried; the rest (a
    /// missing queue, no permission) will not pass before the deadline.
    fn from_error(
        batch: &[usize],
        error: SdkError<SendMessageBatchError, aws_sdk_sqs::config::http::HttpResponse>,
    ) -> Self {
        let text = DisplayErrorContext(&error).to_string();
        let SdkError::ServiceError(service) = &error else {
            return Self::all_retry(batch, &text);
        };
        let status = service.raw().status().as_u16();
        let transient = matches!(
            service.err(),
            SendMessageBatchError::RequestThrottled(_) | SendMessageBatchError::KmsThrottled(_)
        ) || status >= 500;
        let reason = format!(
            "SQS {}: {}",
            service.err().code().unwrap_or("error"),
            service.err().message().unwrap_or(&text)
        );
        if transient {
            Self::all_retry(batch, &reason)
        } else {
            Self::all_failed(batch, &reason)
        }
    }
}

/// Packs letters (by position) into batches within SQS's entry and size limits, in order.
fn pack(pending: &[usize], bodies: &[String]) -> Vec<Vec<usize>> {
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut size = 0;
    for &index in pending {
        let len = bodies[index].len();
        let fits = batches
            .last()
            .is_some_and(|b| b.len() < MAX_BATCH_ENTRIES && size + len <= MAX_MESSAGE_BYTES);
        if fits {
            size += len;
            batches.last_mut().expect("checked above").push(index);
        } else {
            size = len;
            batches.push(vec![index]);
        }
    }
    batches
}

/// Appends `letters` to a JSON-lines file (one message body per line): where dead letters go
/// in local runs, which have no queue.
///
/// # Errors
/// When the file cannot be opened or written.
pub fn append_to_file(path: &std::path::Path, letters: &[DeadLetter]) -> std::io::Result<()> {
    use std::io::Write as _;

    if letters.is_empty() {
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for letter in letters {
        writeln!(file, "{}", letter.message_body())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(payload: &str) -> DeadLetter {
        let id = RecordId::EventBridge { id: "e-1".into() };
        DeadLetter::for_record(
            &id,
            Some("contact-events@1.0.0"),
            "bad input",
            payload.as_bytes(),
        )
    }

    /// A fresh-user trial found a non-UTF-8 line dead-lettered with U+FFFD in place of its
    /// bytes: the letter must keep the record exactly.
    #[test]
    fn bytes_that_are_not_utf8_are_kept_as_base64() {
        let id = RecordId::Local {
            origin: "bad.jsonl#1".into(),
        };
        let bad = DeadLetter::for_record(&id, None, "not UTF-8", b"\xff\xfe garbage");

        assert_eq!(bad.payload, "//4gZ2FyYmFnZQ==");
        assert_eq!(bad.payload_encoding.as_deref(), Some("base64"));
        assert_eq!(
            bad.message_body(),
            r#"{"id":"bad.jsonl#1","source":"local","reason":"not UTF-8","payload":"//4gZ2FyYmFnZQ==","payload_encoding":"base64"}"#
        );
        assert_eq!(letter("{}").payload_encoding, None);
    }

    #[test]
    fn batches_respect_entry_count_and_total_size() {
        let bodies: Vec<String> = (0..23)
            .map(|i| "x".repeat(if i < 3 { 100_000 } else { 10 }))
            .collect();
        let all: Vec<usize> = (0..23).collect();
        let batches = pack(&all, &bodies);
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![2, 10, 10, 1]);
    }

    #[test]
    fn oversized_payload_is_cut_to_fit_one_message() {
        let big = "\"é".repeat(200_000);
        let body = letter(&big).message_body();
        assert!(body.len() <= MAX_MESSAGE_BYTES, "{}", body.len());
        assert!(body.len() > MAX_MESSAGE_BYTES - 8, "{}", body.len());
        let back: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(back["payload_truncated"], true);
        let payload = back["payload"].as_str().unwrap();
        assert!(big.starts_with(payload));
        assert!(payload.len() > 100_000, "{}", payload.len());
    }

    #[test]
    fn letter_within_limit_is_sent_whole() {
        let body = letter("{\"a\":1}").message_body();
        assert_eq!(
            body,
            concat!(
                r#"{"id":"event e-1","source":"eventbridge","event_id":"e-1","#,
                r#""transform":"contact-events@1.0.0","reason":"bad input","payload":"{\"a\":1}"}"#
            )
        );
    }
}
