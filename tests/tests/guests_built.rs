//! The guest build harness: every guest crate is built, and each result is a component.

use std::fs;
use std::path::Path;

use connect_rt_tests::{guests, sample, workspace_root};

/// A binary component starts with the wasm magic and the component layer's version, 0x0d 1.
const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

#[test]
fn every_guest_component_exists_in_the_guest_target_dir() {
    let release_dir = workspace_root().join("target/wasm-guests/wasm32-wasip2/release");

    for (package, path) in guests::ALL {
        let path = Path::new(path);
        assert!(
            path.is_file(),
            "{package}: no component at {}",
            path.display()
        );
        assert_eq!(path.parent(), Some(release_dir.as_path()), "{package}");
    }
}

#[test]
fn every_guest_is_a_component_not_a_core_module() {
    for (package, path) in guests::ALL {
        let bytes = fs::read(path).unwrap_or_else(|error| panic!("{package}: {path}: {error}"));

        assert_eq!(
            bytes.get(..8),
            Some(&COMPONENT_HEADER[..]),
            "{package}: {path}"
        );
    }
}

/// A crate under `guest-transforms/` is a guest, and must be in `tests/build.rs`'s `GUESTS`,
/// when its manifest builds a `cdylib` (the core module that becomes the component). A
/// library the guests share, such as `transform-kit`, builds no `cdylib` and is left out.
#[test]
fn every_guest_crate_in_the_workspace_is_built() {
    let mut on_disk = guest_packages(&workspace_root().join("guest-transforms"));
    on_disk.sort();

    let mut built: Vec<String> = guests::ALL
        .iter()
        .map(|(package, _)| package.to_string())
        .collect();
    built.sort();

    assert_eq!(on_disk, built);
}

#[test]
fn sample_reads_a_fixture_by_name() {
    let readme = sample("README.md");

    assert!(readme.starts_with(b"# Sample Amazon Connect payloads\n"));
}

#[test]
fn the_shared_library_is_not_taken_for_a_guest() {
    let on_disk = guest_packages(&workspace_root().join("guest-transforms"));

    assert!(!on_disk.iter().any(|package| package == "transform-kit"));
}

/// The package names of every `Cargo.toml` under `dir`, at any depth, that builds a `cdylib`.
fn guest_packages(dir: &Path) -> Vec<String> {
    let mut packages = Vec::new();

    for entry in fs::read_dir(dir).expect("guest-transforms/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            packages.extend(guest_packages(&path));
        } else if path.file_name() == Some("Cargo.toml".as_ref()) {
            let text = fs::read_to_string(&path).expect("manifest is readable");
            if builds_cdylib(&text) {
                packages.push(package_name(&text, &path));
            }
        }
    }
    packages
}

/// Whether a manifest's `crate-type` line lists `cdylib`.
fn builds_cdylib(manifest: &str) -> bool {
    manifest
        .lines()
        .filter(|line| line.trim_start().starts_with("crate-type"))
        .any(|line| line.contains("\"cdylib\""))
}

/// The `name` of a manifest's `[package]`: its first `name = "..."` line.
fn package_name(text: &str, manifest: &Path) -> String {
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with("name ="));
    let name = line.and_then(|line| line.split('"').nth(1));

    name.unwrap_or_else(|| panic!("no package name in {}", manifest.display()))
        .to_string()
}
