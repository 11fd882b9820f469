//! Golden files: expected output kept as pretty JSON under `tests/golden/`. A test compares
//! what it got with the file; `BLESS=1` writes what it got instead, for review in the diff.

use std::path::{Path, PathBuf};

/// The golden file at `tests/golden/<relative>`.
pub fn path(relative: &Path) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(relative)
}

/// Compares `actual` with the golden file (or writes it when `BLESS` is set).
///
/// # Panics
/// When they differ, or the file is missing and `BLESS` is not set.
pub fn check(relative: &Path, actual: &serde_json::Value) {
    let path = path(relative);
    let rendered = serde_json::to_string_pretty(actual).expect("JSON renders") + "\n";
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden files live in a folder"))
            .expect("golden folder is writable");
        std::fs::write(&path, rendered).expect("golden file is writable");
        return;
    }

    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "golden file {} unreadable ({e}); run with BLESS=1 to create it",
            path.display()
        )
    });
    let expected: serde_json::Value = serde_json::from_str(&expected).expect("golden file is JSON");
    assert!(
        &expected == actual,
        "output differs from {}; run with BLESS=1 to accept it\n--- expected\n{}\n--- actual\n{}",
        path.display(),
        serde_json::to_string_pretty(&expected).unwrap(),
        rendered,
    );
}
