//! A loopback stand-in for the Amazon Connect API, so the real `aws-sdk-connect` client can be
//! tested over real HTTP on 127.0.0.1.
//!
//! It speaks restJson1 as the SDK's serializers and deserializers expect (paths such as
//! `GET /users-summary/{InstanceId}` with `maxResults` and `nextToken` in the query,
//! `POST /metrics/current/{InstanceId}` with a JSON body, timestamps as epoch seconds, errors
//! named by the `x-amzn-ErrorType` header) and serves a [`Directory`] held in memory. It
//! counts requests per operation and can misbehave on purpose: throttle every n-th request,
//! fail one resource with HTTP 500, and enforce a request rate with a token bucket (as
//! Amazon Connect does), recording every request that exceeded it.

#![allow(dead_code, reason = "each test uses a different part of the stand-in")]

use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_connect::config::{BehaviorVersion, Credentials, Region};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The instance every generated directory belongs to.
pub const INSTANCE_ID: &str = "5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11";

const ACCOUNT_ARN: &str = "arn:aws:connect:eu-west-2:111122223333";

/// Page size when a request names none (Amazon Connect's default for list calls).
const DEFAULT_PAGE_SIZE: usize = 100;

/// Most results, and most queue ids in a filter, the metric calls accept.
const METRIC_LIMIT: usize = 100;

/// A queue the stand-in serves.
#[derive(Debug, Clone)]
pub struct Queue {
    pub id: String,
    pub name: String,
    pub description: String,
    pub queue_type: &'static str,
    pub max_contacts: i64,
    pub last_modified: f64,
}

/// A routing profile the stand-in serves.
#[derive(Debug, Clone)]
pub struct RoutingProfile {
    pub id: String,
    pub name: String,
    pub description: String,
    pub default_outbound_queue_id: String,
    pub last_modified: f64,
}

/// A user the stand-in serves, with the personal fields the collector must leave out.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mobile: String,
    pub routing_profile_id: String,
    pub hierarchy_group_id: Option<String>,
    /// The queue whose agents GetCurrentUserData lists this user under.
    pub queue_id: String,
    /// Logged in, so GetCurrentUserData returns the user.
    pub online: bool,
    pub last_modified: f64,
}

/// Everything one instance holds.
#[derive(Debug, Clone)]
pub struct Directory {
    pub queues: Vec<Queue>,
    pub routing_profiles: Vec<RoutingProfile>,
    pub users: Vec<User>,
}

impl Directory {
    /// `queues` STANDARD queues (plus one AGENT queue that ListQueues must filter out),
    /// `profiles` routing profiles and `users` users, all derived from their index:
    /// user `i` is `user-{i:04}` in routing profile `i % profiles`, queue `i % queues`,
    /// in hierarchy group `group-a` when `i` is even, and online when `i % 5 == 0`.
    pub fn generate(users: usize, queues: usize, profiles: usize) -> Self {
        let mut all_queues: Vec<Queue> = (0..queues).map(standard_queue).collect();
        all_queues.push(Queue {
            id: "agent-queue-0000".to_owned(),
            name: "agent0000".to_owned(),
            description: "Agent queue".to_owned(),
            queue_type: "AGENT",
            max_contacts: 1,
            last_modified: 1_736_400_000.0,
        });
        Self {
            queues: all_queues,
            routing_profiles: (0..profiles).map(routing_profile).collect(),
            users: (0..users)
                .map(|i| user(i, queues.max(1), profiles.max(1)))
                .collect(),
        }
    }

    fn standard_queues(&self) -> impl Iterator<Item = &Queue> {
        self.queues
            .iter()
            .filter(|queue| queue.queue_type == "STANDARD")
    }
}

fn standard_queue(i: usize) -> Queue {
    Queue {
        id: format!("queue-{i:04}"),
        name: format!("Queue {i}"),
        description: format!("Queue number {i}"),
        queue_type: "STANDARD",
        max_contacts: 50 + i as i64,
        last_modified: 1_736_500_000.0 + i as f64,
    }
}

