//! The Lambda entry point, built inside the test crate so that tests can run it as a process
//! (`CARGO_BIN_EXE_lambda-bootstrap`): the same code as `host/src/bin/bootstrap.rs`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    connect_rt::lambda::run().await
}
