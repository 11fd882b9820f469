//! The Lambda entry point (`bootstrap`, as the `provided.al2023` runtime expects).

/// mimalloc rather than the system allocator: lifting a batch's records out of the guest makes
/// thousands of small strings, where glibc's malloc and free were ~15% of the agent event path.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    connect_rt::lambda::main().await
}
