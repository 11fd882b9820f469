//! `connect-rt`: the local command line (see `connect_rt::cli`).

/// The same allocator as the Lambda binary (see `bootstrap.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    connect_rt::cli::main()
}
