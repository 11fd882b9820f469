//! Loopback stand-ins for AWS services that speak the real awsJson1_0 wire protocol, so the
//! real SDK clients can be tested against scripted behaviour.
//!
//! A [`StandIn`] listens on `127.0.0.1:0` over plain HTTP, and optionally over TLS with a
//! certificate made at test time (for Timestream's endpoint discovery, whose client always
//! dials `https://`). Every request is recorded as a [`Call`]; a handler decides each
//! [`Reply`]. [`sdk_config`] builds an `SdkConfig` whose HTTP client trusts that certificate.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sqs::config::Credentials;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct Call {
    /// The `X-Amz-Target` header, e.g. `Timestream_20181101.WriteRecords`.
    pub target: String,
    /// The operation: the part of the target after the dot.
    pub operation: String,
    pub body: Value,
    /// True when the request came over the TLS listener.
    pub tls: bool,
}

/// The stand-in's answer to one call.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl Reply {
    /// A 200 response with `body`.
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body,
            delay: Duration::ZERO,
        }
    }

    /// The same reply, sent after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// An awsJson1_0 error: `__type` names the error shape, `fields` adds its members.
    pub fn error(status: u16, error_type: &str, message: &str, fields: Value) -> Self {
        let mut body = serde_json::json!({ "__type": error_type, "message": message });
        if let (Some(body), Value::Object(fields)) = (body.as_object_mut(), fields) {
            body.extend(fields);
        }
        Self {
            status,
            body,
            delay: Duration::ZERO,
        }
    }
}

/// Decides a reply from the call and how many calls of the same operation came before it.
pub type Handler = Arc<dyn Fn(&Call, usize) -> Reply + Send + Sync>;

/// Listeners bound but not serving yet, so a handler can be built knowing their addresses.
pub struct Binding {
    plain: TcpListener,
    tls: Option<(TcpListener, TlsAcceptor)>,
    ca_pem: Option<String>,
}

/// A running stand-in; it stops when dropped.
pub struct StandIn {
    pub addr: SocketAddr,
    pub tls_addr: Option<SocketAddr>,
    /// The PEM certificate the TLS listener presents (self-signed for 127.0.0.1).
    pub ca_pem: Option<String>,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

/// What the stand-in has seen, shared by its connections.
#[derive(Default)]
struct Shared {
    calls: Mutex<Vec<Call>>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: Mutex<(usize, usize)>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Binding {
    /// Binds a plain listener, and a TLS one when `with_tls`.
    pub async fn new(with_tls: bool) -> Self {
        let plain = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        if !with_tls {
            return Self {
                plain,
                tls: None,
                ca_pem: None,
            };
        }
        let (acceptor, pem) = test_tls_acceptor();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        Self {
            plain,
            tls: Some((listener, acceptor)),
            ca_pem: Some(pem),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.plain.local_addr().expect("bound")
    }

    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls
            .as_ref()
            .map(|(l, _)| l.local_addr().expect("bound"))
    }

    /// Starts serving every connection with `handler`.
    pub fn serve(self, handler: impl Fn(&Call, usize) -> Reply + Send + Sync + 'static) -> StandIn {
        let handler: Handler = Arc::new(handler);
        let shared = Arc::new(Shared::default());
        let (addr, tls_addr) = (self.addr(), self.tls_addr());

        let plain = accept_loop(self.plain, None, handler.clone(), shared.clone());
        let mut tasks = vec![tokio::spawn(plain)];
        if let Some((listener, acceptor)) = self.tls {
            tasks.push(tokio::spawn(accept_loop(
                listener,
                Some(acceptor),
                handler,
                shared.clone(),
            )));
        }
        StandIn {
            addr,
            tls_addr,
            ca_pem: self.ca_pem,
            shared,
            tasks,
        }
    }
}

impl StandIn {
    /// A plain-HTTP stand-in answering with `handler`.
    pub async fn start(handler: impl Fn(&Call, usize) -> Reply + Send + Sync + 'static) -> Self {
        Binding::new(false).await.serve(handler)
    }

    /// `http://127.0.0.1:PORT` of the plain listener.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every call so far, in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().expect("calls lock").clone()
    }

    /// The most requests that were being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.in_flight.lock().expect("in-flight lock").1
    }

    /// Calls of one operation, in arrival order.
    pub fn calls_of(&self, operation: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.operation == operation)
            .collect()
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    handler: Handler,
    shared: Arc<Shared>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (handler, shared, tls) = (handler.clone(), shared.clone(), tls.clone());
        tokio::spawn(async move {
            match tls {
                None => serve_connection(stream, false, handler, shared).await,
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        serve_connection(stream, true, handler, shared).await;
                    }
                }
            }
        });
    }
}

async fn serve_connection<S>(stream: S, tls: bool, handler: Handler, shared: Arc<Shared>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: Request<Incoming>| {
        let (handler, shared) = (handler.clone(), shared.clone());
        async move { Ok::<_, Infallible>(answer(request, tls, &handler, &shared).await) }
    });
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn answer(
    request: Request<Incoming>,
    tls: bool,
    handler: &Handler,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
    let call = Call {
        target,
        operation,
        body,
        tls,
    };

    let earlier = {
        let mut calls = shared.calls.lock().expect("calls lock");
        let earlier = calls
            .iter()
            .filter(|c| c.operation == call.operation)
            .count();
        calls.push(call.clone());
        earlier
    };
    let reply = handler(&call, earlier);

    {
        let mut in_flight = shared.in_flight.lock().expect("in-flight lock");
        in_flight.0 += 1;
        in_flight.1 = in_flight.1.max(in_flight.0);
    }
    tokio::time::sleep(reply.delay).await;
    shared.in_flight.lock().expect("in-flight lock").0 -= 1;
    Response::builder()
        .status(reply.status)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amzn-requestid", format!("standin-{earlier}"))
        .body(Full::new(Bytes::from(reply.body.to_string())))
        .expect("a valid response")
}

/// A TLS acceptor with a self-signed certificate for 127.0.0.1 and localhost, and that
/// certificate as PEM for the client's trust store.
fn test_tls_acceptor() -> (TlsAcceptor, String) {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).expect("generate a certificate");
    let key = pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("default protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("a certificate and its key");
    (TlsAcceptor::from(Arc::new(config)), certified.cert.pem())
}

/// An `SdkConfig` as a deployment would load it, pointed at `endpoint_url`, with test
/// credentials, and an HTTP client that trusts `ca_pem` (and nothing else) for HTTPS.
pub async fn sdk_config(endpoint_url: &str, ca_pem: Option<&str>) -> SdkConfig {
    let mut trust = TrustStore::empty();
    if let Some(pem) = ca_pem {
        trust = trust.with_pem_certificate(pem.as_bytes());
    }
    let tls = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context");
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls)
        .build_https();

    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDSTANDIN",
            "standin-secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint_url)
        .http_client(http_client)
        .load()
        .await
}

/// A loopback URL nothing listens on: the port was bound and released.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound");
    drop(listener);
    format!("http://{addr}")
}
