//! The picture served before any download ever succeeded (e.g. offline on first start).

use std::time::SystemTime;

use bytes::Bytes;

use crate::image::Image;

const PNG: &[u8] = include_bytes!("../assets/placeholder.png");

pub fn image() -> Image {
    Image::new(Bytes::from_static(PNG), "image/png", "built-in placeholder", SystemTime::now())
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholder_is_a_valid_png() {
        assert_eq!(crate::media::validate("image/png", super::PNG), Ok("image/png"));
    }
}
