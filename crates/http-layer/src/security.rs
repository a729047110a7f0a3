//! The headers every response carries, errors included. API and image responses are data, never
//! a document: the browser must not sniff them into HTML, and if one is opened as a page it may
//! load, run and embed nothing. A component serving documents (the web page) replaces the CSP
//! with its own after `serve`.

use spin_sdk::http::Response;

/// Allows nothing: no script, style, image, frame or connection from such a response.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// HTTPS only, for a year, for the host and its subdomains. Browsers ignore it on plain HTTP
/// (RFC 6797 §8.1), so it is sent on every response and takes effect once served over HTTPS.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

pub(crate) fn apply(response: &mut Response) {
    response.set_header("x-content-type-options", "nosniff");
    response.set_header("content-security-policy", CONTENT_SECURITY_POLICY);
    response.set_header("strict-transport-security", STRICT_TRANSPORT_SECURITY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_response_gets_nosniff_a_csp_allowing_nothing_and_hsts() {
        let mut response = Response::builder().status(200).header("content-type", "image/png").build();
        apply(&mut response);
        let header = |name: &str| response.header(name).and_then(|value| value.as_str()).map(str::to_owned);
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
        let csp = header("content-security-policy").unwrap();
        assert!(csp.split(';').any(|directive| directive.trim() == "default-src 'none'"), "{csp}");
        assert_eq!(header("strict-transport-security").as_deref(), Some("max-age=31536000; includeSubDomains"));
    }
}
