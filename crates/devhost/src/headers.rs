//! The request headers Spin's HTTP trigger adds for the component.

use std::net::SocketAddr;

use http::{HeaderMap, HeaderName, HeaderValue, Uri};

use crate::routes::RouteMatch;

/// Sets `spin-full-url`, `spin-path-info`, `spin-matched-route`, `spin-base-path`,
/// `spin-raw-component-route`, `spin-component-route`, `spin-client-addr` and one
/// `spin-path-match-<name>` per `:name` segment.
///
/// Unlike Spin, which appends them after the client's headers, they replace any header of the
/// same name sent by the client, so that a client cannot spoof them.
pub(crate) fn set_spin_headers(headers: &mut HeaderMap, uri: &Uri, route: &RouteMatch<'_>, client: SocketAddr) {
    let host = headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = uri.scheme_str().unwrap_or("http");
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let full_url = format!("{scheme}://{host}{path_and_query}");

    let mut set = |name: HeaderName, value: &str| {
        // Every value comes from a valid URI, header or route, so conversion cannot fail in
        // practice; a value that somehow does not convert is left out rather than panicking.
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(HeaderName::from_static("spin-full-url"), &full_url);
    set(HeaderName::from_static("spin-path-info"), &route.path_info);
    set(HeaderName::from_static("spin-matched-route"), route.based_route());
    set(HeaderName::from_static("spin-base-path"), "/");
    set(HeaderName::from_static("spin-raw-component-route"), route.raw_route());
    set(HeaderName::from_static("spin-component-route"), route.raw_route_or_prefix());
    set(HeaderName::from_static("spin-client-addr"), &client.to_string());
    for (name, value) in &route.named {
        if let Ok(name) = HeaderName::try_from(format!("spin-path-match-{}", name.to_ascii_lowercase())) {
            set(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::Router;

    #[test]
    fn headers_for_a_wildcard_route_with_a_named_segment() {
        let (router, _) = Router::build([("/foo/:userid/...", 0)]).unwrap();
        let route = router.route("/foo/42/bar").unwrap();
        let uri: Uri = "http://example.test/foo/42/bar?a=1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("example.test"));
        headers.insert("spin-client-addr", HeaderValue::from_static("spoofed"));
        set_spin_headers(&mut headers, &uri, &route, "127.0.0.1:8777".parse().unwrap());

        let get = |name: &str| headers.get_all(name).iter().map(|v| v.to_str().unwrap()).collect::<Vec<_>>();
        assert_eq!(get("spin-full-url"), ["http://example.test/foo/42/bar?a=1"]);
        assert_eq!(get("spin-path-info"), ["/bar"]);
        assert_eq!(get("spin-matched-route"), ["/foo/:userid/..."]);
        assert_eq!(get("spin-base-path"), ["/"]);
        assert_eq!(get("spin-raw-component-route"), ["/foo/:userid/..."]);
        assert_eq!(get("spin-component-route"), ["/foo/:userid"]);
        assert_eq!(get("spin-client-addr"), ["127.0.0.1:8777"]);
        assert_eq!(get("spin-path-match-userid"), ["42"]);
    }
}
