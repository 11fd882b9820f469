//! The scheduled metadata collector against a loopback Amazon Connect stand-in: the real
//! `aws-sdk-connect` client over real HTTP, with pagination, throttling, a rate limit, a
//! failing resource and changes between runs.

#[path = "support/connect_standin.rs"]
mod connect_standin;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use connect_rt::collect::{CollectError, Collector, CollectorSettings, InstanceSnapshot};
use connect_standin::{ConnectStandIn, Directory, INSTANCE_ID, arn};
use serde_json::{Value, json};

/// Time is scaled by this factor in the schedule test: 2 requests per second become 100.
const K: u32 = 50;

/// Settings for tests that are not about pacing: fast, with short backoffs.
fn fast_settings() -> CollectorSettings {
    CollectorSettings {
        requests_per_second: 1000.0,
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_millis(10),
        list_page_size: 100,
        ..CollectorSettings::default()
    }
}

fn instance_ids() -> Vec<String> {
    vec![INSTANCE_ID.to_owned()]
}

fn far_deadline() -> Instant {
    Instant::now() + Duration::from_secs(60)
}

async fn collect_once(collector: &mut Collector) -> InstanceSnapshot {
    let mut snapshots = collector.collect(&instance_ids(), far_deadline()).await;
    assert_eq!(snapshots.len(), 1);
    snapshots.remove(0)
}

/// The snapshot as the transform receives it.
fn payload(snapshot: &InstanceSnapshot) -> Value {
    serde_json::from_slice(&snapshot.snapshot.to_json_bytes()).expect("snapshot JSON")
}

fn user_ids(snapshot: &InstanceSnapshot) -> Vec<String> {
    snapshot
        .snapshot
        .users
        .iter()
        .map(|user| user.id.clone())
        .collect()
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .map(|(operation, n)| ((*operation).to_owned(), *n))
        .collect()
}

fn error(resource: &str, message: &str) -> CollectError {
    CollectError {
        resource: resource.to_owned(),
        message: message.to_owned(),
    }
}

#[tokio::test]
async fn three_pages_of_users_are_collected_with_exact_fields() {
    let standin = ConnectStandIn::start(Directory::generate(250, 3, 2)).await;
    let mut collector = Collector::new(standin.client(), fast_settings()).expect("settings");
    let before_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;

    // The handler runs collection inside a spawned task, so the future must be Send.
    let task = tokio::spawn(async move {
        let snapshot = collect_once(&mut collector).await;
        (collector, snapshot)
    });
    let (collector, snapshot) = task.await.expect("collection task");

    let expected_calls = counts(&[
        ("DescribeInstance", 1),
        ("ListQueues", 1),
        ("GetCurrentMetricData", 1),
        ("GetCurrentUserData", 1),
        ("DescribeQueue", 3),
        ("ListRoutingProfiles", 1),
        ("DescribeRoutingProfile", 2),
        ("ListUsers", 3),
        ("DescribeUser", 250),
    ]);
    assert_eq!(standin.calls_by_operation(), expected_calls);
    assert_eq!(collector.calls_made(), 263);
    assert_eq!(snapshot.instance_id, INSTANCE_ID);
    assert!(snapshot.collected_at_ms >= before_ms);
    assert_eq!(snapshot.errors, []);

    let expected_ids: Vec<String> = (0..250).map(|i| format!("user-{i:04}")).collect();
    assert_eq!(user_ids(&snapshot), expected_ids);

    let json = payload(&snapshot);
    assert_eq!(json["InstanceId"], INSTANCE_ID);
    assert_eq!(json["Errors"], json!([]));
    assert_eq!(
        json["Users"][0],
        json!({
            "Id": "user-0000", "Arn": arn("agent/user-0000"), "Username": "agent0000",
            "IdentityInfo": { "FirstName": "First0", "LastName": "Last0" },
            "RoutingProfileId": "profile-00", "HierarchyGroupId": "group-a"
        })
    );
    assert_eq!(
        json["Users"][100],
        json!({
            "Id": "user-0100", "Arn": arn("agent/user-0100"), "Username": "agent0100",
            "IdentityInfo": { "FirstName": "First100", "LastName": "Last100" },
            "RoutingProfileId": "profile-00", "HierarchyGroupId": "group-a"
        })
    );
    assert_eq!(
        json["Users"][249],
        json!({
            "Id": "user-0249", "Arn": arn("agent/user-0249"), "Username": "agent0249",
            "IdentityInfo": { "FirstName": "First249", "LastName": "Last249" },
            "RoutingProfileId": "profile-01"
        })
    );
}

