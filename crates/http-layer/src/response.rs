use spin_sdk::http::Response;

/// A JSON response with the given status.
pub fn json(status: u16, body: &impl serde::Serialize) -> Response {
    // Serializing our own plain structs cannot fail (no maps with non-string keys).
    let bytes = serde_json::to_vec(body).expect("API bodies serialize to JSON");
    Response::builder().status(status).header("content-type", "application/json").body(bytes).build()
}
