//! One request to the sidecar's `/image` through `wasi:http/outgoing-handler`, with deadlines:
//! a sidecar that is down or hangs turns into an error in about two seconds, never a hang.

use wasi::http::outgoing_handler;
use wasi::http::types::{Fields, IncomingResponse, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};
use wasi::io::streams::StreamError;

const NANOS_PER_MILLI: u64 = 1_000_000;
const CONNECT_TIMEOUT_MS: u64 = 1_000;
const FIRST_BYTE_TIMEOUT_MS: u64 = 2_000;
const BETWEEN_BYTES_TIMEOUT_MS: u64 = 2_000;
/// Above the sidecar's own 10 MiB default cap; guards the component's memory if it is raised.
const MAX_IMAGE_BYTES: usize = 32 * 1024 * 1024;
const READ_CHUNK: u64 = 64 * 1024;

/// Where the sidecar is, from `image_service_url` (`http://host:port`, optionally with a path).
pub struct Upstream {
    scheme: Scheme,
    authority: String,
    path: String,
}

/// The sidecar's answer (200 or 304) and what the browser needs of it.
pub struct FetchedImage {
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub placeholder: bool,
    pub body: Vec<u8>,
}

impl Upstream {
    pub fn parse(base_url: &str) -> Result<Self, String> {
        let (scheme, rest) = if let Some(rest) = base_url.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else if let Some(rest) = base_url.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else {
            return Err(format!("image_service_url {base_url:?} is not an http(s) URL"));
        };
        let (authority, base_path) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.is_empty() {
            return Err(format!("image_service_url {base_url:?} has no host"));
        }
        let base_path = base_path.trim_matches('/');
        let path = if base_path.is_empty() { "/image".to_owned() } else { format!("/{base_path}/image") };
        Ok(Upstream { scheme, authority: authority.to_owned(), path })
    }

    pub fn fetch_image(&self, head: bool, if_none_match: &[Vec<u8>]) -> Result<FetchedImage, String> {
        let response = self.send(head, if_none_match)?;
        let status = response.status();
        if status != 200 && status != 304 {
            return Err(format!("image service answered HTTP {status}"));
        }
        let headers = response.headers();
        let header = |name: &str| {
            headers.get(&name.to_owned()).into_iter().next().and_then(|value| String::from_utf8(value).ok())
        };
        let fetched = FetchedImage {
            status,
            content_type: header("content-type"),
            etag: header("etag"),
            last_modified: header("last-modified"),
            placeholder: header("x-image-placeholder").as_deref() == Some("true"),
            body: if head || status == 304 { Vec::new() } else { read_body(&response)? },
        };
        Ok(fetched)
    }

    fn send(&self, head: bool, if_none_match: &[Vec<u8>]) -> Result<IncomingResponse, String> {
        let headers = Fields::new();
        // Forwarded as sent, bytes included: an entity-tag may hold obs-text.
        for tags in if_none_match {
            headers.append(&"if-none-match".to_owned(), tags).map_err(|e| format!("{e:?}"))?;
        }
        let request = OutgoingRequest::new(headers);
        let method = if head { Method::Head } else { Method::Get };
        let built = request.set_method(&method).is_ok()
            && request.set_scheme(Some(&self.scheme)).is_ok()
            && request.set_authority(Some(&self.authority)).is_ok()
            && request.set_path_with_query(Some(&self.path)).is_ok();
        if !built {
            return Err(format!("invalid image service address {:?}{:?}", self.authority, self.path));
        }
        let body = request.body().map_err(|()| "request body already taken".to_owned())?;
        OutgoingBody::finish(body, None).map_err(|error| format!("finish request: {error:?}"))?;

        let options = RequestOptions::new();
        // Each setter fails only if the host does not support that timeout; then it is left out.
        let _ = options.set_connect_timeout(Some(CONNECT_TIMEOUT_MS * NANOS_PER_MILLI));
        let _ = options.set_first_byte_timeout(Some(FIRST_BYTE_TIMEOUT_MS * NANOS_PER_MILLI));
        let _ = options.set_between_bytes_timeout(Some(BETWEEN_BYTES_TIMEOUT_MS * NANOS_PER_MILLI));

        let pending = outgoing_handler::handle(request, Some(options))
            .map_err(|error| format!("image service request refused: {error:?}"))?;
        pending.subscribe().block();
        match pending.get() {
            Some(Ok(Ok(response))) => Ok(response),
            Some(Ok(Err(error))) => Err(format!("image service unreachable: {error:?}")),
            Some(Err(())) | None => Err("image service response lost".to_owned()),
        }
    }
}

fn read_body(response: &IncomingResponse) -> Result<Vec<u8>, String> {
    let body = response.consume().map_err(|()| "response body already taken".to_owned())?;
    let stream = body.stream().map_err(|()| "response stream already taken".to_owned())?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(READ_CHUNK) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(error)) => {
                return Err(format!("image service body broke off: {}", error.to_debug_string()));
            }
        }
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(format!("image service sent more than {MAX_IMAGE_BYTES} bytes"));
        }
    }
    drop(stream);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_forms_lead_to_the_image_path() {
        for (base, authority, path) in [
            ("http://127.0.0.1:8081", "127.0.0.1:8081", "/image"),
            ("http://sidecar:8081/", "sidecar:8081", "/image"),
            ("http://gateway/photos/", "gateway", "/photos/image"),
        ] {
            let upstream = Upstream::parse(base).unwrap();
            assert_eq!((upstream.authority.as_str(), upstream.path.as_str()), (authority, path), "{base}");
        }
    }

    #[test]
    fn other_urls_are_refused() {
        assert!(Upstream::parse("sidecar:8081").is_err());
        assert!(Upstream::parse("http:///image").is_err());
    }
}
