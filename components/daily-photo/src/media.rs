//! Which media types the picture may be served as: the sidecar's answer is relayed only when it
//! declares one of the image types below. Anything else (say `text/html` from a compromised or
//! impersonated sidecar) would be served on the app's own origin, so it is refused.

/// The picture types the sidecar stores, as sent to the browser.
const ALLOWED: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// The allowed media type of `content_type` (parameters dropped, compared without case), or
/// why it is refused.
pub fn allowed_type(content_type: Option<&str>) -> Result<&'static str, String> {
    let declared = content_type.ok_or_else(|| "image service sent no Content-Type".to_owned())?;
    let media_type = declared.split(';').next().unwrap_or_default().trim();
    ALLOWED
        .into_iter()
        .find(|allowed| allowed.eq_ignore_ascii_case(media_type))
        .ok_or_else(|| format!("image service sent Content-Type {:?}, not an allowed image type", short(declared)))
}

/// At most 64 characters of what was sent, for the log.
fn short(text: &str) -> &str {
    text.char_indices().nth(64).map_or(text, |(cut, _)| &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_image_types_pass_in_canonical_form() {
        assert_eq!(allowed_type(Some("image/jpeg")), Ok("image/jpeg"));
        assert_eq!(allowed_type(Some("IMAGE/PNG")), Ok("image/png"));
        assert_eq!(allowed_type(Some(" image/gif ; q=1")), Ok("image/gif"));
        assert_eq!(allowed_type(Some("image/webp")), Ok("image/webp"));
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for refused in
            ["text/html", "text/html; charset=utf-8", "image/svg+xml", "application/octet-stream", "image/jpegx", ""]
        {
            let reason = allowed_type(Some(refused)).unwrap_err();
            assert!(reason.contains("not an allowed image type"), "{refused}: {reason}");
        }
        assert_eq!(allowed_type(None).unwrap_err(), "image service sent no Content-Type");
        assert!(allowed_type(Some(&"x".repeat(10_000))).unwrap_err().len() < 200, "the log line stays short");
    }
}
