//! `GET /api/todos?limit=&before=&done=`: the newest todos first and the counts, one SELECT;
//! each todo says whether it is the caller's (`mine`). An `ETag` made from the change counter
//! and the caller, so a polling client whose copy is current gets `304` after one read of the
//! counter, without the page query.

use http_layer::{ApiError, Route, header_values, not_modified, query, serve, unchanged};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{ListQuery, list_etag, session, store, todo_list};

const ROUTE: Route = Route { name: "/api/todos", methods: &[Method::Get] };
/// A cache must ask every time, and gets a cheap 304 when it may reuse its copy.
const CACHE_CONTROL: &str = "no-cache";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, list_todos).await
}

async fn list_todos(request: IncomingRequest) -> Result<Response, ApiError> {
    let list_query = ListQuery::parse(&query(&request))?;
    let reader = session(&request).map(|session| session.author());
    let if_none_match = header_values(&request, "if-none-match");
    let db = todo_core::connect()?;
    // A client with a copy: the change counter alone says whether it is still current. When it
    // is not, the page's own snapshot gives the new tag (a write may land in between).
    if !if_none_match.is_empty() {
        let etag = list_etag(store::changes(&db)?, &list_query, reader.as_ref());
        if not_modified(&if_none_match, &etag) {
            return Ok(cacheable(unchanged(&etag)));
        }
    }
    let page = store::list(&db, list_query, reader.as_ref())?;
    let mut response = todo_list(&page.todos, page.counts);
    response.set_header("etag", list_etag(page.changes, &list_query, reader.as_ref()));
    Ok(cacheable(response))
}

/// Revalidated on every use; `mine` depends on the session, so a shared cache keeps one copy
/// per cookie.
fn cacheable(mut response: Response) -> Response {
    response.set_header("cache-control", CACHE_CONTROL);
    response.set_header("vary", "cookie");
    response
}
