//! Hands the handler the invocation body exactly as the Runtime API sent it.
//!
//! lambda_runtime deserializes every body into the handler's payload type before the handler
//! runs. For a ~1 MB Kinesis batch even `Box<RawValue>` costs a validating pass and a copy
//! (~4 µs per agent event, a fifth of the whole path), and the handler then reads the body
//! again. [`RawBodyLayer`] runs before that step: it takes the body out of the invocation,
//! keeps it under the invocation's request id, and leaves `null` for lambda_runtime to
//! deserialize (into `IgnoredAny`). The handler takes the body back with [`RawBodies::take`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use lambda_runtime::LambdaInvocation;
use lambda_runtime::tower::{Layer, Service};

/// What lambda_runtime deserializes in place of the body.
const PLACEHOLDER: &[u8] = b"null";

/// Bodies taken out of invocations, by request id, until their handler takes them.
#[derive(Clone, Default)]
pub struct RawBodies {
    bodies: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl RawBodies {
    /// The body of invocation `request_id`, removed from the store.
    pub fn take(&self, request_id: &str) -> Option<Vec<u8>> {
        self.lock().remove(request_id)
    }

    fn put(&self, request_id: String, body: Vec<u8>) {
        self.lock().insert(request_id, body);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        // A panic while holding the lock leaves the map itself intact.
        self.bodies
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The layer that moves each invocation's body into [`RawBodies`].
pub struct RawBodyLayer {
    bodies: RawBodies,
}

impl RawBodyLayer {
    /// A layer storing bodies in `bodies`.
    pub fn new(bodies: RawBodies) -> Self {
        Self { bodies }
    }
}

impl<S> Layer<S> for RawBodyLayer {
    type Service = RawBody<S>;

    fn layer(&self, inner: S) -> RawBody<S> {
        RawBody {
            inner,
            bodies: self.bodies.clone(),
        }
    }
}

/// The service [`RawBodyLayer`] makes.
pub struct RawBody<S> {
    inner: S,
    bodies: RawBodies,
}

impl<S: Service<LambdaInvocation>> Service<LambdaInvocation> for RawBody<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut invocation: LambdaInvocation) -> S::Future {
        let body = std::mem::replace(&mut invocation.body, PLACEHOLDER.into());
        let request_id = invocation.context.request_id.clone();
        self.bodies.put(request_id, body.into());
        self.inner.call(invocation)
    }
}