fn routing_profile(i: usize) -> RoutingProfile {
    RoutingProfile {
        id: format!("profile-{i:02}"),
        name: format!("Profile {i}"),
        description: format!("Routing profile {i}"),
        default_outbound_queue_id: "queue-0000".to_owned(),
        last_modified: 1_736_300_000.0 + i as f64,
    }
}

fn user(i: usize, queues: usize, profiles: usize) -> User {
    User {
        id: format!("user-{i:04}"),
        username: format!("agent{i:04}"),
        first_name: format!("First{i}"),
        last_name: format!("Last{i}"),
        email: format!("agent{i:04}@example.com"),
        mobile: format!("+447700900{:03}", i % 1000),
        routing_profile_id: format!("profile-{:02}", i % profiles),
        hierarchy_group_id: i.is_multiple_of(2).then(|| "group-a".to_owned()),
        queue_id: format!("queue-{:04}", i % queues),
        online: i.is_multiple_of(5),
        last_modified: 1_736_000_000.0 + i as f64,
    }
}

/// The ARN of a resource of the stand-in's instance, e.g. `agent/user-0001`.
pub fn arn(resource: &str) -> String {
    format!("{ACCOUNT_ARN}:instance/{INSTANCE_ID}/{resource}")
}

/// A token bucket: `rate` tokens per second, at most `burst` saved up.
#[derive(Debug)]
struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

/// What the stand-in holds and has seen.
#[derive(Debug)]
struct State {
    directory: Directory,
    calls: BTreeMap<String, u64>,
    total: u64,
    throttle_every: Option<u64>,
    throttled: u64,
    failing: HashSet<(String, String)>,
    bucket: Option<TokenBucket>,
    violations: u64,
}

/// A running stand-in; it stops when dropped.
pub struct ConnectStandIn {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for ConnectStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ConnectStandIn {
    /// Serves `directory` on `127.0.0.1` at a free port.
    pub async fn start(directory: Directory) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("bound");
        let state = Arc::new(Mutex::new(State {
            directory,
            calls: BTreeMap::new(),
            total: 0,
            throttle_every: None,
            throttled: 0,
            failing: HashSet::new(),
            bucket: None,
            violations: 0,
        }));
        let task = tokio::spawn(accept_loop(listener, state.clone()));
        Self { addr, state, task }
    }

    /// The stand-in's base URL, for clients configured elsewhere (e.g. the Lambda's
    /// `CONNECT_ENDPOINT`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A real Amazon Connect client pointed at the stand-in.
    pub fn client(&self) -> aws_sdk_connect::Client {
        let credentials = Credentials::new("AKIDSTANDIN", "standin-secret", None, None, "test");
        let config = aws_sdk_connect::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-2"))
            .endpoint_url(format!("http://{}", self.addr))
            .credentials_provider(credentials)
            .build();
        aws_sdk_connect::Client::from_conf(config)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("stand-in state")
    }

    /// Requests of one operation (e.g. `DescribeUser`) since the last reset.
    pub fn calls(&self, operation: &str) -> u64 {
        self.state().calls.get(operation).copied().unwrap_or(0)
    }

    /// Requests per operation since the last reset.
    pub fn calls_by_operation(&self) -> BTreeMap<String, u64> {
        self.state().calls.clone()
    }

    /// All requests since the last reset.
    pub fn total_calls(&self) -> u64 {
        self.state().total
    }

    /// Forgets the request counts (the throttling pattern starts over too).
    pub fn reset_counts(&self) {
        let mut state = self.state();
        state.calls.clear();
        state.total = 0;
        state.throttled = 0;
    }

    /// Answers every `n`-th request (counted since the last reset) with 429.
    pub fn throttle_every(&self, n: u64) {
        self.state().throttle_every = Some(n);
    }

    /// Requests answered with 429 by [`Self::throttle_every`].
    pub fn throttled(&self) -> u64 {
        self.state().throttled
    }