#[tokio::test]
async fn snapshot_matches_the_documented_format() {
    let standin = ConnectStandIn::start(Directory::generate(30, 3, 2)).await;
    let mut collector = Collector::new(standin.client(), fast_settings()).expect("settings");

    let snapshot = collect_once(&mut collector).await;

    let json = payload(&snapshot);
    let collected_at = time::OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(snapshot.collected_at_ms) * 1_000_000,
    )
    .expect("a valid time");
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    assert_eq!(
        json["CollectedAt"],
        collected_at.format(&format).expect("formatted")
    );
    assert_eq!(
        json["Instance"],
        json!({
            "Id": INSTANCE_ID,
            "Arn": format!("arn:aws:connect:eu-west-2:111122223333:instance/{INSTANCE_ID}"),
            "InstanceAlias": "example-centre", "IdentityManagementType": "CONNECT_MANAGED",
            "InstanceStatus": "ACTIVE", "CreatedTime": "2024-01-10T12:00:00.000Z",
            "InboundCallsEnabled": true, "OutboundCallsEnabled": true
        })
    );
    // The AGENT queue is filtered out by ListQueues' queueTypes=STANDARD.
    assert_eq!(json["Queues"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        json["Queues"][0],
        json!({
            "QueueId": "queue-0000", "QueueArn": arn("queue/queue-0000"), "Name": "Queue 0",
            "Description": "Queue number 0", "QueueType": "STANDARD", "Status": "ENABLED",
            "MaxContacts": 50
        })
    );
    assert_eq!(
        json["RoutingProfiles"],
        json!([
            { "RoutingProfileId": "profile-00", "RoutingProfileArn": arn("routing-profile/profile-00"),
              "Name": "Profile 0", "Description": "Routing profile 0",
              "DefaultOutboundQueueId": "queue-0000" },
            { "RoutingProfileId": "profile-01", "RoutingProfileArn": arn("routing-profile/profile-01"),
              "Name": "Profile 1", "Description": "Routing profile 1",
              "DefaultOutboundQueueId": "queue-0000" }
        ])
    );
    // Online users (every fifth) in queue-0000 of 3: user-0000 and user-0015.
    assert_eq!(json["QueueMetrics"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        json["QueueMetrics"][0],
        json!({
            "QueueId": "queue-0000", "QueueArn": arn("queue/queue-0000"), "Channel": "VOICE",
            "Metrics": { "CONTACTS_IN_QUEUE": 1, "OLDEST_CONTACT_AGE": 40.5, "AGENTS_ONLINE": 2,
                         "AGENTS_AVAILABLE": 1, "AGENTS_ON_CONTACT": 1,
                         "AGENTS_AFTER_CONTACT_WORK": 0 }
        })
    );
    assert_eq!(json["QueueMetrics"][1]["Channel"], "CHAT");
    assert_eq!(json["QueueMetrics"][1]["Metrics"]["CONTACTS_IN_QUEUE"], 0);
    assert_eq!(json["UserData"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        json["UserData"][0],
        json!({
            "UserId": "user-0000", "UserArn": arn("agent/user-0000"),
            "Status": { "StatusName": "Busy", "StatusStartTimestamp": "2025-03-04T09:00:03.517Z" },
            "RoutingProfileId": "profile-00", "ContactCount": 1,
            "AvailableSlotsByChannel": { "VOICE": 0, "CHAT": 3 },
            "MaxSlotsByChannel": { "VOICE": 1, "CHAT": 3 }
        })
    );
    assert_eq!(json["UserData"][1]["UserId"], "user-0005");
    assert_eq!(json["UserData"][1]["ContactCount"], 0);

    // The stand-in sends email, mobile, phone configuration and tags; none may leak.
    let text = String::from_utf8(snapshot.snapshot.to_json_bytes()).expect("UTF-8");
    for private in [
        "@example.com",
        "+447700900",
        "PhoneConfig",
        "Email",
        "Mobile",
        "Tags",
    ] {
        assert!(!text.contains(private), "snapshot carries {private}");
    }
}

#[tokio::test]
async fn every_third_call_throttled_still_collects_everything() {
    let clean = ConnectStandIn::start(Directory::generate(30, 2, 1)).await;
    let throttling = ConnectStandIn::start(Directory::generate(30, 2, 1)).await;
    throttling.throttle_every(3);
    // Enough attempts that no call can be unlucky five times in a row.
    let settings = CollectorSettings {
        max_attempts: 10,
        ..fast_settings()
    };
    let mut baseline = Collector::new(clean.client(), settings.clone()).expect("settings");
    let mut collector = Collector::new(throttling.client(), settings).expect("settings");

    let expected = collect_once(&mut baseline).await;
    let mut snapshot = collect_once(&mut collector).await;

    // 39 calls must succeed (1 + 1 + 1 + 1 + 2 queues + 1 + 1 profile + 1 + 30 users);
    // with every third request refused that takes 58 requests, 19 of them throttled.
    assert_eq!(baseline.calls_made(), 39);
    assert_eq!(throttling.total_calls(), 58);
    assert_eq!(throttling.throttled(), 19);
    assert_eq!(collector.calls_made(), 58);
    assert_eq!(snapshot.errors, []);
    snapshot.snapshot.collected_at = expected.snapshot.collected_at.clone();
    assert_eq!(snapshot.snapshot, expected.snapshot);
}

#[tokio::test]
async fn five_hundred_users_fit_a_five_minute_schedule_and_the_next_run_reuses_the_cache() {
    let standin = ConnectStandIn::start(Directory::generate(500, 5, 2)).await;
    let rate = 2.0 * f64::from(K);
    // Amazon Connect's limit, scaled: 2·K requests per second, with a small burst.
    standin.limit_rate(rate, 5.0);
    let settings = CollectorSettings {
        requests_per_second: rate,
        ..CollectorSettings::default()
    };
    let mut collector = Collector::new(standin.client(), settings).expect("settings");

    let started = Instant::now();
    let first = collect_once(&mut collector).await;
    let elapsed = started.elapsed();

    assert!(
        elapsed < Duration::from_secs(300) / K,
        "first run took {elapsed:?}"
    );
    assert_eq!(standin.violations(), 0);
    assert_eq!(first.errors, []);
    assert_eq!(first.snapshot.users.len(), 500);
    // 1 DescribeInstance + 1 ListQueues + 1 GetCurrentMetricData + 1 GetCurrentUserData
    // (100 online users, one page) + 5 DescribeQueue + 1 ListRoutingProfiles
    // + 2 DescribeRoutingProfile + 1 ListUsers (page size 1000) + 500 DescribeUser.
    assert_eq!(collector.calls_made(), 513);
    assert_eq!(standin.total_calls(), 513);

    standin.reset_counts();
    let second = collect_once(&mut collector).await;

    let expected_calls = counts(&[
        ("DescribeInstance", 1),
        ("ListQueues", 1),
        ("GetCurrentMetricData", 1),
        ("GetCurrentUserData", 1),
        ("ListRoutingProfiles", 1),
        ("ListUsers", 1),
    ]);
    assert_eq!(standin.calls_by_operation(), expected_calls);
    assert_eq!(collector.calls_made(), 513 + 6);
    assert_eq!(standin.violations(), 0);
    assert_eq!(second.snapshot.users, first.snapshot.users);
    assert_eq!(second.snapshot.queues, first.snapshot.queues);
    assert_eq!(
        second.snapshot.routing_profiles,
        first.snapshot.routing_profiles
    );
}

#[tokio::test]
async fn collector_faster_than_the_limit_is_refused_by_the_standin() {
    let standin = ConnectStandIn::start(Directory::generate(100, 2, 1)).await;
    let rate = 2.0 * f64::from(K);
    standin.limit_rate(rate, 5.0);
    let settings = CollectorSettings {
        requests_per_second: 4.0 * rate,
        backoff_base: Duration::from_millis(5),
        ..CollectorSettings::default()
    };
    let mut collector = Collector::new(standin.client(), settings).expect("settings");

    collect_once(&mut collector).await;

    assert!(
        standin.violations() > 0,
        "a collector at 4x the limit was never refused"
    );
}

#[tokio::test]
async fn modified_user_is_described_again_and_deleted_user_disappears() {
    let standin = ConnectStandIn::start(Directory::generate(20, 2, 1)).await;
    let mut collector = Collector::new(standin.client(), fast_settings()).expect("settings");
    collect_once(&mut collector).await;

    standin.modify_user("user-0007", |user| user.last_name = "Renamed".to_owned());
    standin.delete_user("user-0012");
    standin.reset_counts();
    let snapshot = collect_once(&mut collector).await;

    assert_eq!(standin.calls("DescribeUser"), 1);
    assert_eq!(standin.calls("DescribeQueue"), 0);
    assert_eq!(standin.calls("DescribeRoutingProfile"), 0);
    let expected_ids: Vec<String> = (0..20)
        .filter(|i| *i != 12)
        .map(|i| format!("user-{i:04}"))
        .collect();
    assert_eq!(user_ids(&snapshot), expected_ids);
    assert_eq!(
        payload(&snapshot)["Users"][7],
        json!({
            "Id": "user-0007", "Arn": arn("agent/user-0007"), "Username": "agent0007",
            "IdentityInfo": { "FirstName": "First7", "LastName": "Renamed" },
            "RoutingProfileId": "profile-00"
        })
    );
    assert_eq!(snapshot.errors, []);
}

#[tokio::test]
async fn failing_describe_queue_is_reported_and_described_on_the_next_run() {
    let standin = ConnectStandIn::start(Directory::generate(10, 3, 1)).await;
    standin.fail("DescribeQueue", "queue-0001");
    let mut collector = Collector::new(standin.client(), fast_settings()).expect("settings");

    let first = collect_once(&mut collector).await;

    let message =
        "DescribeQueue: HTTP 500 InternalServiceException: Something went wrong (attempts: 5)";
    assert_eq!(first.errors, [error("DescribeQueue queue-0001", message)]);
    assert_eq!(first.snapshot.errors, first.errors);
    assert_eq!(standin.calls("DescribeQueue"), 2 + 5);
    let json = payload(&first);
    assert_eq!(
        json["Queues"][1],
        json!({
            "QueueId": "queue-0001", "QueueArn": arn("queue/queue-0001"), "Name": "Queue 1",
            "QueueType": "STANDARD"
        })
    );
    assert_eq!(json["Queues"][2]["MaxContacts"], 52);
    assert_eq!(first.snapshot.users.len(), 10);
    assert_eq!(first.snapshot.queue_metrics.len(), 6);

    standin.heal();
    standin.reset_counts();
    let second = collect_once(&mut collector).await;

    assert_eq!(standin.calls("DescribeQueue"), 1);
    assert_eq!(second.errors, []);
    assert_eq!(
        payload(&second)["Queues"][1],
        json!({
            "QueueId": "queue-0001", "QueueArn": arn("queue/queue-0001"), "Name": "Queue 1",
            "Description": "Queue number 1", "QueueType": "STANDARD", "Status": "ENABLED",
            "MaxContacts": 51
        })
    );
}

#[tokio::test]
async fn failing_describe_instance_still_yields_a_snapshot() {
    let standin = ConnectStandIn::start(Directory::generate(10, 2, 1)).await;
    standin.fail("DescribeInstance", INSTANCE_ID);
    let mut collector = Collector::new(standin.client(), fast_settings()).expect("settings");

    let snapshot = collect_once(&mut collector).await;

    let message =
        "DescribeInstance: HTTP 500 InternalServiceException: Something went wrong (attempts: 5)";
    assert_eq!(snapshot.errors, [error("DescribeInstance", message)]);
    assert_eq!(snapshot.snapshot.instance, None);
    assert_eq!(payload(&snapshot).get("Instance"), None);
    assert_eq!(snapshot.snapshot.users.len(), 10);
    assert_eq!(snapshot.snapshot.queues.len(), 2);
}

#[tokio::test]
async fn full_refresh_describes_everything_again() {
    let standin = ConnectStandIn::start(Directory::generate(10, 2, 1)).await;
    let settings = CollectorSettings {
        full_refresh: Duration::ZERO,
        ..fast_settings()
    };
    let mut collector = Collector::new(standin.client(), settings).expect("settings");
    collect_once(&mut collector).await;
    standin.reset_counts();

    collect_once(&mut collector).await;

    assert_eq!(standin.calls("DescribeUser"), 10);
    assert_eq!(standin.calls("DescribeQueue"), 2);
    assert_eq!(standin.calls("DescribeRoutingProfile"), 1);
}

#[tokio::test]
async fn metrics_for_more_than_a_hundred_queues_are_requested_in_chunks() {
    let standin = ConnectStandIn::start(Directory::generate(10, 150, 1)).await;
    let mut collector = Collector::new(standin.client(), fast_settings()).expect("settings");

    let snapshot = collect_once(&mut collector).await;

    // 100 queues x 2 channels = 200 results in two pages of 100, then 50 x 2 in one.
    assert_eq!(standin.calls("GetCurrentMetricData"), 3);
    // One request per chunk of queues; user-0000 and user-0005 are in the first chunk.
    assert_eq!(standin.calls("GetCurrentUserData"), 2);
    assert_eq!(standin.calls("ListQueues"), 2);
    assert_eq!(snapshot.errors, []);
    assert_eq!(snapshot.snapshot.queues.len(), 150);
    assert_eq!(snapshot.snapshot.queue_metrics.len(), 300);
    assert_eq!(snapshot.snapshot.user_data.len(), 2);
    let last = &snapshot.snapshot.queue_metrics[299];
    assert_eq!(last.queue_id.as_deref(), Some("queue-0149"));
    assert_eq!(last.channel.as_deref(), Some("CHAT"));
}

#[tokio::test]
async fn passed_deadline_yields_a_snapshot_of_errors_without_calls() {
    let standin = ConnectStandIn::start(Directory::generate(10, 2, 1)).await;
    let mut collector = Collector::new(standin.client(), fast_settings()).expect("settings");

    let snapshots = collector.collect(&instance_ids(), Instant::now()).await;

    assert_eq!(standin.total_calls(), 0);
    assert_eq!(collector.calls_made(), 0);
    let late = |operation: &str| {
        error(
            operation,
            &format!("{operation}: deadline reached (attempts: 0)"),
        )
    };
    let expected = [
        late("DescribeInstance"),
        late("ListQueues"),
        error(
            "QueueMetrics",
            "QueueMetrics: skipped because ListQueues failed",
        ),
        error("UserData", "UserData: skipped because ListQueues failed"),
        late("ListRoutingProfiles"),
        late("ListUsers"),
    ];
    assert_eq!(snapshots[0].errors, expected);
    assert_eq!(snapshots[0].snapshot.instance, None);
    assert_eq!(snapshots[0].snapshot.users, []);
}

#[tokio::test]
async fn settings_out_of_range_are_rejected() {
    let standin = ConnectStandIn::start(Directory::generate(1, 1, 1)).await;
    let zero_rate = CollectorSettings {
        requests_per_second: 0.0,
        ..CollectorSettings::default()
    };
    let big_page = CollectorSettings {
        list_page_size: 1001,
        ..CollectorSettings::default()
    };

    let rate_error = Collector::new(standin.client(), zero_rate)
        .err()
        .map(|e| e.to_string());
    let page_error = Collector::new(standin.client(), big_page)
        .err()
        .map(|e| e.to_string());

    let rate_message = "requests_per_second must be positive and finite, got 0";
    assert_eq!(rate_error.as_deref(), Some(rate_message));
    assert_eq!(
        page_error.as_deref(),
        Some("list_page_size must be 1 to 1000, got 1001")
    );
}
