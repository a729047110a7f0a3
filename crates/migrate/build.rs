//! Embeds every `migrations/NNNN_name.sql` of the repository into the binary, so the tool (and
//! its container image for the Kubernetes Job) needs no files at run time and cannot miss one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();

    let mut generated = String::from("pub(crate) const EMBEDDED: &[crate::Migration] = &[\n");
    for path in &files {
        let version = path.file_stem().and_then(|stem| stem.to_str()).expect("UTF-8 file name");
        assert!(is_versioned_name(version), "{version}.sql: name migrations NNNN_snake_case.sql");
        let path = path.canonicalize().expect("canonical path");
        writeln!(generated, "    crate::Migration {{ version: {version:?}, sql: include_str!({path:?}) }},").unwrap();
    }
    generated.push_str("];\n");

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("embedded.rs");
    std::fs::write(out, generated).expect("write embedded.rs");
}

fn is_versioned_name(version: &str) -> bool {
    let (number, name) = version.split_at_checked(4).unwrap_or(("", ""));
    number.bytes().all(|byte| byte.is_ascii_digit())
        && name.starts_with('_')
        && name.len() > 1
        && name[1..].bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}