    /// Answers `operation` on resource `id` with HTTP 500 until [`Self::heal`].
    pub fn fail(&self, operation: &str, id: &str) {
        self.state()
            .failing
            .insert((operation.to_owned(), id.to_owned()));
    }

    /// Stops every failure set with [`Self::fail`].
    pub fn heal(&self) {
        self.state().failing.clear();
    }

    /// Enforces `rate` requests per second with a burst of `burst`: a request finding the
    /// bucket empty is answered 429 and counted as a violation.
    pub fn limit_rate(&self, rate: f64, burst: f64) {
        self.state().bucket = Some(TokenBucket {
            rate,
            burst,
            tokens: burst,
            at: Instant::now(),
        });
    }

    /// Requests that exceeded the rate limit.
    pub fn violations(&self) -> u64 {
        self.state().violations
    }

    /// Changes a user as an administrator would; its `LastModifiedTime` moves on.
    pub fn modify_user(&self, id: &str, change: impl FnOnce(&mut User)) {
        let mut state = self.state();
        let user = state.directory.users.iter_mut().find(|user| user.id == id);
        let user = user.expect("the user to modify exists");
        change(user);
        user.last_modified += 3600.0;
    }

    /// Deletes a user.
    pub fn delete_user(&self, id: &str) {
        self.state().directory.users.retain(|user| user.id != id);
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(answer(request, &state).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// One request as the stand-in understands it.
struct Call {
    operation: &'static str,
    /// The resource id in the path (user, queue, routing profile or instance).
    resource: String,
    instance_id: String,
    query: BTreeMap<String, String>,
    body: Value,
}

/// The stand-in's answer: status, error type (for `x-amzn-ErrorType`) and JSON body.
struct Answer {
    status: u16,
    error_type: Option<&'static str>,
    body: Value,
}

impl Answer {
    fn ok(body: Value) -> Self {
        Self {
            status: 200,
            error_type: None,
            body,
        }
    }

    fn error(status: u16, error_type: &'static str, message: &str) -> Self {
        Self {
            status,
            error_type: Some(error_type),
            body: json!({ "message": message }),
        }
    }
}

async fn answer(request: Request<Incoming>, state: &Mutex<State>) -> Response<Full<Bytes>> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = parse_query(request.uri().query().unwrap_or(""));
    let bytes = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);

    let reply = match route(&method, &path, query, body) {
        Some(call) => handle(&call, &mut state.lock().expect("stand-in state")),
        None => Answer::error(
            404,
            "UnknownOperationException",
            &format!("{method} {path}"),
        ),
    };
    respond(reply)
}

fn respond(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::builder()
        .status(answer.status)
        .header("content-type", "application/json");
    if let Some(error_type) = answer.error_type {
        response = response.header("x-amzn-ErrorType", error_type);
    }
    let body = Full::new(Bytes::from(answer.body.to_string()));
    response.body(body).expect("a valid response")
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    let pairs = query.split('&').filter(|pair| !pair.is_empty());
    let split = pairs.map(|pair| pair.split_once('=').unwrap_or((pair, "")));
    split
        .map(|(key, value)| (percent_decode(key), percent_decode(value)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        let escaped = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], escaped) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Maps a restJson1 request to its operation, as the SDK's serializers build the paths.
fn route(
    method: &Method,
    path: &str,
    query: BTreeMap<String, String>,
    body: Value,
) -> Option<Call> {
    let segments: Vec<String> = path.split('/').skip(1).map(percent_decode).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (operation, instance_id, resource) = match (method, segments.as_slice()) {
        (&Method::GET, ["instance", instance]) => ("DescribeInstance", *instance, *instance),
        (&Method::GET, ["queues-summary", instance]) => ("ListQueues", *instance, ""),
        (&Method::GET, ["queues", instance, id]) => ("DescribeQueue", *instance, *id),
        (&Method::GET, ["routing-profiles-summary", instance]) => {
            ("ListRoutingProfiles", *instance, "")
        }
        (&Method::GET, ["routing-profiles", instance, id]) => {
            ("DescribeRoutingProfile", *instance, *id)
        }
        (&Method::GET, ["users-summary", instance]) => ("ListUsers", *instance, ""),
        (&Method::GET, ["users", instance, id]) => ("DescribeUser", *instance, *id),
        (&Method::POST, ["metrics", "current", instance]) => {
            ("GetCurrentMetricData", *instance, "")
        }
        (&Method::POST, ["metrics", "userdata", instance]) => ("GetCurrentUserData", *instance, ""),
        _ => return None,
    };
    Some(Call {
        operation,
        resource: resource.to_owned(),
        instance_id: instance_id.to_owned(),
        query,
        body,
    })
}

/// Counts the call, applies the rate limit and the chosen faults, then serves it.
fn handle(call: &Call, state: &mut State) -> Answer {
    *state.calls.entry(call.operation.to_owned()).or_default() += 1;
    state.total += 1;

    let within_rate = state.bucket.as_mut().is_none_or(TokenBucket::take);
    if !within_rate {
        state.violations += 1;
        return Answer::error(429, "TooManyRequestsException", "Rate exceeded");
    }
    if state
        .throttle_every
        .is_some_and(|n| state.total.is_multiple_of(n))
    {
        state.throttled += 1;
        return Answer::error(429, "TooManyRequestsException", "Rate exceeded");
    }
    let failing = (call.operation.to_owned(), call.resource.clone());
    if state.failing.contains(&failing) {
        return Answer::error(500, "InternalServiceException", "Something went wrong");
    }
    if call.instance_id != INSTANCE_ID {
        return not_found("instance", &call.instance_id);
    }
    serve(call, &state.directory)
}

fn serve(call: &Call, directory: &Directory) -> Answer {
    match call.operation {
        "DescribeInstance" => Answer::ok(json!({ "Instance": instance() })),
        "ListQueues" => list_queues(call, directory),
        "DescribeQueue" => describe_queue(call, directory),
        "ListRoutingProfiles" => list_routing_profiles(call, directory),
        "DescribeRoutingProfile" => describe_routing_profile(call, directory),
        "ListUsers" => list_users(call, directory),
        "DescribeUser" => describe_user(call, directory),
        "GetCurrentMetricData" => current_metric_data(call, directory),
        "GetCurrentUserData" => current_user_data(call, directory),
        other => Answer::error(400, "InvalidRequestException", other),
    }
}

fn not_found(kind: &str, id: &str) -> Answer {
    Answer::error(
        404,
        "ResourceNotFoundException",
        &format!("{kind} {id} not found"),
    )
}

fn instance() -> Value {
    json!({
        "Id": INSTANCE_ID,
        "Arn": format!("{ACCOUNT_ARN}:instance/{INSTANCE_ID}"),
        "InstanceAlias": "example-centre",
        "IdentityManagementType": "CONNECT_MANAGED",
        "InstanceStatus": "ACTIVE",
        "CreatedTime": 1_704_888_000.0,
        "ServiceRole": "arn:aws:iam::111122223333:role/aws-service-role/connect",
        "InboundCallsEnabled": true,
        "OutboundCallsEnabled": true,
        "InstanceAccessUrl": "https://example-centre.my.connect.aws"
    })
}

/// One page of `items` from the query's `nextToken` (an offset) and `maxResults`.
fn page(items: Vec<Value>, token: Option<&String>, size: Option<usize>) -> (Vec<Value>, Value) {
    let start = token
        .and_then(|t| t.strip_prefix("page-")?.parse().ok())
        .unwrap_or(0);
    let size = size.unwrap_or(DEFAULT_PAGE_SIZE).max(1);
    let end = (start + size).min(items.len());
    let next = if end < items.len() {
        json!(format!("page-{end}"))
    } else {
        Value::Null
    };
    (items.get(start..end).unwrap_or_default().to_vec(), next)
}

fn list_page(call: &Call, key: &str, items: Vec<Value>) -> Answer {
    let size = call.query.get("maxResults").and_then(|s| s.parse().ok());
    let (items, next) = page(items, call.query.get("nextToken"), size);
    let mut body = json!({ key: items });
    if !next.is_null() {
        body["NextToken"] = next;
    }
    Answer::ok(body)
}

fn list_queues(call: &Call, directory: &Directory) -> Answer {
    let wanted = call.query.get("queueTypes");
    let queues = directory.queues.iter();
    let matching = queues.filter(|queue| wanted.is_none_or(|kind| kind == queue.queue_type));
    let summaries = matching.map(|queue| {
        json!({
            "Id": queue.id, "Arn": arn(&format!("queue/{}", queue.id)), "Name": queue.name,
            "QueueType": queue.queue_type, "LastModifiedTime": queue.last_modified,
            "LastModifiedRegion": "eu-west-2"
        })
    });
    list_page(call, "QueueSummaryList", summaries.collect())
}

fn describe_queue(call: &Call, directory: &Directory) -> Answer {
    let Some(queue) = directory
        .queues
        .iter()
        .find(|queue| queue.id == call.resource)
    else {
        return not_found("queue", &call.resource);
    };
    Answer::ok(json!({ "Queue": {
        "Name": queue.name, "QueueArn": arn(&format!("queue/{}", queue.id)),
        "QueueId": queue.id, "Description": queue.description,
        "OutboundCallerConfig": { "OutboundCallerIdName": "Example" },
        "HoursOfOperationId": "hours-0001", "MaxContacts": queue.max_contacts,
        "Status": "ENABLED", "Tags": { "team": "support" },
        "LastModifiedTime": queue.last_modified, "LastModifiedRegion": "eu-west-2"
    }}))
}

fn list_routing_profiles(call: &Call, directory: &Directory) -> Answer {
    let summaries = directory.routing_profiles.iter().map(|profile| {
        json!({
            "Id": profile.id, "Arn": arn(&format!("routing-profile/{}", profile.id)),
            "Name": profile.name, "LastModifiedTime": profile.last_modified,
            "LastModifiedRegion": "eu-west-2"
        })
    });
    list_page(call, "RoutingProfileSummaryList", summaries.collect())
}

fn describe_routing_profile(call: &Call, directory: &Directory) -> Answer {
    let mut profiles = directory.routing_profiles.iter();
    let Some(profile) = profiles.find(|profile| profile.id == call.resource) else {
        return not_found("routing profile", &call.resource);
    };
    Answer::ok(json!({ "RoutingProfile": {
        "InstanceId": INSTANCE_ID, "Name": profile.name,
        "RoutingProfileArn": arn(&format!("routing-profile/{}", profile.id)),
        "RoutingProfileId": profile.id, "Description": profile.description,
        "MediaConcurrencies": [{ "Channel": "VOICE", "Concurrency": 1 }],
        "DefaultOutboundQueueId": profile.default_outbound_queue_id,
        "NumberOfAssociatedQueues": 1, "NumberOfAssociatedUsers": 10,
        "LastModifiedTime": profile.last_modified, "LastModifiedRegion": "eu-west-2",
        "IsDefault": false
    }}))
}

fn list_users(call: &Call, directory: &Directory) -> Answer {
    let summaries = directory.users.iter().map(|user| {
        json!({
            "Id": user.id, "Arn": arn(&format!("agent/{}", user.id)),
            "Username": user.username, "LastModifiedTime": user.last_modified,
            "LastModifiedRegion": "eu-west-2"
        })
    });
    list_page(call, "UserSummaryList", summaries.collect())
}

fn describe_user(call: &Call, directory: &Directory) -> Answer {
    let Some(user) = directory.users.iter().find(|user| user.id == call.resource) else {
        return not_found("user", &call.resource);
    };
    let mut described = json!({
        "Id": user.id, "Arn": arn(&format!("agent/{}", user.id)), "Username": user.username,
        "IdentityInfo": {
            "FirstName": user.first_name, "LastName": user.last_name,
            "Email": user.email, "Mobile": user.mobile
        },
        "PhoneConfig": {
            "PhoneType": "SOFT_PHONE", "AutoAccept": false,
            "AfterContactWorkTimeLimit": 30, "DeskPhoneNumber": user.mobile
        },
        "DirectoryUserId": format!("dir-{}", user.id),
        "SecurityProfileIds": ["security-agent"],
        "RoutingProfileId": user.routing_profile_id,
        "Tags": { "site": "leeds" },
        "LastModifiedTime": user.last_modified, "LastModifiedRegion": "eu-west-2"
    });
    if let Some(group) = &user.hierarchy_group_id {
        described["HierarchyGroupId"] = json!(group);
    }
    Answer::ok(json!({ "User": described }))
}

/// The queue ids of a metric request's `Filters.Queues`, or an error answer.
fn filter_queues(call: &Call) -> Result<Vec<String>, Answer> {
    let queues = call
        .body
        .pointer("/Filters/Queues")
        .and_then(Value::as_array);
    let ids: Vec<String> = queues
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if ids.is_empty() || ids.len() > METRIC_LIMIT {
        let message = format!("Filters.Queues must hold 1 to 100 ids, got {}", ids.len());
        return Err(Answer::error(400, "InvalidParameterException", &message));
    }
    Ok(ids)
}

fn metric_page_size(call: &Call) -> Result<usize, Answer> {
    let size = call
        .body
        .get("MaxResults")
        .and_then(Value::as_u64)
        .unwrap_or(100) as usize;
    if size == 0 || size > METRIC_LIMIT {
        let message = format!("MaxResults must be 1 to 100, got {size}");
        return Err(Answer::error(400, "InvalidParameterException", &message));
    }
    Ok(size)
}

fn body_token(call: &Call) -> Option<String> {
    call.body
        .get("NextToken")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The requested current metrics, checked for the units the API insists on.
fn requested_metrics(call: &Call) -> Result<Vec<String>, Answer> {
    let metrics = call.body.get("CurrentMetrics").and_then(Value::as_array);
    let mut names = Vec::new();
    for metric in metrics.into_iter().flatten() {
        let name = metric.get("Name").and_then(Value::as_str).unwrap_or("");
        let unit = metric.get("Unit").and_then(Value::as_str).unwrap_or("");
        let expected = if name == "OLDEST_CONTACT_AGE" {
            "SECONDS"
        } else {
            "COUNT"
        };
        if unit != expected {
            let message = format!("{name} needs unit {expected}, got {unit:?}");
            return Err(Answer::error(400, "InvalidParameterException", &message));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

fn current_metric_data(call: &Call, directory: &Directory) -> Answer {
    let checked = (
        filter_queues(call),
        metric_page_size(call),
        requested_metrics(call),
    );
    let (queue_ids, size, metrics) = match checked {
        (Ok(ids), Ok(size), Ok(metrics)) => (ids, size, metrics),
        (Err(answer), _, _) | (_, Err(answer), _) | (_, _, Err(answer)) => return answer,
    };
    let groupings = call.body.get("Groupings").cloned().unwrap_or(Value::Null);
    if groupings != json!(["QUEUE", "CHANNEL"]) {
        let message = format!("expected Groupings [QUEUE, CHANNEL], got {groupings}");
        return Answer::error(400, "InvalidParameterException", &message);
    }

    let channels = call
        .body
        .pointer("/Filters/Channels")
        .and_then(Value::as_array);
    let served = ["VOICE", "CHAT"].into_iter();
    let channels: Vec<&str> = served
        .filter(|channel| channels.is_none_or(|wanted| wanted.contains(&json!(channel))))
        .collect();
    let mut results = Vec::new();
    for id in &queue_ids {
        let Some(index) = directory
            .standard_queues()
            .position(|queue| &queue.id == id)
        else {
            continue;
        };
        for channel in &channels {
            results.push(metric_result(directory, index, id, channel, &metrics));
        }
    }

    let (results, next) = page(results, body_token(call).as_ref(), Some(size));
    let mut body = json!({
        "MetricResults": results, "DataSnapshotTime": 1_741_079_100.0,
        "ApproximateTotalCount": queue_ids.len() * channels.len()
    });
    if !next.is_null() {
        body["NextToken"] = next;
    }
    Answer::ok(body)
}

/// Metrics of the queue at `index` on `channel`: VOICE counts are the index-based values
/// below, CHAT has none waiting; OLDEST_CONTACT_AGE is fractional on VOICE.
fn metric_result(
    directory: &Directory,
    index: usize,
    id: &str,
    channel: &str,
    wanted: &[String],
) -> Value {
    let online = directory
        .users
        .iter()
        .filter(|u| u.online && u.queue_id == id)
        .count();
    let voice = channel == "VOICE";
    let value = |name: &str| -> f64 {
        match (name, voice) {
            ("CONTACTS_IN_QUEUE", true) => index as f64 + 1.0,
            ("OLDEST_CONTACT_AGE", true) => 40.0 + index as f64 + 0.5,
            ("CONTACTS_IN_QUEUE" | "OLDEST_CONTACT_AGE", false) => 0.0,
            ("AGENTS_ONLINE", _) => online as f64,
            ("AGENTS_AVAILABLE", _) => (online / 2) as f64,
            ("AGENTS_ON_CONTACT", _) => (online - online / 2) as f64,
            _ => 0.0,
        }
    };
    let collections: Vec<Value> = wanted
        .iter()
        .map(|name| {
            let unit = if name == "OLDEST_CONTACT_AGE" {
                "SECONDS"
            } else {
                "COUNT"
            };
            json!({ "Metric": { "Name": name, "Unit": unit }, "Value": value(name) })
        })
        .collect();
    json!({
        "Dimensions": {
            "Queue": { "Id": id, "Arn": arn(&format!("queue/{id}")) },
            "Channel": channel
        },
        "Collections": collections
    })
}

fn current_user_data(call: &Call, directory: &Directory) -> Answer {
    let (queue_ids, size) = match (filter_queues(call), metric_page_size(call)) {
        (Ok(ids), Ok(size)) => (ids, size),
        (Err(answer), _) | (_, Err(answer)) => return answer,
    };

    let users = directory
        .users
        .iter()
        .filter(|u| u.online && queue_ids.contains(&u.queue_id));
    let entries: Vec<Value> = users.map(user_data).collect();
    let total = entries.len();
    let (entries, next) = page(entries, body_token(call).as_ref(), Some(size));
    let mut body = json!({ "UserDataList": entries, "ApproximateTotalCount": total });
    if !next.is_null() {
        body["NextToken"] = next;
    }
    Answer::ok(body)
}

/// An online user's live state: on one VOICE contact when the index is a multiple of 10.
fn user_data(user: &User) -> Value {
    let index: usize = user.id.trim_start_matches("user-").parse().unwrap_or(0);
    let on_call = index.is_multiple_of(10);
    let contacts: Vec<Value> = if on_call {
        vec![
            json!({ "ContactId": format!("contact-{index}"), "Channel": "VOICE",
                     "AgentContactState": "CONNECTED" }),
        ]
    } else {
        Vec::new()
    };
    json!({
        "User": { "Id": user.id, "Arn": arn(&format!("agent/{}", user.id)) },
        "RoutingProfile": {
            "Id": user.routing_profile_id,
            "Arn": arn(&format!("routing-profile/{}", user.routing_profile_id))
        },
        "HierarchyPath": {},
        "Status": {
            "StatusStartTimestamp": 1_741_078_803.517,
            "StatusArn": arn("agent-state/available"),
            "StatusName": if on_call { "Busy" } else { "Available" }
        },
        "AvailableSlotsByChannel": { "VOICE": if on_call { 0 } else { 1 }, "CHAT": 3 },
        "MaxSlotsByChannel": { "VOICE": 1, "CHAT": 3 },
        "ActiveSlotsByChannel": { "VOICE": if on_call { 1 } else { 0 }, "CHAT": 0 },
        "Contacts": contacts
    })
}
