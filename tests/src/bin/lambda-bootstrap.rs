//! The Lambda entry point, built inside the test crate so that tests can run it as a process
//! (`CARGO_BIN_EXE_lambda-bootstrap`): the same code as `host/src/bin/bootstrap.rs`.

/// The Lambda binary's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    connect_rt::lambda::main().await
}
