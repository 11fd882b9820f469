//! Builds every guest transform of the workspace as a `wasm32-wasip2` component and hands each
//! component's path to the test crate as a compile-time environment variable.
//!
//! The guests are built by a nested `cargo build --release` with its own target directory,
//! `target/wasm-guests`: a nested cargo on the outer build's target directory would wait
//! forever for the build lock the outer cargo holds. The nested cargo inherits the outer
//! one's jobserver, so the two together stay within the outer `-j`.

use std::env;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

/// Every guest crate: its package name and the variable that carries its component's path.
/// `tests/guests_built.rs` checks that no crate under `guest-transforms/` that builds a
/// `cdylib` is missing here; a library the guests share (`transform-kit`) is not a guest.
const GUESTS: &[(&str, &str)] = &[
    ("agent-events-transform", "GUEST_AGENT_EVENTS_WASM"),
    ("contact-events-transform", "GUEST_CONTACT_EVENTS_WASM"),
    ("instance-data-transform", "GUEST_INSTANCE_DATA_WASM"),
    ("fault-trap", "GUEST_FAULT_TRAP_WASM"),
    ("fault-spin", "GUEST_FAULT_SPIN_WASM"),
    ("fault-hog", "GUEST_FAULT_HOG_WASM"),
    ("fault-flood", "GUEST_FAULT_FLOOD_WASM"),
];

/// The target the guests are built for.
const WASM_TARGET: &str = "wasm32-wasip2";

/// Variables the outer build may carry that would change or break the guest build: flags
/// meant for the host (coverage tools put `-C instrument-coverage` here, which has no
/// wasm32 runtime), clippy's driver, and a target directory or target meant for the outer
/// build.
const CLEARED_VARS: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "LLVM_PROFILE_FILE",
];

/// Prefixes of further variables to clear: cargo-llvm-cov's own settings, and profile
/// overrides (`CARGO_PROFILE_RELEASE_DEBUG`, ...), so guests always build with the
/// workspace's release profile.
const CLEARED_PREFIXES: &[&str] = &["CARGO_LLVM_COV", "CARGO_PROFILE_"];

fn main() {
    let workspace = workspace_root();
    let target_dir = workspace.join("target").join("wasm-guests");
    let stamp = target_dir.join("connect-rt-tests.stamp");
    watch_inputs(&workspace, &stamp);

    require_wasm_target();
    build_guests(&workspace, &target_dir);

    for (package, var) in GUESTS {
        let component = component_path(&target_dir, package);
        println!("cargo::rustc-env={var}={}", component.display());
    }
    write_stamp(&stamp);
}

/// The workspace root: this crate's parent directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let tests_dir = PathBuf::from(manifest_dir);

    tests_dir
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Reruns this script when a guest, the contract or the dependency set changes, and when
/// `target/wasm-guests` is deleted (its stamp file then goes missing).
fn watch_inputs(workspace: &Path, stamp: &Path) {
    for input in ["wit", "guest-transforms", "Cargo.toml", "Cargo.lock"] {
        println!(
            "cargo::rerun-if-changed={}",
            workspace.join(input).display()
        );
    }
    println!("cargo::rerun-if-changed={}", stamp.display());
}

/// Fails the build with the fix when the `wasm32-wasip2` standard library is not installed.
fn require_wasm_target() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .output()
        .expect("failed to run rustc --print target-libdir");

    let libdir = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || !Path::new(libdir.trim()).is_dir() {
        fail("wasm32-wasip2 target missing: run `rustup target add wasm32-wasip2`");
    }
}

/// Builds every guest in one nested cargo run, its output going to this script's stderr.
fn build_guests(workspace: &Path, target_dir: &Path) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--release")
        .args(["--target", WASM_TARGET])
        .arg("--target-dir")
        .arg(target_dir)
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .args(GUESTS.iter().flat_map(|(package, _)| ["-p", *package]))
        .current_dir(workspace)
        .stdout(Stdio::from(io::stderr()));
    clear_outer_build_env(&mut command);

    let started = Instant::now();
    let status = command
        .status()
        .expect("failed to start the nested cargo build");
    if !status.success() {
        fail(&format!(
            "building the guests failed ({status}): see the cargo output above"
        ));
    }
    eprintln!("guests built in {:.1} s", started.elapsed().as_secs_f64());
}

/// Removes the variables in [`CLEARED_VARS`] and [`CLEARED_PREFIXES`] from the nested build.
fn clear_outer_build_env(command: &mut Command) {
    for var in CLEARED_VARS {
        command.env_remove(var);
    }

    let prefixed = env::vars_os().filter_map(|(name, _)| {
        let text = name.to_str()?;
        CLEARED_PREFIXES
            .iter()
            .any(|prefix| text.starts_with(prefix))
            .then_some(name)
    });
    for name in prefixed {
        command.env_remove(name);
    }
}

/// Where cargo puts a guest's component: its package name with `-` turned to `_`.
fn component_path(target_dir: &Path, package: &str) -> PathBuf {
    let file = format!("{}.wasm", package.replace('-', "_"));
    let path = target_dir.join(WASM_TARGET).join("release").join(file);

    if !path.is_file() {
        fail(&format!(
            "the guest build did not produce {}",
            path.display()
        ));
    }
    path
}

/// Writes the stamp whose absence reruns this script, dated at the epoch: cargo reruns a
/// script whose watched file is newer than the script's last start, and the stamp is written
/// after that start.
fn write_stamp(stamp: &Path) {
    let file = File::create(stamp).expect("failed to write the guest build stamp");

    file.set_modified(SystemTime::UNIX_EPOCH)
        .expect("failed to date the guest build stamp");
}

/// Fails the build: cargo shows `message` as an error, then this script's output (which holds
/// the nested cargo's diagnostics), without a panic's backtrace.
fn fail(message: &str) -> ! {
    println!("cargo::error={message}");

    std::process::exit(1)
}
