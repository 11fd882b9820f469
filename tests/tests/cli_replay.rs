//! `connect-rt replay` as a user runs it, with the real guests: its exit status says whether
//! every event was written, dead letters reach their file even when the summary cannot be
//! printed, and a database that is not a store is left alone. Cases come from a fresh-user
//! trial.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use connect_rt_tests::{guests, sample};

/// The command line, built in this crate (the same code as `host/src/bin/connect-rt.rs`).
fn connect_rt(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connect-rt-cli"));
    command.current_dir(dir);
    for variable in ["RUST_BACKTRACE", "RUST_LIB_BACKTRACE"] {
        command.env_remove(variable);
    }
    // The transforms are compiled at load (no `.cwasm` beside them), which warns.
    command.env("RUST_LOG", "error");
    command
}

/// `replay FILE --shift-to-now --store s.db` with the agent-events transform.
fn replay(dir: &Path, file: &str) -> Command {
    let mut command = connect_rt(dir);
    command.args(["replay", file, "--shift-to-now", "--store", "s.db"]);
    command.args(["--transform", guests::AGENT_EVENTS]);
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn lines(output: &Output) -> Vec<String> {
    text(&output.stdout).lines().map(str::to_owned).collect()
}

/// One agent event that maps, and a line that is not UTF-8.
fn one_good_one_bad(dir: &Path) {
    let mut jsonl = serde_json::to_vec(
        &serde_json::from_slice::<serde_json::Value>(&sample("agent_event_01_login.json")).unwrap(),
    )
    .unwrap();
    jsonl.extend_from_slice(b"\n\xff\xfe not an event\n");
    std::fs::write(dir.join("in.jsonl"), jsonl).unwrap();
}

#[test]
fn replay_exits_0_when_every_event_is_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("login.json"),
        sample("agent_event_01_login.json"),
    )
    .unwrap();

    let output = replay(dir.path(), "login.json").output().unwrap();

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let lines = lines(&output);
    assert_eq!(
        lines[1..],
        [
            "events in: 1",
            "records written to s.db:",
            "  AgentEvent: 1 written, 0 already stored",
            "records rejected: 0",
            "events fully written: 1; to retry: 0; dead-lettered: 0",
        ]
    );
    assert!(!dir.path().join("s.dead-letters.jsonl").exists());
}

#[test]
fn replay_exits_3_when_an_event_is_dead_lettered_and_keeps_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    one_good_one_bad(dir.path());

    let output = replay(dir.path(), "in.jsonl").output().unwrap();

    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    let lines = lines(&output);
    assert!(
        lines.contains(&"events fully written: 1; to retry: 0; dead-lettered: 1".to_owned()),
        "{lines:#?}"
    );
    assert_eq!(
        lines.last().unwrap(),
        "dead letters (1) appended to s.dead-letters.jsonl"
    );
    let letters = std::fs::read_to_string(dir.path().join("s.dead-letters.jsonl")).unwrap();
    let letter: serde_json::Value = serde_json::from_str(letters.trim_end()).unwrap();
    assert_eq!(letter["id"], "in.jsonl#2");
    assert_eq!(letter["payload"], "//4gbm90IGFuIGV2ZW50");
    assert_eq!(letter["payload_encoding"], "base64");
}

/// `replay ... | head -1` closed stdout before the summary was printed; the dead letters were
/// lost with the panic that followed.
#[test]
fn dead_letters_reach_their_file_when_stdout_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    one_good_one_bad(dir.path());
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);

    let output = replay(dir.path(), "in.jsonl")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "Error: failed to print the summary\n\nCaused by:\n    Broken pipe (os error 32)\n"
    );
    let letters = std::fs::read_to_string(dir.path().join("s.dead-letters.jsonl")).unwrap();
    assert_eq!(letters.lines().count(), 1);
}

#[test]
fn replay_refuses_a_database_that_is_not_a_store_and_leaves_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("login.json"),
        sample("agent_event_01_login.json"),
    )
    .unwrap();
    let conn = rusqlite_free_database(&dir.path().join("s.db"));
    let before = std::fs::read(&conn).unwrap();

    let output = replay(dir.path(), "login.json").output().unwrap();

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "Error: failed to open the store s.db\n\nCaused by:\n    s.db is not a connect-rt store \
         (it is a SQLite database with tables of its own and no `_columns` table)\n"
    );
    assert_eq!(std::fs::read(&conn).unwrap(), before);
}

/// A SQLite database with one table of its own, made through the embedded store's own SQLite
/// (the test crate does not depend on rusqlite).
fn rusqlite_free_database(path: &Path) -> std::path::PathBuf {
    let store = connect_rt::store::embedded::EmbeddedStore::open_in_memory().unwrap();
    let sql = format!("VACUUM INTO '{}'", path.display());
    store
        .connection()
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();
    store
        .connection()
        .execute_batch("DROP TABLE _columns")
        .unwrap();
    store.connection().execute_batch(&sql).unwrap();
    path.to_owned()
}

#[test]
fn precompile_refuses_a_target_lambda_does_not_run() {
    let dir = tempfile::tempdir().unwrap();

    let output = connect_rt(dir.path())
        .args([
            "precompile",
            guests::FAULT_TRAP,
            "--target",
            "riscv64gc-unknown-linux-gnu",
        ])
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "Error: cannot precompile for riscv64gc-unknown-linux-gnu: Lambda runs \
         aarch64-unknown-linux-gnu or x86_64-unknown-linux-gnu\n"
    );
}

/// A second trial replayed a folder holding the store: each run read back the dead letters
/// the run before had appended, so "events in" doubled.
#[test]
fn a_folder_replay_does_not_read_back_the_stores_own_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    std::fs::write(dir.path().join("d/bad.json"), b"42\n").unwrap();
    let run = || {
        let mut command = connect_rt(dir.path());
        command.args([
            "replay",
            "d",
            "--store",
            "d/s.db",
            "--transform",
            guests::AGENT_EVENTS,
        ]);
        command.output().unwrap()
    };

    let (first, second) = (run(), run());

    for output in [&first, &second] {
        assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
        assert_eq!(lines(output)[0], "events in: 1");
    }
    let second = lines(&second);
    let own = second
        .iter()
        .position(|l| l == "inputs skipped: 2")
        .unwrap();
    assert_eq!(
        second[own + 1..],
        [
            "  d/s.db: not .json or .jsonl",
            "  d/s.dead-letters.jsonl: the store's own dead-letter file",
            "dead letters (1) appended to d/s.dead-letters.jsonl",
        ]
    );
    let letters = std::fs::read_to_string(dir.path().join("d/s.dead-letters.jsonl")).unwrap();
    assert_eq!(letters.lines().count(), 2);
}

/// A second trial found `replay /dev/zero` reading without end, and a missing input leaving
/// an empty store behind.
#[test]
fn replay_refuses_a_device_and_a_missing_input_without_creating_the_store() {
    let dir = tempfile::tempdir().unwrap();

    let device = replay(dir.path(), "/dev/zero").output().unwrap();
    let missing = replay(dir.path(), "nosuch.json").output().unwrap();

    assert_eq!(device.status.code(), Some(1));
    assert_eq!(
        text(&device.stderr),
        "Error: /dev/zero is a device or socket, not a file of events\n"
    );
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        text(&missing.stderr),
        "Error: failed to read nosuch.json\n\nCaused by:\n    No such file or directory (os error 2)\n"
    );
    assert!(!dir.path().join("s.db").exists());
}
