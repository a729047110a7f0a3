//! The files this component serves, embedded at build time with their ETags (see build.rs).

pub struct Asset {
    pub content_type: &'static str,
    caching: Caching,
    /// Strong validator, quoted: `"<hex>"`.
    pub etag: &'static str,
    pub body: &'static [u8],
}

enum Caching {
    /// The HTML is revalidated on every load (a cheap 304), so a deployment shows at once.
    Revalidate,
    /// Linked from the HTML with `?v=<hash>`, so a changed file gets a new URL.
    Versioned,
}

const REVALIDATE: &str = "no-cache";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether this instance has the version a request asks for, and how long it may be cached.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    Current(&'static str),
    OtherVersion,
}

impl Asset {
    /// `?v=` must name the embedded version to be cached for good; without it, the bytes are
    /// revalidated each time; with another version (an older or newer pod), they are not served.
    pub fn freshness(&self, query: &str) -> Freshness {
        if matches!(self.caching, Caching::Revalidate) {
            return Freshness::Current(REVALIDATE);
        }
        let version = self.etag.trim_matches('"');
        let mut requested = query.split('&').filter_map(|pair| pair.strip_prefix("v=")).peekable();
        if requested.peek().is_none() {
            Freshness::Current(REVALIDATE)
        } else if requested.all(|asked| asked == version) {
            Freshness::Current(IMMUTABLE)
        } else {
            Freshness::OtherVersion
        }
    }
}

const INDEX: Asset = Asset {
    content_type: "text/html; charset=utf-8",
    caching: Caching::Revalidate,
    etag: env!("ETAG_INDEX_HTML"),
    body: include_bytes!(concat!(env!("OUT_DIR"), "/index.html")),
};

const APP_CSS: Asset = Asset {
    content_type: "text/css; charset=utf-8",
    caching: Caching::Versioned,
    etag: env!("ETAG_APP_CSS"),
    body: include_bytes!("../assets/app.css"),
};

const APP_JS: Asset = Asset {
    content_type: "text/javascript; charset=utf-8",
    caching: Caching::Versioned,
    etag: env!("ETAG_APP_JS"),
    body: include_bytes!("../assets/app.js"),
};

const FAVICON: Asset = Asset {
    content_type: "image/svg+xml",
    caching: Caching::Versioned,
    etag: env!("ETAG_FAVICON_SVG"),
    body: include_bytes!("../assets/favicon.svg"),
};

/// The asset for a request path (query already stripped), if any.
pub fn find(path: &str) -> Option<&'static Asset> {
    match path {
        "/" => Some(&INDEX),
        "/assets/app.css" => Some(&APP_CSS),
        "/assets/app.js" => Some(&APP_JS),
        "/assets/favicon.svg" => Some(&FAVICON),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_links_every_asset_with_its_version() {
        let html = std::str::from_utf8(INDEX.body).unwrap();
        for (path, asset) in
            [("/assets/app.css", &APP_CSS), ("/assets/app.js", &APP_JS), ("/assets/favicon.svg", &FAVICON)]
        {
            let version = asset.etag.trim_matches('"');
            assert!(html.contains(&format!("\"{path}?v={version}\"")), "{path} not versioned");
        }
    }

    /// The CSP forbids inline code: it would be blocked in the browser, so keep it out.
    #[test]
    fn index_has_no_inline_script_or_style() {
        let html = std::str::from_utf8(INDEX.body).unwrap();
        for script in html.split("<script").skip(1) {
            assert!(script.split('>').next().unwrap().contains("src="), "inline <script{script}");
        }
        for inline in ["<style", " style=", " onclick=", " onload=", " onerror=", "javascript:"] {
            assert!(!html.contains(inline), "index.html contains {inline}");
        }
    }

    #[test]
    fn etags_are_quoted_and_distinct() {
        let tags = [INDEX.etag, APP_CSS.etag, APP_JS.etag, FAVICON.etag];
        for tag in tags {
            assert!(tag.len() == 34 && tag.starts_with('"') && tag.ends_with('"'), "{tag}");
        }
        let mut unique = tags.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), tags.len());
    }

    #[test]
    fn only_the_embedded_version_is_immutable() {
        let version = APP_JS.etag.trim_matches('"');
        assert_eq!(APP_JS.freshness(&format!("v={version}")), Freshness::Current(IMMUTABLE));
        assert_eq!(APP_JS.freshness(&format!("x=1&v={version}")), Freshness::Current(IMMUTABLE));
        assert_eq!(APP_JS.freshness(""), Freshness::Current(REVALIDATE));
        for query in ["v=0123", "v=", &format!("v={version}&v=old"), &format!("v={version}x")] {
            assert_eq!(APP_JS.freshness(query), Freshness::OtherVersion, "{query}");
        }
        assert_eq!(INDEX.freshness("v=anything"), Freshness::Current(REVALIDATE));
    }

    #[test]
    fn unknown_paths_are_not_served() {
        for path in ["/index.html", "/assets/", "/assets/../Cargo.toml", "/assets/app.js/x"] {
            assert!(find(path).is_none(), "{path}");
        }
    }
}
