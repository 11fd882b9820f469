//! The Grafana dashboards in `dashboards/json/` against what the shipped transforms write.
//!
//! The bundled samples and the recorded instance snapshot run through the real guests in the
//! real host into the embedded store; its schema is the list of columns each Timestream table
//! gets. Every Timestream query of every dashboard panel is then read by [`sql`], a small
//! checker for the Timestream SQL the dashboards use: each column it names must be a column
//! of the table (or subquery) it reads from, each table must be filtered on its
//! `measure_name`, and each string compared to a column with a fixed set of values must be
//! one of the values `docs/dashboard-columns.md` lists.
//!
//! The checker is tested on deliberately wrong queries too, so a check that passes means
//! something.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use connect_rt::replay;
use connect_rt::store::embedded::EmbeddedStore;
use connect_rt_tests::{fixture, guests, support, workspace_root};
use serde_json::Value;

/// "Now" for the sample run: 2026-01-15T18:00:00Z.
const NOW_MS: i64 = 1_768_500_000_000;

/// How far before "now" the newest sample timestamp is moved.
const SHIFT_MARGIN_MS: i64 = 60_000;

/// The tables the three shipped transforms write.
const TABLES: [&str; 6] = [
    "AgentEvent",
    "AgentEvent_Contact",
    "ContactEvent",
    "Instance",
    "Queue",
    "User",
];

/// The plugin every dashboard target must use.
const TIMESTREAM_PLUGIN: &str = "grafana-timestream-datasource";

/// Agent event types: `dashboard-columns.md` names the `EventType` column but lists no values;
/// these are the four the agent transform accepts (it rejects any other), and the samples
/// hold all four.
const AGENT_EVENT_TYPES: &[&str] = &["LOGIN", "LOGOUT", "STATE_CHANGE", "HEART_BEAT"];

/// The values a dashboard may compare a column with, by column name (names are
/// case-sensitive: `EventType` is the agent tables', `eventType` the contact table's). From
/// `docs/dashboard-columns.md`, "Values the dashboards filter on"; `Channel` and
/// `InitiationMethod` of `AgentEvent_Contact` hold the same values as their camel-case
/// contact-event counterparts.
fn listed_values(column: &str) -> Option<&'static [&'static str]> {
    const CHANNELS: &[&str] = &["VOICE", "CHAT", "TASK", "EMAIL"];
    const INITIATION_METHODS: &[&str] = &[
        "INBOUND",
        "OUTBOUND",
        "TRANSFER",
        "QUEUE_TRANSFER",
        "CALLBACK",
        "API",
        "DISCONNECT",
        "EXTERNAL_OUTBOUND",
    ];
    const CONTACT_EVENT_TYPES: &[&str] = &[
        "INITIATED",
        "CONNECTED_TO_SYSTEM",
        "QUEUED",
        "CONNECTED_TO_AGENT",
        "DISCONNECTED",
        "HUMAN_ANSWERED",
        "VOICEMAIL_BEEP",
        "VOICEMAIL_NO_BEEP",
        "AMD_UNANSWERED",
        "AMD_UNRESOLVED",
        "AMD_ERROR",
        "SIT_TONE_BUSY",
        "SIT_TONE_DETECTED",
        "SIT_TONE_INVALID_NUMBER",
        "FAX_MACHINE_DETECTED",
    ];

    match column {
        "CurrentAgentSnapshot_AgentStatus_Type" => Some(&["ROUTABLE", "CUSTOM", "OFFLINE"]),
        "channel" | "Channel" => Some(CHANNELS),
        "initiationMethod" | "InitiationMethod" => Some(INITIATION_METHODS),
        "eventType" => Some(CONTACT_EVENT_TYPES),
        "EventType" => Some(AGENT_EVENT_TYPES),
        "State" => Some(&["CONNECTED", "MISSED"]),
        _ => None,
    }
}

/// What the sample run wrote: every table's columns with their Timestream types, and the
/// agent event types seen.
struct Written {
    catalog: sql::Catalog,
    agent_event_types: BTreeSet<String>,
}

/// The sample run, done once per test binary.
fn written() -> &'static Written {
    static WRITTEN: OnceLock<Written> = OnceLock::new();
    WRITTEN.get_or_init(|| {
        let store = run_samples();
        let catalog = TABLES
            .iter()
            .map(|t| (t.to_string(), columns_of(&store, t)))
            .collect();
        let agent_event_types = store.dump("AgentEvent").expect("AgentEvent dumps");
        let agent_event_types = agent_event_types
            .iter()
            .filter_map(|row| row.get("EventType")?.as_str().map(str::to_owned))
            .collect();
        Written {
            catalog,
            agent_event_types,
        }
    })
}

/// Runs the agent and contact samples and the instance snapshot, times moved to just before
/// [`NOW_MS`], through the three shipped transforms into an in-memory store.
fn run_samples() -> EmbeddedStore {
    let inputs = [
        fixture("samples"),
        fixture("snapshots/instance_5f0c3a2e.json"),
    ];
    let mut captured = replay::read_paths(&inputs).expect("the fixtures read");
    replay::shift_times(&mut captured, NOW_MS, SHIFT_MARGIN_MS);
    let (records, _not_events) = replay::decode(captured);

    let transforms = [
        guests::AGENT_EVENTS,
        guests::CONTACT_EVENTS,
        guests::INSTANCE_DATA,
    ];
    let pipeline = support::pipeline(transforms.map(support::load).into());
    let mut store = EmbeddedStore::open_in_memory().expect("the store opens");
    let report = support::run(&pipeline, &mut store, records, NOW_MS);

    let (_, retried, dead_lettered) = report.disposition_counts();
    assert_eq!(
        (retried, dead_lettered),
        (0, 0),
        "every sample is written: {:?}",
        report.events
    );
    assert!(
        report.rejected.is_empty(),
        "no record is rejected: {:?}",
        report.rejected
    );
    store
}

/// A table's columns as the store learned them, plus the two every Timestream table has.
fn columns_of(store: &EmbeddedStore, table: &str) -> BTreeMap<String, String> {
    let mut columns: BTreeMap<String, String> = store
        .schema()
        .columns(table)
        .map(|(name, spec)| (name.to_owned(), spec.column_type.as_str().to_owned()))
        .collect();

    columns.insert("time".into(), "TIMESTAMP".into());
    columns.insert("measure_name".into(), "VARCHAR".into());
    columns
}

/// Checks `sql` against the columns the sample run wrote.
fn check(query: &str) -> sql::Report {
    sql::check(query, &written().catalog, listed_values)
}

