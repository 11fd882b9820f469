//! `scripts/run-samples.sh` runs what cargo built where cargo put it: under `CARGO_TARGET_DIR`
//! when that is set. `rustup`, `cargo` and the built `connect-rt` are stand-in scripts that
//! record how they were called, so the test runs in a moment and builds nothing.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/run-samples.sh");

/// Writes an executable shell script.
fn stand_in(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/usr/bin/env bash\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn run_samples_uses_a_relative_cargo_target_dir_made_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let (bin, log, store) = (root.join("bin"), root.join("calls.log"), root.join("s.db"));
    stand_in(&bin.join("rustup"), "echo wasm32-wasip2");
    stand_in(
        &bin.join("cargo"),
        r#"echo "cargo CARGO_TARGET_DIR=$CARGO_TARGET_DIR $*" >> "$CALLS""#,
    );
    let target = root.join("out");
    stand_in(
        &target.join("debug/connect-rt"),
        r#"echo "connect-rt $*" >> "$CALLS""#,
    );

    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let output = Command::new("bash")
        .arg(SCRIPT)
        .current_dir(&root)
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", "out")
        .env("CALLS", &log)
        .env("STORE", &store)
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let (t, s) = (target.display(), store.display());
    let wasm = |name: &str| format!("{t}/wasm32-wasip2/release/{name}_transform.wasm");
    let cwasm =
        |name: &str| format!("--transform {t}/wasm32-wasip2/release/{name}_transform.cwasm");
    let names = ["agent_events", "contact_events", "instance_data"];
    let expected = [
        format!(
            "cargo CARGO_TARGET_DIR={t} build --release --target wasm32-wasip2 \
             -p agent-events-transform -p contact-events-transform -p instance-data-transform"
        ),
        format!("cargo CARGO_TARGET_DIR={t} build -p connect-rt --bin connect-rt"),
        format!("connect-rt precompile {}", names.map(wasm).join(" ")),
        format!(
            "connect-rt replay fixtures/samples fixtures/snapshots --shift-to-now --store {s} {}",
            names.map(cwasm).join(" ")
        ),
        format!("connect-rt show --store {s} --limit 3"),
    ];
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls.lines().collect::<Vec<_>>(), expected);
}
