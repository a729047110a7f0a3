//! A picture and its metadata, as stored on the volume and served.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::media;

/// How far in the future a stored fetch time may lie (clocks of two nodes disagree a little);
/// beyond that it is corrupt, and would put off the next refresh for good.
const CLOCK_SKEW: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct Image {
    pub bytes: Bytes,
    pub meta: ImageMeta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageMeta {
    #[serde(with = "rfc3339")]
    pub fetched_at: SystemTime,
    pub content_type: String,
    pub size: u64,
    /// Lower-case hex; also the strong ETag.
    pub sha256: String,
    /// The URL the picture was finally downloaded from (after redirects).
    pub source: String,
}

impl Image {
    pub fn new(bytes: Bytes, content_type: &str, source: &str, fetched_at: SystemTime) -> Self {
        let meta = ImageMeta {
            fetched_at,
            content_type: content_type.to_owned(),
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
            source: source.to_owned(),
        };
        Image { bytes, meta }
    }

    /// Checks that the metadata read from the volume describes these bytes and is usable as
    /// it is served (HTTP headers, schedule); says what is wrong otherwise.
    pub fn verify(&self) -> Result<(), String> {
        let meta = &self.meta;
        if self.bytes.len() as u64 != meta.size || sha256_hex(&self.bytes) != meta.sha256 {
            return Err(format!(
                "the picture does not match its metadata (sha256 {:?}, size {})",
                meta.sha256, meta.size
            ));
        }
        if media::sniff(&self.bytes) != Some(meta.content_type.as_str()) {
            return Err(format!("content type {:?} is not what the bytes are", meta.content_type));
        }
        if meta.fetched_at > SystemTime::now() + CLOCK_SKEW {
            return Err(format!("fetched_at {} lies in the future", format_rfc3339(meta.fetched_at)));
        }
        Ok(())
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

pub fn format_rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Timestamps as RFC 3339 text in JSON, readable by people and `jq` alike.
mod rfc3339 {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&humantime::format_rfc3339_nanos(*time).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_rfc3339(&text).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_through_json() {
        let image = Image::new(Bytes::from_static(b"GIF89a"), "image/gif", "http://x/y", SystemTime::now());
        let json = serde_json::to_string(&image.meta).unwrap();
        assert_eq!(serde_json::from_str::<ImageMeta>(&json).unwrap(), image.meta);
    }

    fn gif() -> Image {
        Image::new(Bytes::from_static(b"GIF89a"), "image/gif", "http://x/y", SystemTime::now())
    }

    #[test]
    fn changed_bytes_are_detected() {
        let mut image = gif();
        assert_eq!(image.verify(), Ok(()));
        image.bytes = Bytes::from_static(b"GIF87a");
        assert!(image.verify().is_err());
    }

    #[test]
    fn metadata_that_cannot_be_served_is_refused() {
        let mut header_breaking = gif();
        header_breaking.meta.content_type = "image/gif\r\nSet-Cookie: x=1".to_owned();
        let mut far_future = gif();
        far_future.meta.fetched_at = SystemTime::now() + Duration::from_secs(200 * 365 * 86_400);
        for image in [header_breaking, far_future] {
            assert!(image.verify().is_err(), "{:?}", image.meta);
        }
    }
}