/// One query of one dashboard panel.
struct Target {
    /// `file / panel title / refId`, for messages.
    place: String,
    datasource: Value,
    sql: String,
}

fn dashboards_dir() -> PathBuf {
    workspace_root().join("dashboards")
}

/// Every dashboard file, sorted by name.
fn dashboard_files() -> Vec<PathBuf> {
    let dir = dashboards_dir().join("json");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();

    files.sort();
    files
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Every query target of every panel of every dashboard, rows' nested panels included.
fn targets() -> Vec<Target> {
    let mut targets = Vec::new();
    for path in dashboard_files() {
        let file = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let dashboard = read_json(&path);
        collect_targets(&file, &dashboard["panels"], &mut targets);
    }
    targets
}

fn collect_targets(file: &str, panels: &Value, out: &mut Vec<Target>) {
    for panel in panels.as_array().into_iter().flatten() {
        collect_targets(file, &panel["panels"], out);

        let title = panel["title"].as_str().unwrap_or("(untitled)");
        for target in panel["targets"].as_array().into_iter().flatten() {
            let ref_id = target["refId"].as_str().unwrap_or("?");
            out.push(Target {
                place: format!("{file} / {title} / {ref_id}"),
                datasource: target["datasource"].clone(),
                sql: target["rawQuery"].as_str().unwrap_or_default().to_owned(),
            });
        }
    }
}

/// `key: value` pairs of a flat YAML file, in order (enough for the provisioning files).
fn yaml_pairs(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|line| line.trim().trim_start_matches("- "))
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(": "))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

fn yaml_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_samples_write_all_six_tables_and_every_agent_event_type() {
    let written = written();

    let tables: Vec<&str> = written.catalog.keys().map(String::as_str).collect();
    assert_eq!(tables, TABLES);
    for (table, columns) in &written.catalog {
        assert!(
            columns.len() > 2,
            "{table} has columns besides time and measure_name"
        );
    }
    let expected: BTreeSet<String> = AGENT_EVENT_TYPES.iter().map(|t| t.to_string()).collect();
    assert_eq!(written.agent_event_types, expected);
}

