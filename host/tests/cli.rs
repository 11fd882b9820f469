//! The `connect-rt` command line as a user runs it: `show` never changes the file it is given,
//! `replay` says where it looked for transforms, and `--help` describes what the code does.

use std::path::Path;
use std::process::{Command, Output};

use connect_rt::contract::{Dimension, Measure, MeasureValue, TimeUnit, TimestreamRecord};
use connect_rt::store::embedded::EmbeddedStore;

/// 2025-06-01T12:00:00Z.
const NOW_MS: i64 = 1_748_779_200_000;

/// What `NO_TRANSFORMS_HINT` in `connect-rt.rs` says.
const HINT: &str = "build the guests first (`cargo build --release --target wasm32-wasip2 -p \
                    agent-events-transform -p contact-events-transform -p \
                    instance-data-transform`, see README) or pass each transform with \
                    `--transform PATH`";

/// Runs `connect-rt` in `dir` with `CARGO_TARGET_DIR` set to `target_dir`, or removed.
fn connect_rt(dir: &Path, target_dir: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connect-rt"));
    command.args(args).current_dir(dir);
    for variable in ["RUST_LOG", "RUST_BACKTRACE", "RUST_LIB_BACKTRACE"] {
        command.env_remove(variable);
    }
    match target_dir {
        Some(target_dir) => command.env("CARGO_TARGET_DIR", target_dir),
        None => command.env_remove("CARGO_TARGET_DIR"),
    };
    command.output().expect("connect-rt runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `show --store <file>` on a file that is not a store: it must fail with `message` and
/// leave the file's bytes as they were.
fn assert_show_refuses(dir: &Path, file: &str, message: &str) {
    let path = dir.join(file);
    let before = std::fs::read(&path).unwrap();

    let output = connect_rt(dir, None, &["show", "--store", file]);

    assert!(!output.status.success());
    assert_eq!(stderr(&output), format!("Error: {message}\n"));
    assert_eq!(stdout(&output), "");
    assert_eq!(std::fs::read(&path).unwrap(), before, "{file} was changed");
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from(file)],
        "no journal left"
    );
}

#[test]
fn show_refuses_a_file_that_is_not_a_sqlite_database_and_leaves_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notjson.json"), b"{\"not\": \"a store\"}\n").unwrap();

    assert_show_refuses(
        dir.path(),
        "notjson.json",
        "notjson.json is not a connect-rt store (it is not a SQLite database)",
    );
}

#[test]
fn show_refuses_an_empty_file_and_leaves_it_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.db"), b"").unwrap();

    assert_show_refuses(
        dir.path(),
        "empty.db",
        "empty.db is not a connect-rt store (it has no `_columns` table)",
    );
}

#[test]
fn show_refuses_a_sqlite_database_without_the_schema_table_and_leaves_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("other.db")).unwrap();
    conn.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi');")
        .unwrap();
    drop(conn);

    assert_show_refuses(
        dir.path(),
        "other.db",
        "other.db is not a connect-rt store (it has no `_columns` table)",
    );
}

fn login() -> TimestreamRecord {
    TimestreamRecord {
        table: "AgentEvent".to_owned(),
        dimensions: vec![Dimension {
            name: "AgentARN".to_owned(),
            value: "arn:aws:connect:eu-west-2:111122223333:instance/i-1/agent/a-1".to_owned(),
        }],
        measure_name: "AgentEvent".to_owned(),
        measures: vec![Measure {
            name: "EventType".to_owned(),
            value: MeasureValue::Varchar("LOGIN".to_owned()),
        }],
        time: NOW_MS,
        time_unit: TimeUnit::Milliseconds,
        version: 7,
    }
}

/// Writes a store at `path` holding the [`login`] record.
fn store_with_one_login(path: &Path) {
    let mut store = EmbeddedStore::open(path).unwrap();
    assert!(store.write(&[login()], NOW_MS)[0].is_written());
}

#[test]
fn show_prints_a_store_without_changing_it() {
    let dir = tempfile::tempdir().unwrap();
    store_with_one_login(&dir.path().join("s.db"));
    let before = std::fs::read(dir.path().join("s.db")).unwrap();

    let output = connect_rt(dir.path(), None, &["show", "--store", "s.db"]);

    assert!(output.status.success(), "{}", stderr(&output));
    let row = concat!(
        r#"{"AgentARN":"arn:aws:connect:eu-west-2:111122223333:instance/i-1/agent/a-1","#,
        r#""EventType":"LOGIN","measure_name":"AgentEvent","#,
        r#""time":"2025-06-01 12:00:00.000000000","ts_version":7}"#
    );
    assert_eq!(stdout(&output), format!("== AgentEvent: 1 rows\n{row}\n"));
    assert_eq!(std::fs::read(dir.path().join("s.db")).unwrap(), before);
}

