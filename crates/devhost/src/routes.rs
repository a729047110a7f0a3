//! Route matching exactly like Spin's HTTP trigger (which uses `routefinder` too): exact routes
//! beat `:param` segments, which beat a trailing `/...` wildcard, and among wildcards the
//! longest prefix wins. When two triggers declare the same route, the last one wins.

use anyhow::{Result, anyhow};

pub(crate) struct Router(routefinder::Router<Route>);

/// One `[[trigger.http]]` route.
struct Route {
    /// Index of the component in the app.
    component: usize,
    /// The route as written in the manifest.
    raw: String,
    /// The route combined with the base path `/` (Spin's "based route").
    based: String,
}

/// A request path matched to a route.
pub(crate) struct RouteMatch<'a> {
    route: &'a Route,
    /// The path after the route's prefix, for `/...` routes (Spin's path info).
    pub path_info: String,
    /// `:name` segments and their values.
    pub named: Vec<(String, String)>,
}

/// A route that an identical later route made unreachable.
pub(crate) struct Duplicate {
    pub route: String,
    pub replaced: usize,
    pub effective: usize,
}

impl Router {
    /// Builds the router from `(route, component index)` pairs, in manifest order.
    pub fn build<'a>(routes: impl IntoIterator<Item = (&'a str, usize)>) -> Result<(Self, Vec<Duplicate>)> {
        let mut unique: Vec<(&str, usize)> = Vec::new();
        let mut duplicates = Vec::new();
        for (raw, component) in routes {
            match unique.iter_mut().find(|(r, _)| *r == raw) {
                Some(existing) => {
                    duplicates.push(Duplicate { route: raw.to_owned(), replaced: existing.1, effective: component });
                    existing.1 = component;
                }
                None => unique.push((raw, component)),
            }
        }
        let mut router = routefinder::Router::new();
        for (raw, component) in unique {
            let based = based_route(raw);
            let spec = match based.strip_suffix("/...") {
                Some(prefix) => format!("{prefix}/*"),
                None => based.clone(),
            };
            let route = Route { component, raw: raw.to_owned(), based };
            router.add(spec.as_str(), route).map_err(|e| anyhow!("invalid route {raw:?}: {e}"))?;
        }
        Ok((Self(router), duplicates))
    }

    pub fn route<'a>(&'a self, path: &str) -> Option<RouteMatch<'a>> {
        let found = self.0.best_match(path)?;
        let captures = found.captures();
        let path_info = captures.wildcard().map(|rest| trailing_wildcard(rest, path)).unwrap_or_default();
        let named = captures.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        Some(RouteMatch { route: found.handler(), path_info, named })
    }
}

impl RouteMatch<'_> {
    pub fn component(&self) -> usize {
        self.route.component
    }

    /// The route as written in the manifest (`spin-raw-component-route`).
    pub fn raw_route(&self) -> &str {
        &self.route.raw
    }

    /// The route combined with the base (`spin-matched-route`).
    pub fn based_route(&self) -> &str {
        &self.route.based
    }

    /// The route without its `/...` suffix (`spin-component-route`).
    pub fn raw_route_or_prefix(&self) -> &str {
        self.route.raw.strip_suffix("/...").unwrap_or(&self.route.raw)
    }
}

/// Spin joins the (always `/`) base and the route, dropping one trailing slash of each, so `/`
/// becomes the empty route and `foo/` becomes `/foo`.
fn based_route(raw: &str) -> String {
    let absolute = if raw.starts_with('/') { raw.to_owned() } else { format!("/{raw}") };
    absolute.strip_suffix('/').map(str::to_owned).unwrap_or(absolute)
}

/// Spin keeps the trailing slash that `routefinder` drops from wildcard captures.
fn trailing_wildcard(captured: &str, path: &str) -> String {
    match (captured.is_empty(), path.ends_with('/')) {
        (true, false) => String::new(),
        (true, true) => "/".to_owned(),
        (false, false) => format!("/{captured}"),
        (false, true) => format!("/{captured}/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[&str]) -> Router {
        Router::build(routes.iter().enumerate().map(|(i, r)| (*r, i))).unwrap().0
    }

    fn component(router: &Router, path: &str) -> Option<usize> {
        router.route(path).map(|m| m.component())
    }

    #[test]
    fn exact_beats_param_beats_wildcard() {
        let r = router(&["/...", "/api/todos", "/api/todos/:id", "/api/..."]);
        assert_eq!(component(&r, "/api/todos"), Some(1));
        assert_eq!(component(&r, "/api/todos/42"), Some(2));
        assert_eq!(component(&r, "/api/todos/42/x"), Some(3));
        assert_eq!(component(&r, "/api/other"), Some(3));
        assert_eq!(component(&r, "/elsewhere"), Some(0));
        assert_eq!(component(&r, "/"), Some(0));
    }

    #[test]
    fn longest_wildcard_prefix_wins_regardless_of_order() {
        let r = router(&["/one/two/...", "/one/...", "/one/two/three/..."]);
        assert_eq!(component(&r, "/one/two/three/four"), Some(2));
        assert_eq!(component(&r, "/one/two/x"), Some(0));
        assert_eq!(component(&r, "/one/x"), Some(1));
    }

    #[test]
    fn exact_routes_do_not_match_other_paths() {
        let r = router(&["/", "/api/todos"]);
        assert_eq!(component(&r, "/"), Some(0));
        assert_eq!(component(&r, "/api/todos/1"), None);
        assert_eq!(component(&r, "/other"), None);
    }

    #[test]
    fn path_info_keeps_trailing_slashes() {
        let r = router(&["/test/..."]);
        assert_eq!(r.route("/test").unwrap().path_info, "");
        assert_eq!(r.route("/test/").unwrap().path_info, "/");
        assert_eq!(r.route("/test/a/b").unwrap().path_info, "/a/b");
        assert_eq!(r.route("/test/a/").unwrap().path_info, "/a/");
    }

    #[test]
    fn named_segments_are_captured() {
        let r = router(&["/api/todos/:id"]);
        let m = r.route("/api/todos/42").unwrap();
        assert_eq!(m.named, vec![("id".to_owned(), "42".to_owned())]);
        assert_eq!(m.raw_route(), "/api/todos/:id");
    }

    #[test]
    fn route_names_follow_spin() {
        let r = router(&["/", "/assets/..."]);
        let root = r.route("/").unwrap();
        assert_eq!((root.based_route(), root.raw_route(), root.raw_route_or_prefix()), ("", "/", "/"));
        let assets = r.route("/assets/app.js").unwrap();
        assert_eq!(assets.based_route(), "/assets/...");
        assert_eq!(assets.raw_route_or_prefix(), "/assets");
    }

    #[test]
    fn the_last_duplicate_wins() {
        let (r, duplicates) = Router::build([("/a", 0), ("/a", 1)]).unwrap();
        assert_eq!(component(&r, "/a"), Some(1));
        assert_eq!((duplicates[0].replaced, duplicates[0].effective), (0, 1));
    }
}
