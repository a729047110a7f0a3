use spin_sdk::http::Response;

/// A JSON response with the given status.
pub fn json(status: u16, body: &impl serde::Serialize) -> Response {
    // Serializing our own plain structs cannot fail (no maps with non-string keys).
    // Sized for a list page up front: growing a buffer by doubling costs a copy each time.
    let mut bytes = Vec::with_capacity(8 * 1024);
    serde_json::to_writer(&mut bytes, body).expect("API bodies serialize to JSON");
    Response::builder().status(status).header("content-type", "application/json").body(bytes).build()
}
