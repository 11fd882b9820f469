//! The `connect-rt` command line, built inside the test crate so that tests can run it as a
//! process beside the guests built for them (`CARGO_BIN_EXE_connect-rt-cli`): the same code as
//! `host/src/bin/connect-rt.rs`.

/// The command line's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    connect_rt::cli::main()
}
