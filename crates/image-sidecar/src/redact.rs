//! URLs as they may appear in logs, errors and `/status`: without query string, fragment or
//! credentials, since a picture source's URL can carry an API key.

use reqwest::Url;

/// Removes the parts of `url` that may hold a secret.
pub fn strip(url: &mut Url) {
    url.set_query(None);
    url.set_fragment(None);
    // Both fail only for URLs that cannot have credentials anyway.
    let _ = url.set_username("");
    let _ = url.set_password(None);
}

/// `url` as it may be shown.
pub fn url(url: &Url) -> String {
    let mut shown = url.clone();
    strip(&mut shown);
    shown.to_string()
}

/// Text that did not even parse as a URL, cut before its first `?` or `#`.
pub fn text(value: &str) -> &str {
    value.split(['?', '#']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_fragment_and_credentials_are_dropped() {
        let source = Url::parse("https://user:pw@picsum.photos/1200?api_key=s3cret#top").unwrap();
        assert_eq!(url(&source), "https://picsum.photos/1200");
    }

    #[test]
    fn unparsed_text_is_cut_at_the_query() {
        assert_eq!(text("htp:/x?key=s3cret"), "htp:/x");
        assert_eq!(text("nothing to hide"), "nothing to hide");
    }
}