#[test]
fn replay_without_transforms_names_the_default_folder_inside_cargo_target_dir() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("e.json"), br#"{"EventType":"LOGIN"}"#).unwrap();

    let output = connect_rt(dir.path(), Some("elsewhere"), &["replay", "e.json"]);

    assert!(!output.status.success());
    let first_line = stderr(&output)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        first_line,
        format!(
            "Error: no transforms given, and the default folder \
             elsewhere/wasm32-wasip2/release cannot be read; {HINT}"
        )
    );
    assert!(
        !dir.path().join("connect-rt.db").exists(),
        "no store created"
    );
}

#[test]
fn replay_without_transforms_says_the_default_folder_has_none() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("target/wasm32-wasip2/release")).unwrap();
    std::fs::write(dir.path().join("e.json"), br#"{"EventType":"LOGIN"}"#).unwrap();

    let output = connect_rt(dir.path(), None, &["replay", "e.json"]);

    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        format!(
            "Error: no transforms given, and the default folder \
             target/wasm32-wasip2/release has no *_transform.wasm; {HINT}\n"
        )
    );
}

/// The help text with its line breaks and indentation folded to single spaces.
fn replay_help() -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = connect_rt(dir.path(), None, &["replay", "--help"]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn replay_help_says_the_shift_is_in_whole_hours() {
    let help = replay_help();

    let shift = "Move every timestamp in the input by one offset, in whole hours, so the newest \
                 event falls within the last hour (between 1 and 61 minutes old), keeping their \
                 spacing";
    assert!(help.contains(shift), "{help}");
    assert!(!help.contains("a minute old"), "{help}");
}

#[test]
fn replay_help_says_which_files_a_folder_contributes() {
    let help = replay_help();

    let rule = "A folder is read with its subfolders, in path order: its `.json` and `.jsonl` \
                files, in any letter case; every other file is listed under \"inputs skipped\" \
                with the reason";
    assert!(help.contains(rule), "{help}");
}

/// A fresh-user trial got `disk I/O error (266)` from `show --store /tmp`.
#[test]
fn show_and_replay_refuse_a_folder_as_the_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    std::fs::write(dir.path().join("e.json"), br#"{"EventType":"LOGIN"}"#).unwrap();
    std::fs::write(dir.path().join("t.wasm"), b"not used").unwrap();

    let show = connect_rt(dir.path(), None, &["show", "--store", "folder"]);
    let replay = connect_rt(
        dir.path(),
        None,
        &[
            "replay",
            "e.json",
            "--store",
            "folder",
            "--transform",
            "t.wasm",
        ],
    );

    for output in [show, replay] {
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(
            stderr(&output),
            "Error: folder is a folder, not a store file\n"
        );
    }
}

/// A fresh-user trial saw a missing `--transform` first warn that it would be compiled.
#[test]
fn replay_names_a_missing_transform_and_creates_no_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("e.json"), br#"{"EventType":"LOGIN"}"#).unwrap();

    let output = connect_rt(
        dir.path(),
        None,
        &["replay", "e.json", "--transform", "x.wasm"],
    );

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "Error: transform x.wasm: no such file, and no precompiled artifact beside it\n"
    );
    assert!(!dir.path().join("connect-rt.db").exists());
}

/// A second trial found `show | head -1` panicking once `head` had closed the pipe.
#[test]
fn show_into_a_closed_pipe_ends_with_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    store_with_one_login(&dir.path().join("s.db"));
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);

    let output = Command::new(env!("CARGO_BIN_EXE_connect-rt"))
        .args(["show", "--store", "s.db"])
        .current_dir(dir.path())
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdout(writer)
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "Error: failed to print the store\n\nCaused by:\n    Broken pipe (os error 32)\n"
    );
}

/// A fourth trial found `--config =x` accepted.
#[test]
fn replay_refuses_a_config_value_without_a_key() {
    let dir = tempfile::tempdir().unwrap();

    let output = connect_rt(dir.path(), None, &["replay", "e.json", "--config", "=x"]);

    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(
            "error: invalid value '=x' for '--config <CONFIG>': expected KEY=VALUE with a KEY, \
             got '=x'\n"
        ),
        "{}",
        stderr(&output)
    );
}
