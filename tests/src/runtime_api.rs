//! A local stand-in for the Lambda Runtime API (`/2018-06-01/runtime/...`), so the real Lambda
//! binary can run as a process on loopback: the test queues invocations and reads the
//! function's responses or errors.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::sync::{Notify, mpsc};

/// What the function answered to one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Response {
        request_id: String,
        body: serde_json::Value,
    },
    Error {
        request_id: String,
        body: serde_json::Value,
    },
    InitError {
        body: serde_json::Value,
    },
}

struct State {
    pending: Mutex<VecDeque<(String, Vec<u8>)>>,
    arrived: Notify,
    answers: mpsc::UnboundedSender<Answer>,
}

/// The running stand-in.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    state: Arc<State>,
    answers: mpsc::UnboundedReceiver<Answer>,
}

impl RuntimeApi {
    /// Starts listening on 127.0.0.1 (on the current tokio runtime).
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (tx, rx) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            pending: Mutex::default(),
            arrived: Notify::new(),
            answers: tx,
        });

        let serving = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = serving.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| serve(state.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            state,
            answers: rx,
        }
    }

    /// Queues an invocation with `payload`.
    pub fn invoke(&self, request_id: &str, payload: Vec<u8>) {
        self.state
            .pending
            .lock()
            .unwrap()
            .push_back((request_id.to_owned(), payload));
        self.state.arrived.notify_one();
    }

    /// The next answer, or `None` if none comes within `timeout`.
    pub async fn answer(&mut self, timeout: Duration) -> Option<Answer> {
        tokio::time::timeout(timeout, self.answers.recv())
            .await
            .ok()
            .flatten()
    }
}

async fn serve(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let json = || serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);

    if path == "/2018-06-01/runtime/invocation/next" {
        return Ok(next_invocation(&state).await);
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let answer = match parts.as_slice() {
        ["2018-06-01", "runtime", "invocation", id, "response"] => Answer::Response {
            request_id: (*id).to_owned(),
            body: json(),
        },
        ["2018-06-01", "runtime", "invocation", id, "error"] => Answer::Error {
            request_id: (*id).to_owned(),
            body: json(),
        },
        ["2018-06-01", "runtime", "init", "error"] => Answer::InitError { body: json() },
        _ => return Ok(status(404)),
    };
    let _ = state.answers.send(answer);
    Ok(status(202))
}

async fn next_invocation(state: &State) -> Response<Full<Bytes>> {
    loop {
        let notified = state.arrived.notified();
        if let Some((id, payload)) = state.pending.lock().unwrap().pop_front() {
            let deadline = std::time::SystemTime::now() + Duration::from_secs(30);
            let deadline_ms = deadline
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis();
            return Response::builder()
                .header("Lambda-Runtime-Aws-Request-Id", id)
                .header("Lambda-Runtime-Deadline-Ms", deadline_ms.to_string())
                .header(
                    "Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:eu-west-2:111122223333:function:connect-rt",
                )
                .header(
                    "Lambda-Runtime-Trace-Id",
                    "Root=1-00000000-000000000000000000000000",
                )
                .body(Full::new(Bytes::from(payload)))
                .expect("a valid response");
        }
        notified.await;
    }
}

fn status(code: u16) -> Response<Full<Bytes>> {
    Response::builder()
        .status(code)
        .body(Full::new(Bytes::new()))
        .expect("a valid response")
}
