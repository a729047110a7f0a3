//! Which downloads count as pictures: an `image/*` content type whose magic bytes are JPEG, PNG,
//! WebP or GIF, and agree with the declared type.

/// The content type that the bytes themselves announce, if they are a supported picture.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// `image/jpeg; charset=x` -> `image/jpeg`, lower case, with the common JPEG aliases folded.
fn essence(content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "image/jpg" | "image/pjpeg" => "image/jpeg".to_owned(),
        _ => essence,
    }
}

/// Whether a response's declared type may be a picture at all, checked before the body is read.
pub fn declares_image(content_type: &str) -> bool {
    essence(content_type).starts_with("image/")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    NotAnImage { declared: String },
    UnknownFormat,
    Mismatch { declared: String, actual: &'static str },
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAnImage { declared } => write!(f, "content type {declared:?} is not image/*"),
            Self::UnknownFormat => write!(f, "bytes are not JPEG, PNG, WebP or GIF"),
            Self::Mismatch { declared, actual } => write!(f, "declared {declared:?} but the bytes are {actual}"),
        }
    }
}

/// The content type to store and serve: the sniffed one, once it agrees with the declared one.
pub fn validate(declared: &str, bytes: &[u8]) -> Result<&'static str, Rejection> {
    if !declares_image(declared) {
        return Err(Rejection::NotAnImage { declared: declared.to_owned() });
    }
    let actual = sniff(bytes).ok_or(Rejection::UnknownFormat)?;
    if essence(declared) != actual {
        return Err(Rejection::Mismatch { declared: declared.to_owned(), actual });
    }
    Ok(actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    const WEBP: &[u8] = b"RIFF\x24\0\0\0WEBPVP8 ";

    #[test]
    fn each_supported_format_is_recognised() {
        assert_eq!(validate("image/jpeg", JPEG), Ok("image/jpeg"));
        assert_eq!(validate("image/jpg", JPEG), Ok("image/jpeg"));
        assert_eq!(validate("image/png", b"\x89PNG\r\n\x1a\n\0\0"), Ok("image/png"));
        assert_eq!(validate("image/gif", b"GIF89a\x01\x00"), Ok("image/gif"));
        assert_eq!(validate("IMAGE/WEBP; q=1", WEBP), Ok("image/webp"));
    }

    #[test]
    fn html_is_rejected_whatever_it_claims() {
        let html = b"<!doctype html><html></html>";
        assert!(matches!(validate("text/html", html), Err(Rejection::NotAnImage { .. })));
        assert_eq!(validate("image/jpeg", html), Err(Rejection::UnknownFormat));
    }

    #[test]
    fn declared_and_actual_format_must_agree() {
        assert!(matches!(validate("image/png", JPEG), Err(Rejection::Mismatch { actual: "image/jpeg", .. })));
    }

    #[test]
    fn truncated_headers_are_not_pictures() {
        assert_eq!(sniff(b"RIFF\0\0"), None);
        assert_eq!(sniff(&[0xFF, 0xD8]), None);
        assert_eq!(sniff(b""), None);
    }
}
