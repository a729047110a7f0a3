//! Computes each asset's strong ETag at build time and renders index.html with
//! versioned asset URLs (`/assets/app.js?v=<hash>`), so assets can be cached for a year
//! while a new deployment is still picked up at once through the (revalidated) HTML.
//!
//! Outputs: `$OUT_DIR/index.html`, and one `ETAG_<FILE_NAME>` env var per served file.

use sha2::{Digest, Sha256};
use std::{env, fs, path::Path};

/// Files under assets/ that index.html links to (everything except index.html itself).
const LINKED_ASSETS: &[&str] = &["app.css", "app.js", "favicon.svg"];

fn main() {
    println!("cargo:rerun-if-changed=assets");
    let assets = Path::new("assets");
    let mut html = String::from_utf8(read(&assets.join("index.html"))).expect("index.html is UTF-8");

    for name in LINKED_ASSETS {
        let hash = short_hash(&read(&assets.join(name)));
        export_etag(name, &hash);
        let url = format!("/assets/{name}");
        assert!(html.contains(&format!("\"{url}\"")), "index.html does not link {url}");
        html = html.replace(&format!("\"{url}\""), &format!("\"{url}?v={hash}\""));
    }

    export_etag("index.html", &short_hash(html.as_bytes()));
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("index.html");
    fs::write(&out, html).expect("write rendered index.html");
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// First 128 bits of SHA-256 in hex: collision-free in practice, short enough for URLs.
fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..16].iter().map(|b| format!("{b:02x}")).collect()
}

fn export_etag(file_name: &str, hash: &str) {
    let var = file_name.to_uppercase().replace(['.', '-'], "_");
    println!("cargo:rustc-env=ETAG_{var}=\"{hash}\"");
}