#[test]
fn every_dashboard_query_reads_only_what_the_transforms_write() {
    let targets = targets();
    assert!(
        targets.len() >= 15,
        "the dashboards hold {} queries",
        targets.len()
    );

    let mut problems = Vec::new();
    for target in &targets {
        let report = check(&target.sql);
        if report.tables.is_empty() {
            problems.push(format!("{}: reads no table", target.place));
        }
        problems.extend(
            report
                .problems
                .iter()
                .map(|p| format!("{}: {p}", target.place)),
        );
    }
    assert!(
        problems.is_empty(),
        "dashboard queries that would fail:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_table_the_transforms_write_is_on_a_dashboard() {
    let read: BTreeSet<String> = targets()
        .iter()
        .flat_map(|t| check(&t.sql).tables)
        .collect();

    let read: Vec<&str> = read.iter().map(String::as_str).collect();
    assert_eq!(read, TABLES);
}

#[test]
fn every_query_uses_the_provisioned_timestream_datasource() {
    let provisioning = dashboards_dir().join("provisioning");
    let datasource = yaml_pairs(&provisioning.join("datasources/timestream.yaml"));
    assert_eq!(yaml_value(&datasource, "type"), Some(TIMESTREAM_PLUGIN));
    assert_eq!(
        yaml_value(&datasource, "defaultDatabase"),
        Some("ConnectRealTime")
    );
    assert_eq!(
        yaml_value(&datasource, "defaultRegion"),
        Some("${AWS_REGION}")
    );
    let uid = yaml_value(&datasource, "uid").expect("the datasource has a fixed uid");

    for target in targets() {
        assert_eq!(
            target.datasource["type"], TIMESTREAM_PLUGIN,
            "{}",
            target.place
        );
        assert_eq!(target.datasource["uid"], uid, "{}", target.place);
    }
}

#[test]
fn the_dashboard_provider_loads_files_and_every_dashboard_has_its_own_uid() {
    let provider = yaml_pairs(&dashboards_dir().join("provisioning/dashboards/connect-rt.yaml"));
    assert_eq!(yaml_value(&provider, "type"), Some("file"));
    assert!(
        yaml_value(&provider, "path").is_some(),
        "the provider names the dashboards folder"
    );

    let uids: Vec<String> = dashboard_files()
        .iter()
        .map(|path| {
            read_json(path)["uid"]
                .as_str()
                .expect("a dashboard uid")
                .to_owned()
        })
        .collect();
    let distinct: BTreeSet<&String> = uids.iter().collect();
    assert_eq!(distinct.len(), uids.len(), "uids: {uids:?}");
    assert_eq!(uids.len(), 3);
}

#[test]
fn a_column_the_transforms_do_not_write_fails_the_check() {
    let report = check(
        r#"SELECT "AgentARN", "AgentStatus" FROM $__database."AgentEvent"
           WHERE measure_name = 'AgentEvent' AND $__timeFilter"#,
    );

    assert_eq!(
        report.problems,
        [r#""AgentStatus" is not a column of AgentEvent"#]
    );
    assert_eq!(report.tables, BTreeSet::from(["AgentEvent".to_owned()]));
}

#[test]
fn a_contact_event_column_in_agent_case_fails_the_check() {
    let report = check(
        r#"SELECT count(*) FROM "ConnectRealTime"."ContactEvent"
           WHERE "measure_name" = 'ContactEvent' AND $__timeFilter AND "EventType" = 'QUEUED'"#,
    );

    assert_eq!(
        report.problems,
        [r#""EventType" is not a column of ContactEvent"#]
    );
}

#[test]
fn a_column_qualified_with_the_other_joined_table_fails_the_check() {
    let report = check(
        r#"SELECT u."Username", u."State"
           FROM $__database."AgentEvent_Contact" c
           JOIN $__database."User" AS u ON u."Arn" = c."Agent_AgentARN"
           WHERE c.measure_name = 'AgentEvent_Contact' AND u.measure_name = 'User'
             AND c.time > ago(1h)"#,
    );

    assert_eq!(report.problems, [r#""State" is not a column of User (u)"#]);
}

#[test]
fn a_name_both_joined_tables_have_is_ambiguous() {
    let report = check(
        r#"SELECT c."ContactId" FROM $__database."AgentEvent_Contact" c
           JOIN $__database."User" u ON u."Arn" = c."Agent_AgentARN"
           WHERE c.measure_name = 'AgentEvent_Contact' AND u.measure_name = 'User'
             AND $__timeFilter"#,
    );

    assert_eq!(
        report.problems,
        [r#""time" is ambiguous: a column of AgentEvent_Contact (c) and User (u)"#]
    );
}

#[test]
fn a_value_the_convention_does_not_list_fails_the_check() {
    let report = check(
        r#"SELECT "Agent_AgentARN" FROM $__database."AgentEvent_Contact"
           WHERE measure_name = 'AgentEvent_Contact' AND $__timeFilter
             AND "State" IN ('CONNECTED', 'ANSWERED') AND 'SMS' <> "Channel""#,
    );

    assert_eq!(
        report.problems,
        [
            r#"'ANSWERED' is not a listed value of "State" (CONNECTED, MISSED)"#,
            r#"'SMS' is not a listed value of "Channel" (VOICE, CHAT, TASK, EMAIL)"#,
        ]
    );
}

#[test]
fn a_value_is_checked_through_a_subquery_that_keeps_the_latest() {
    let report = check(
        r#"SELECT "AgentARN" FROM (
             SELECT "AgentARN", max_by("CurrentAgentSnapshot_AgentStatus_Type", time) AS "Type"
             FROM $__database."AgentEvent"
             WHERE measure_name = 'AgentEvent' AND $__timeFilter
             GROUP BY "AgentARN"
           ) latest
           WHERE latest."Type" = 'AVAILABLE'"#,
    );

    let expected = concat!(
        r#"'AVAILABLE' is not a listed value of "CurrentAgentSnapshot_AgentStatus_Type" "#,
        "(ROUTABLE, CUSTOM, OFFLINE)"
    );
    assert_eq!(report.problems, [expected]);
}

#[test]
fn a_string_compared_to_a_boolean_measure_fails_the_check() {
    let report = check(
        r#"SELECT count(*) FROM $__database."ContactEvent"
           WHERE measure_name = 'ContactEvent' AND $__timeFilter AND "_X_Abandoned" = 'true'"#,
    );

    assert_eq!(
        report.problems,
        [r#"'true' compared to "_X_Abandoned", a BOOLEAN column"#]
    );
}

#[test]
fn a_table_read_without_its_measure_name_filter_fails_the_check() {
    let report = check(
        r#"WITH q AS (SELECT "QueueArn", max_by("Name", time) AS "Name"
                     FROM $__database."Queue" WHERE $__timeFilter GROUP BY "QueueArn")
           SELECT "Name" FROM q"#,
    );

    assert_eq!(
        report.problems,
        [r#""Queue" is read without measure_name = 'Queue'"#]
    );
}

#[test]
fn a_measure_name_of_another_table_fails_the_check() {
    let report = check(
        r#"SELECT "Username" FROM $__database."User"
           WHERE measure_name = 'Users' AND $__timeFilter"#,
    );

    assert_eq!(
        report.problems,
        [
            r#"measure_name of "User" compared to 'Users'"#,
            r#""User" is read without measure_name = 'User'"#,
        ]
    );
}

#[test]
fn an_output_alias_is_not_a_column_of_its_own_select() {
    let report = check(
        r#"SELECT "AgentStatus" AS "AgentStatus", "AgentARN" FROM $__database."AgentEvent"
           WHERE measure_name = 'AgentEvent' AND $__timeFilter
           GROUP BY "AgentARN", "AgentStatus" ORDER BY "AgentStatus""#,
    );

    assert_eq!(
        report.problems,
        [
            r#""AgentStatus" is not a column of AgentEvent"#,
            r#""AgentStatus" is not a column of AgentEvent"#,
        ]
    );
}

#[test]
fn another_database_or_an_unknown_table_fails_the_check() {
    let other =
        check(r#"SELECT "AgentARN" FROM "Connect"."AgentEvent" WHERE measure_name = 'AgentEvent'"#);
    let unknown =
        check(r#"SELECT "QueueArn" FROM $__database."Queues" WHERE measure_name = 'Queues'"#);

    assert_eq!(
        other.problems,
        [r#"reads "Connect"."AgentEvent": use $__database or "ConnectRealTime""#]
    );
    assert_eq!(
        unknown.problems,
        [r#""Queues" is not a table the transforms write"#]
    );
}

#[test]
fn a_query_the_checker_cannot_read_fails_the_check() {
    let unbalanced = check(r#"SELECT count(* FROM $__database."User""#);
    let not_a_select = check(r#"DELETE FROM $__database."User""#);
    let unterminated = check("SELECT 'QUEUED FROM x");

    assert_eq!(unbalanced.problems, ["unbalanced ("]);
    assert_eq!(not_a_select.problems, ["expected SELECT, found `DELETE`"]);
    assert_eq!(unterminated.problems, ["unterminated 'QUEUED FROM x"]);
}

#[test]
fn a_well_formed_join_of_subqueries_passes_the_check() {
    let report = check(
        r#"WITH outcomes AS (
             SELECT "Agent_AgentARN",
                    count(DISTINCT CASE WHEN "State" = 'MISSED' THEN "ContactId" END) AS missed
             FROM "ConnectRealTime"."AgentEvent_Contact"
             WHERE measure_name = 'AgentEvent_Contact' AND $__timeFilter -- the dashboard range
             GROUP BY "Agent_AgentARN"
           )
           SELECT u."Username" AS "Agent", o.missed, bin(max(u.time), $__interval) AS seen
           FROM outcomes AS o
           LEFT JOIN $__database."User" u
             ON u."Arn" = o."Agent_AgentARN" AND u.measure_name = 'User'
           GROUP BY u."Username", o.missed
           ORDER BY missed DESC, seen"#,
    );

    assert_eq!(report.problems, Vec::<String>::new());
    let tables: Vec<&str> = report.tables.iter().map(String::as_str).collect();
    assert_eq!(tables, ["AgentEvent_Contact", "User"]);
}

/// A checker for the subset of Timestream SQL (Presto/Trino syntax) that dashboards use:
/// `WITH`, `SELECT` with aliases, subqueries in `FROM` and in expressions, joins with `ON`,
/// `UNION`, `CASE`, function calls, window clauses, and the Grafana macros.
///
/// Every name that is not a keyword, a function, an alias being defined or a qualifier is a
/// column reference. It resolves in the `SELECT` that holds it: against the tables and
/// subqueries of its `FROM` (qualified by their alias, or unqualified when exactly one has
/// the name), then the enclosing `SELECT`s (correlated subqueries); `ORDER BY` sees the
/// select list's aliases first. A subquery's columns are its select list's names. Anything
/// the checker does not understand is a problem, not a pass.
mod sql {
    use std::cell::Cell;
    use std::collections::{BTreeMap, BTreeSet};

    /// Per table, its columns and their Timestream types (`VARCHAR`, `BIGINT`, ...).
    pub type Catalog = BTreeMap<String, BTreeMap<String, String>>;

    /// The values a column may be compared with, if it has a fixed set.
    pub type ListedValues = fn(&str) -> Option<&'static [&'static str]>;

    /// The only database name a query may spell out instead of `$__database`.
    const DATABASE: &str = "ConnectRealTime";

    /// Words that are never column names, separated by spaces.
    const KEYWORDS: &str = "ALL AND AS ASC BETWEEN BY CASE CROSS CURRENT DAY DESC DISTINCT ELSE \
        END ESCAPE EXCEPT EXISTS FALSE FIRST FOLLOWING FROM FULL GROUP HAVING HOUR IN INNER \
        INTERSECT INTERVAL IS JOIN LAST LEFT LIKE LIMIT MINUTE MONTH NOT NULL NULLS OFFSET ON OR \
        ORDER OUTER OVER PARTITION PRECEDING RANGE RIGHT ROW ROWS SECOND SELECT THEN TRUE \
        UNBOUNDED UNION USING WHEN WHERE WITH YEAR";

    /// Keywords that start a clause of a `SELECT`.
    const CLAUSES: &[&str] = &[
        "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET",
    ];

    /// Keywords that join two sources in a `FROM` clause.
    const JOINS: &[&str] = &["JOIN", "LEFT", "RIGHT", "FULL", "INNER", "OUTER", "CROSS"];

    /// Functions whose result is one of the values of their first argument, so a column
    /// computed with them keeps that column's values (and their check).
    const PASS_THROUGH: &[&str] = &["max_by", "min_by", "max", "min", "arbitrary"];

    /// Grafana macros that stand for a value.
    const VALUE_MACROS: &[&str] = &[
        "$__interval",
        "$__interval_ms",
        "$__interval_raw_ms",
        "$__timeFrom",
        "$__timeTo",
        "$__now_ms",
    ];

    /// What a query reads and what is wrong with it.
    #[derive(Debug, Default)]
    pub struct Report {
        /// Tables read, by name.
        pub tables: BTreeSet<String>,
        /// One sentence per problem, in query order.
        pub problems: Vec<String>,
    }

    /// Checks one query.
    pub fn check(sql: &str, catalog: &Catalog, listed: ListedValues) -> Report {
        let mut checker = Checker {
            catalog,
            listed,
            report: Report::default(),
        };
        match tokenize(sql).and_then(nest) {
            Ok(items) => {
                checker.query(&items, &[], None);
            }
            Err(problem) => checker.problem(problem),
        }
        checker.report
    }

    /// One lexical token.
    #[derive(Debug, Clone, PartialEq)]
    enum Token {
        /// A name: `"quoted"` (taken exactly) or bare.
        Name {
            text: String,
            quoted: bool,
        },
        Str(String),
        Number(String),
        /// A Grafana macro, e.g. `$__timeFilter`.
        Macro(String),
        Punct(String),
    }

    /// A token, or a parenthesised group of items.
    #[derive(Debug, Clone)]
    enum Item {
        Token(Token),
        Group(Vec<Item>),
    }

    fn tokenize(sql: &str) -> Result<Vec<Token>, String> {
        let chars: Vec<char> = sql.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let rest = &chars[i..];
            let (token, len) = match c {
                c if c.is_whitespace() => (None, 1),
                '-' if rest.get(1) == Some(&'-') => (None, line_comment_len(rest)),
                '/' if rest.get(1) == Some(&'*') => (None, block_comment_len(rest)?),
                '\'' => quoted(rest).map(|(text, len)| (Some(Token::Str(text)), len))?,
                '"' => quoted(rest)
                    .map(|(text, len)| (Some(Token::Name { text, quoted: true }), len))?,
                '$' => {
                    let len = 1 + word_len(&rest[1..], false);
                    (Some(Token::Macro(rest[..len].iter().collect())), len)
                }
                c if c.is_ascii_digit() => {
                    let len = word_len(rest, true);
                    (Some(Token::Number(rest[..len].iter().collect())), len)
                }
                c if c.is_alphabetic() || c == '_' => {
                    let len = word_len(rest, false);
                    let text = rest[..len].iter().collect();
                    (
                        Some(Token::Name {
                            text,
                            quoted: false,
                        }),
                        len,
                    )
                }
                _ => {
                    let len = punct_len(rest);
                    (Some(Token::Punct(rest[..len].iter().collect())), len)
                }
            };
            tokens.extend(token);
            i += len;
        }
        Ok(tokens)
    }

    fn line_comment_len(rest: &[char]) -> usize {
        rest.iter().position(|&c| c == '\n').unwrap_or(rest.len())
    }

    fn block_comment_len(rest: &[char]) -> Result<usize, String> {
        let end = rest.windows(2).skip(1).position(|w| w == ['*', '/']);
        end.map(|at| at + 3)
            .ok_or_else(|| "unterminated /* comment".to_owned())
    }

    /// A string or quoted name starting at `rest[0]`, the quote doubled inside it: its text
    /// and its length in the query.
    fn quoted(rest: &[char]) -> Result<(String, usize), String> {
        let quote = rest[0];
        let mut text = String::new();
        let mut i = 1;
        while i < rest.len() {
            if rest[i] != quote {
                text.push(rest[i]);
                i += 1;
            } else if rest.get(i + 1) == Some(&quote) {
                text.push(quote);
                i += 2;
            } else {
                return Ok((text, i + 1));
            }
        }
        Err(format!("unterminated {quote}{text}"))
    }

    /// The length of a name, or of a number (digits, a fraction, a duration unit as `15m`).
    fn word_len(rest: &[char], number: bool) -> usize {
        let part = |c: &char| c.is_alphanumeric() || *c == '_' || (number && *c == '.');
        rest.iter().take_while(|c| part(c)).count()
    }

    fn punct_len(rest: &[char]) -> usize {
        const PAIRS: [&str; 7] = ["<>", "!=", "<=", ">=", "||", "::", "->"];
        let two: String = rest.iter().take(2).collect();
        if PAIRS.contains(&two.as_str()) { 2 } else { 1 }
    }

    /// Turns the token list into items, each parenthesised part a group.
    fn nest(tokens: Vec<Token>) -> Result<Vec<Item>, String> {
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        for token in tokens {
            match &token {
                Token::Punct(p) if p == "(" => stack.push(Vec::new()),
                Token::Punct(p) if p == ")" => {
                    let group = stack.pop().filter(|_| !stack.is_empty());
                    let group = group.ok_or_else(|| "unbalanced )".to_owned())?;
                    stack
                        .last_mut()
                        .expect("an open level")
                        .push(Item::Group(group));
                }
                _ => stack
                    .last_mut()
                    .expect("an open level")
                    .push(Item::Token(token)),
            }
        }
        match stack.len() {
            1 => Ok(stack.pop().expect("the top level")),
            _ => Err("unbalanced (".to_owned()),
        }
    }

    /// A column as a query sees it.
    #[derive(Debug, Clone)]
    struct Column {
        /// The table column its values come from, when it passes one through unchanged.
        origin: Option<String>,
        /// Its Timestream type, when known.
        column_type: Option<String>,
    }

    /// A named common table expression: its name and its columns.
    #[derive(Debug, Clone)]
    struct Cte {
        name: String,
        columns: Vec<(String, Column)>,
    }

    /// One source of a `FROM` clause.
    struct Source {
        /// The name queries qualify its columns with: its alias, else its name.
        name: String,
        /// The table, when it is one.
        table: Option<String>,
        /// How messages name it, e.g. `User (u)`.
        label: String,
        /// Its columns; `None` for a table the transforms do not write (already reported).
        columns: Option<Vec<(String, Column)>>,
        /// True once it is filtered on `measure_name` = its table.
        filtered: Cell<bool>,
    }

    impl Source {
        fn column(&self, name: &str) -> Option<Column> {
            let Some(columns) = &self.columns else {
                return Some(Column {
                    origin: Some(name.to_owned()),
                    column_type: None,
                });
            };
            columns
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, column)| column.clone())
        }
    }

    /// The sources of one `SELECT`, and the `SELECT` around it.
    struct Scope<'s> {
        sources: Vec<Source>,
        parent: Option<&'s Scope<'s>>,
    }

    /// The named columns a `SELECT` produces.
    type Outputs = Vec<(String, Column)>;

    /// A column a name resolved to, with the source it is from.
    struct Resolved<'s> {
        column: Column,
        source: Option<&'s Source>,
    }

    /// One element of an expression, as far as comparisons with strings are concerned.
    enum Operand<'s> {
        Column(Resolved<'s>),
        Str(String),
        Compare,
        Not,
        In,
        /// A parenthesised list of string literals.
        Strings(Vec<String>),
        Other,
    }

    struct Checker<'c> {
        catalog: &'c Catalog,
        listed: ListedValues,
        report: Report,
    }

    impl Checker<'_> {
        fn problem(&mut self, problem: impl Into<String>) {
            self.report.problems.push(problem.into());
        }

        /// A query: optional `WITH`, then `SELECT`s joined by set operators.
        fn query(&mut self, items: &[Item], ctes: &[Cte], outer: Option<&Scope>) -> Outputs {
            if let [Item::Group(inner)] = items {
                return self.query(inner, ctes, outer);
            }
            let mut ctes = ctes.to_vec();
            let body = self.with_clause(items, &mut ctes, outer);

            let mut outputs = None;
            for select in split_set_operations(body) {
                let these = self.select(select, &ctes, outer);
                outputs.get_or_insert(these);
            }
            outputs.unwrap_or_default()
        }

        /// Reads `WITH name AS (query), ...` into `ctes`; returns the rest.
        fn with_clause<'i>(
            &mut self,
            items: &'i [Item],
            ctes: &mut Vec<Cte>,
            outer: Option<&Scope>,
        ) -> &'i [Item] {
            if !is_keyword(items.first(), "WITH") {
                return items;
            }
            let mut i = 1;
            while let (Some(name), true, Some(Item::Group(body))) = (
                name_at(items, i),
                is_keyword(items.get(i + 1), "AS"),
                items.get(i + 2),
            ) {
                let columns = self.query(body, ctes, outer);
                ctes.push(Cte {
                    name: name.to_owned(),
                    columns,
                });
                i += 3;
                if !is_punct(items.get(i), ",") {
                    return &items[i..];
                }
                i += 1;
            }
            self.problem(format!(
                "cannot read the WITH clause at {}",
                describe(items.get(i))
            ));
            &[]
        }

        /// One `SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... ORDER BY ... LIMIT`.
        fn select(&mut self, items: &[Item], ctes: &[Cte], outer: Option<&Scope>) -> Outputs {
            if !is_keyword(items.first(), "SELECT") {
                self.problem(format!(
                    "expected SELECT, found {}",
                    describe(items.first())
                ));
                return Vec::new();
            }
            let clauses = split_clauses(&items[1..]);
            let (sources, conditions) = match clauses.get("FROM") {
                Some(from) => self.read_from_clause(from, ctes),
                None => (Vec::new(), Vec::new()),
            };
            let scope = Scope {
                sources,
                parent: outer,
            };

            let select_list = clauses.get("SELECT").copied().unwrap_or_default();
            let outputs = self.select_list(select_list, &scope, ctes);
            for condition in conditions {
                self.expression(condition, &scope, None, ctes);
            }
            for clause in ["WHERE", "GROUP", "HAVING", "LIMIT", "OFFSET"] {
                let clause = clauses.get(clause).copied().unwrap_or_default();
                self.expression(clause, &scope, None, ctes);
            }
            let order = clauses.get("ORDER").copied().unwrap_or_default();
            self.expression(order, &scope, Some(&outputs), ctes);

            self.require_measure_name_filters(&scope);
            outputs
        }

        fn require_measure_name_filters(&mut self, scope: &Scope) {
            for source in &scope.sources {
                let Some(table) = &source.table else { continue };
                if source.columns.is_some() && !source.filtered.get() {
                    self.problem(format!(
                        "\"{table}\" is read without measure_name = '{table}'"
                    ));
                }
            }
        }

        /// The sources of a `FROM` clause, and the `ON` conditions of its joins.
        fn read_from_clause<'i>(
            &mut self,
            items: &'i [Item],
            ctes: &[Cte],
        ) -> (Vec<Source>, Vec<&'i [Item]>) {
            let mut sources = Vec::new();
            let mut conditions = Vec::new();
            let mut i = 0;
            while i < items.len() {
                let (source, next) = self.source(items, i, ctes);
                sources.extend(source);
                i = next;

                if is_keyword(items.get(i), "ON") {
                    let end = join_boundary(items, i + 1);
                    conditions.push(&items[i + 1..end]);
                    i = end;
                }
                match items.get(i) {
                    None => break,
                    Some(item) if is_punct(Some(item), ",") => i += 1,
                    Some(item) if join_keyword(item) => i = skip_join_keywords(items, i),
                    Some(item) => {
                        self.problem(format!("cannot read FROM at {}", describe(Some(item))));
                        break;
                    }
                }
            }
            (sources, conditions)
        }

        /// One source at `items[i]` with its alias; returns it and where it ends.
        fn source(&mut self, items: &[Item], i: usize, ctes: &[Cte]) -> (Option<Source>, usize) {
            let (source, mut next) = match items.get(i) {
                Some(Item::Group(query)) => {
                    let columns = self.query(query, ctes, None);
                    (Some(derived("subquery", columns)), i + 1)
                }
                Some(Item::Token(Token::Macro(m))) if m == "$__database" => {
                    self.table_source(name_after_dot(items, i), None, i + 3)
                }
                Some(Item::Token(Token::Name { text, .. })) if is_punct(items.get(i + 1), ".") => {
                    self.table_source(name_after_dot(items, i), Some(text), i + 3)
                }
                Some(Item::Token(Token::Name { text, .. })) => match find_cte(ctes, text) {
                    Some(cte) => (Some(derived(&cte.name, cte.columns.clone())), i + 1),
                    None => {
                        self.problem(format!("\"{text}\" is neither a table nor a WITH query"));
                        (None, i + 1)
                    }
                },
                other => {
                    self.problem(format!("cannot read FROM at {}", describe(other)));
                    (None, items.len())
                }
            };

            if is_keyword(items.get(next), "AS") {
                next += 1;
            }
            let Some(alias) = name_at(items, next) else {
                return (source, next);
            };
            let source = source.map(|source| with_alias(source, alias));
            (source, next + 1)
        }

        /// A table source `<database>.<table>`; `database` is `None` for `$__database`.
        fn table_source(
            &mut self,
            table: Option<&str>,
            database: Option<&str>,
            next: usize,
        ) -> (Option<Source>, usize) {
            let Some(table) = table else {
                self.problem("expected a table name after the database");
                return (None, next);
            };
            if let Some(database) = database.filter(|d| *d != DATABASE) {
                let wrong = format!("\"{database}\".\"{table}\"");
                self.problem(format!("reads {wrong}: use $__database or \"{DATABASE}\""));
            }
            let columns = self.catalog.get(table).map(|columns| {
                let typed = |(name, ty): (&String, &String)| {
                    let column = Column {
                        origin: Some(name.clone()),
                        column_type: Some(ty.clone()),
                    };
                    (name.clone(), column)
                };
                columns.iter().map(typed).collect()
            });
            if columns.is_none() {
                self.problem(format!("\"{table}\" is not a table the transforms write"));
            }
            self.report.tables.insert(table.to_owned());

            let source = Source {
                name: table.to_owned(),
                table: Some(table.to_owned()),
                label: table.to_owned(),
                columns,
                filtered: Cell::new(false),
            };
            (Some(source), next)
        }

        /// The select list: checks each item and returns the named columns it produces.
        fn select_list(&mut self, items: &[Item], scope: &Scope, ctes: &[Cte]) -> Outputs {
            let items = match items.first() {
                Some(first) if is_keyword(Some(first), "DISTINCT") => &items[1..],
                Some(first) if is_keyword(Some(first), "ALL") => &items[1..],
                _ => items,
            };
            let mut outputs = Vec::new();
            for item in items.split(|item| is_punct(Some(item), ",")) {
                outputs.extend(self.select_item(item, scope, ctes));
            }
            outputs
        }

        fn select_item(&mut self, item: &[Item], scope: &Scope, ctes: &[Cte]) -> Outputs {
            if let Some(star) = self.star(item, scope) {
                return star;
            }
            let (expression, alias) = split_alias(item);
            self.expression(expression, scope, None, ctes);

            let (name, column) = match pass_through(expression, scope) {
                Some((name, column)) => (name, column),
                None => (
                    None,
                    Column {
                        origin: None,
                        column_type: None,
                    },
                ),
            };
            let name = alias.map(str::to_owned).or(name);
            name.map(|name| (name, column)).into_iter().collect()
        }

        /// The columns of `*` or `alias.*`, if `item` is one of those.
        fn star(&mut self, item: &[Item], scope: &Scope) -> Option<Outputs> {
            let all = |source: &Source| source.columns.clone().unwrap_or_default();
            match item {
                [star] if is_punct(Some(star), "*") => {
                    Some(scope.sources.iter().flat_map(all).collect())
                }
                [qualifier, dot, star] if is_punct(Some(dot), ".") && is_punct(Some(star), "*") => {
                    let name = name_of(qualifier)?;
                    let source = scope.sources.iter().find(|s| s.name == name);
                    if source.is_none() {
                        self.problem(format!("unknown table alias \"{name}\""));
                    }
                    Some(source.map(all).unwrap_or_default())
                }
                _ => None,
            }
        }

        /// Checks every column reference and string comparison in an expression.
        fn expression(
            &mut self,
            items: &[Item],
            scope: &Scope,
            outputs: Option<&Outputs>,
            ctes: &[Cte],
        ) {
            let mut operands = Vec::new();
            let mut i = 0;
            while i < items.len() {
                let (operand, len) = self.operand(items, i, scope, outputs, ctes);
                operands.push(operand);
                i += len;
            }
            self.check_comparisons(&operands);
        }

        /// The operand at `items[i]` and how many items it takes.
        fn operand<'s>(
            &mut self,
            items: &[Item],
            i: usize,
            scope: &'s Scope<'s>,
            outputs: Option<&Outputs>,
            ctes: &[Cte],
        ) -> (Operand<'s>, usize) {
            let token = match &items[i] {
                Item::Group(group) => return (self.group(group, scope, outputs, ctes), 1),
                Item::Token(token) => token,
            };
            let next = items.get(i + 1);
            match token {
                Token::Str(text) => (Operand::Str(text.clone()), 1),
                Token::Number(_) => (Operand::Other, 1),
                Token::Punct(p) if ["=", "<>", "!="].contains(&p.as_str()) => (Operand::Compare, 1),
                // A type after `::` or `AS` (in CAST), or an alias after `AS` (in OVER).
                Token::Punct(p) if p == "::" => (Operand::Other, 2),
                Token::Punct(_) => (Operand::Other, 1),
                Token::Macro(name) => (self.macro_operand(name, scope), 1),
                Token::Name { text, quoted } if !quoted && is_keyword_text(text) => (
                    keyword_operand(text),
                    if text.eq_ignore_ascii_case("AS") {
                        2
                    } else {
                        1
                    },
                ),
                Token::Name { quoted: false, .. } if matches!(next, Some(Item::Group(_))) => {
                    (Operand::Other, 1)
                }
                Token::Name { text, .. } if is_punct(next, ".") => {
                    let column = name_after_dot(items, i).map(|c| self.qualified(text, c, scope));
                    (column.flatten().map_or(Operand::Other, Operand::Column), 3)
                }
                Token::Name { text, .. } => {
                    let column = self.unqualified(text, scope, outputs);
                    (column.map_or(Operand::Other, Operand::Column), 1)
                }
            }
        }

        /// A parenthesised group: a subquery, a list of strings, or a nested expression.
        fn group<'s>(
            &mut self,
            group: &[Item],
            scope: &'s Scope<'s>,
            outputs: Option<&Outputs>,
            ctes: &[Cte],
        ) -> Operand<'s> {
            if is_keyword(group.first(), "SELECT") || is_keyword(group.first(), "WITH") {
                self.query(group, ctes, Some(scope));
                return Operand::Other;
            }
            self.expression(group, scope, outputs, ctes);
            string_list(group).map_or(Operand::Other, Operand::Strings)
        }

        fn macro_operand<'s>(&mut self, name: &str, scope: &'s Scope<'s>) -> Operand<'s> {
            match name {
                "$__timeFilter" => {
                    self.unqualified("time", scope, None);
                    Operand::Other
                }
                name if VALUE_MACROS.contains(&name) => Operand::Other,
                _ => {
                    self.problem(format!("unknown macro {name}"));
                    Operand::Other
                }
            }
        }

        /// Resolves `qualifier.name` in the scope or an enclosing one.
        fn qualified<'s>(
            &mut self,
            qualifier: &str,
            name: &str,
            scope: &'s Scope<'s>,
        ) -> Option<Resolved<'s>> {
            let mut current = Some(scope);
            while let Some(here) = current {
                if let Some(source) = here.sources.iter().find(|s| s.name == qualifier) {
                    let Some(column) = source.column(name) else {
                        self.problem(format!("\"{name}\" is not a column of {}", source.label));
                        return None;
                    };
                    return Some(Resolved {
                        column,
                        source: Some(source),
                    });
                }
                current = here.parent;
            }
            self.problem(format!("unknown table alias \"{qualifier}\""));
            None
        }

        /// Resolves an unqualified name: select-list aliases (in ORDER BY), then the sources
        /// of the scope, then of the enclosing scopes.
        fn unqualified<'s>(
            &mut self,
            name: &str,
            scope: &'s Scope<'s>,
            outputs: Option<&Outputs>,
        ) -> Option<Resolved<'s>> {
            let output = outputs.and_then(|o| o.iter().find(|(n, _)| n == name));
            if let Some((_, column)) = output {
                return Some(Resolved {
                    column: column.clone(),
                    source: None,
                });
            }
            let mut current = Some(scope);
            while let Some(here) = current {
                let found: Vec<&Source> = here
                    .sources
                    .iter()
                    .filter(|s| s.column(name).is_some())
                    .collect();
                match found.as_slice() {
                    [] => current = here.parent,
                    [source] => {
                        let column = source.column(name).expect("the source has it");
                        return Some(Resolved {
                            column,
                            source: Some(source),
                        });
                    }
                    [first, rest @ ..] => {
                        let rest: Vec<&str> = rest.iter().map(|s| s.label.as_str()).collect();
                        let all = format!("{} and {}", first.label, rest.join(" and "));
                        self.problem(format!("\"{name}\" is ambiguous: a column of {all}"));
                        return None;
                    }
                }
            }
            let labels: Vec<&str> = scope.sources.iter().map(|s| s.label.as_str()).collect();
            let place = if labels.is_empty() {
                "nothing".into()
            } else {
                labels.join(" or ")
            };
            self.problem(format!("\"{name}\" is not a column of {place}"));
            None
        }

        /// Checks `column = 'text'`, `'text' = column`, `column [NOT] IN ('a', 'b')`.
        fn check_comparisons(&mut self, operands: &[Operand]) {
            for (i, operand) in operands.iter().enumerate() {
                let Operand::Column(column) = operand else {
                    continue;
                };
                let after = &operands[i + 1..];
                let before = &operands[..i];
                match (after, before) {
                    ([Operand::Compare, Operand::Str(text), ..], _) => self.compare(column, text),
                    ([Operand::In, Operand::Strings(texts), ..], _)
                    | ([Operand::Not, Operand::In, Operand::Strings(texts), ..], _) => {
                        texts.iter().for_each(|text| self.compare(column, text));
                    }
                    (_, [.., Operand::Str(text), Operand::Compare]) => self.compare(column, text),
                    _ => {}
                }
            }
        }

        /// Checks one string compared to a column: its type, its listed values, and for
        /// `measure_name` the table it filters.
        fn compare(&mut self, resolved: &Resolved, text: &str) {
            let column = &resolved.column;
            let name = column.origin.as_deref().unwrap_or("?");
            if let Some(ty) = column.column_type.as_deref().filter(|ty| *ty != "VARCHAR") {
                self.problem(format!("'{text}' compared to \"{name}\", a {ty} column"));
                return;
            }
            if name == "measure_name" {
                self.measure_name_filter(resolved, text);
                return;
            }
            let listed = (self.listed)(name).filter(|listed| !listed.contains(&text));
            if let Some(listed) = listed {
                let listed = listed.join(", ");
                self.problem(format!(
                    "'{text}' is not a listed value of \"{name}\" ({listed})"
                ));
            }
        }

        fn measure_name_filter(&mut self, resolved: &Resolved, text: &str) {
            let Some(source) = resolved.source else {
                return;
            };
            let Some(table) = &source.table else { return };
            if text == table {
                source.filtered.set(true);
            } else {
                self.problem(format!("measure_name of \"{table}\" compared to '{text}'"));
            }
        }
    }

    /// A derived source (subquery or WITH query) before it gets its alias.
    fn derived(label: &str, columns: Outputs) -> Source {
        Source {
            name: label.to_owned(),
            table: None,
            label: label.to_owned(),
            columns: Some(columns),
            filtered: Cell::new(false),
        }
    }

    fn with_alias(mut source: Source, alias: &str) -> Source {
        source.label = format!("{} ({alias})", source.label);
        source.name = alias.to_owned();
        source
    }

    fn find_cte<'c>(ctes: &'c [Cte], name: &str) -> Option<&'c Cte> {
        ctes.iter().rev().find(|cte| cte.name == name)
    }

    /// The name and column an expression passes through unchanged: a column reference, or
    /// a [`PASS_THROUGH`] function of one. Resolves without reporting (the expression's own
    /// check reports).
    fn pass_through(items: &[Item], scope: &Scope) -> Option<(Option<String>, Column)> {
        match items {
            [item] => {
                let name = name_of(item)?;
                let source = scope.sources.iter().find(|s| s.column(name).is_some())?;
                Some((Some(name.to_owned()), source.column(name)?))
            }
            [qualifier, dot, item] if is_punct(Some(dot), ".") => {
                let (qualifier, name) = (name_of(qualifier)?, name_of(item)?);
                let source = scope.sources.iter().find(|s| s.name == qualifier)?;
                Some((Some(name.to_owned()), source.column(name)?))
            }
            [
                Item::Token(Token::Name {
                    text,
                    quoted: false,
                }),
                Item::Group(arguments),
            ] if PASS_THROUGH.contains(&text.to_ascii_lowercase().as_str()) => {
                let first = arguments.split(|item| is_punct(Some(item), ",")).next()?;
                let (_, column) = pass_through(first, scope)?;
                Some((None, column))
            }
            _ => None,
        }
    }

    /// Splits `expression [AS] alias` into the expression and the alias.
    fn split_alias(item: &[Item]) -> (&[Item], Option<&str>) {
        let n = item.len();
        if n >= 3 && is_keyword(item.get(n - 2), "AS") {
            return (&item[..n - 2], name_at(item, n - 1));
        }
        let implicit = n >= 2 && name_at(item, n - 1).is_some() && ends_operand(&item[n - 2]);
        if implicit {
            (&item[..n - 1], name_at(item, n - 1))
        } else {
            (item, None)
        }
    }

    /// True when `item` can end an expression, so a name after it is an alias.
    fn ends_operand(item: &Item) -> bool {
        match item {
            Item::Group(_) => true,
            Item::Token(Token::Str(_) | Token::Number(_)) => true,
            Item::Token(Token::Name { text, quoted }) => {
                *quoted || !is_keyword_text(text) || text.eq_ignore_ascii_case("END")
            }
            _ => false,
        }
    }

    /// Splits a `SELECT` (after the keyword) into clauses by their opening keyword; the
    /// select list is under `SELECT`.
    fn split_clauses(items: &[Item]) -> BTreeMap<&'static str, &[Item]> {
        let mut clauses = BTreeMap::new();
        let mut current = "SELECT";
        let mut start = 0;
        for (i, item) in items.iter().enumerate() {
            let Some(clause) = CLAUSES.iter().find(|c| is_keyword(Some(item), c)) else {
                continue;
            };
            clauses.insert(current, &items[start..i]);
            current = *clause;
            start = if matches!(*clause, "GROUP" | "ORDER") {
                i + 2
            } else {
                i + 1
            };
        }
        clauses.insert(current, &items[start.min(items.len())..]);
        clauses
    }

    /// Splits a query body at `UNION`, `INTERSECT` and `EXCEPT` (with `ALL` or `DISTINCT`).
    fn split_set_operations(items: &[Item]) -> Vec<&[Item]> {
        let is_set = |item: &Item| {
            ["UNION", "INTERSECT", "EXCEPT"]
                .iter()
                .any(|k| is_keyword(Some(item), k))
        };
        items
            .split(|item| is_set(item))
            .map(|part| match part.first() {
                Some(first) if is_keyword(Some(first), "ALL") => &part[1..],
                Some(first) if is_keyword(Some(first), "DISTINCT") => &part[1..],
                _ => part,
            })
            .collect()
    }

    /// Where the `ON` condition starting at `start` ends: the next join or comma.
    fn join_boundary(items: &[Item], start: usize) -> usize {
        let rest = items[start..]
            .iter()
            .position(|item| is_punct(Some(item), ",") || join_keyword(item));
        rest.map_or(items.len(), |at| start + at)
    }

    fn join_keyword(item: &Item) -> bool {
        JOINS.iter().any(|k| is_keyword(Some(item), k))
    }

    fn skip_join_keywords(items: &[Item], mut i: usize) -> usize {
        while items
            .get(i)
            .is_some_and(|item| join_keyword(item) && !is_keyword(Some(item), "JOIN"))
        {
            i += 1;
        }
        i + 1
    }

    fn keyword_operand(text: &str) -> Operand<'static> {
        match text.to_ascii_uppercase().as_str() {
            "NOT" => Operand::Not,
            "IN" => Operand::In,
            _ => Operand::Other,
        }
    }

    /// The strings of a group that holds only string literals and commas.
    fn string_list(group: &[Item]) -> Option<Vec<String>> {
        let mut texts = Vec::new();
        for item in group {
            match item {
                Item::Token(Token::Str(text)) => texts.push(text.clone()),
                item if is_punct(Some(item), ",") => {}
                _ => return None,
            }
        }
        (!texts.is_empty()).then_some(texts)
    }

    fn is_keyword_text(text: &str) -> bool {
        KEYWORDS
            .split_whitespace()
            .any(|k| k.eq_ignore_ascii_case(text))
    }

    /// True when `item` is the bare keyword `keyword` (any case).
    fn is_keyword(item: Option<&Item>, keyword: &str) -> bool {
        matches!(item, Some(Item::Token(Token::Name { text, quoted: false }))
            if text.eq_ignore_ascii_case(keyword))
    }

    fn is_punct(item: Option<&Item>, punct: &str) -> bool {
        matches!(item, Some(Item::Token(Token::Punct(p))) if p == punct)
    }

    /// The text of a quoted name, or of a bare name that is not a keyword.
    fn name_of(item: &Item) -> Option<&str> {
        match item {
            Item::Token(Token::Name { text, quoted: true }) => Some(text),
            Item::Token(Token::Name {
                text,
                quoted: false,
            }) if !is_keyword_text(text) => Some(text),
            _ => None,
        }
    }

    fn name_at(items: &[Item], i: usize) -> Option<&str> {
        items.get(i).and_then(name_of)
    }

    /// The name in `x . name` where `x` is at `items[i]`.
    fn name_after_dot(items: &[Item], i: usize) -> Option<&str> {
        is_punct(items.get(i + 1), ".")
            .then(|| name_at(items, i + 2))
            .flatten()
    }

    fn describe(item: Option<&Item>) -> String {
        match item {
            None => "the end".to_owned(),
            Some(Item::Group(_)) => "(...)".to_owned(),
            Some(Item::Token(Token::Name { text, quoted: true })) => format!("\"{text}\""),
            Some(Item::Token(
                Token::Name { text, .. }
                | Token::Macro(text)
                | Token::Number(text)
                | Token::Punct(text),
            )) => format!("`{text}`"),
            Some(Item::Token(Token::Str(text))) => format!("'{text}'"),
        }
    }
}
