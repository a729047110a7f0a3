use std::fmt;

/// Longest accepted `Idempotency-Key`; a UUID needs 36.
const MAX_KEY_LEN: usize = 255;

/// The value of an `Idempotency-Key` header: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, InvalidIdempotencyKey> {
        let visible_ascii = raw.bytes().all(|byte| byte.is_ascii_graphic());
        if raw.is_empty() || raw.len() > MAX_KEY_LEN || !visible_ascii {
            return Err(InvalidIdempotencyKey);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InvalidIdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_uuid_like_keys() {
        let key = IdempotencyKey::parse("0b6f2c1e-8f3a-4d2b-9c7e-1a2b3c4d5e6f").unwrap();
        assert_eq!(key.as_str(), "0b6f2c1e-8f3a-4d2b-9c7e-1a2b3c4d5e6f");
    }

    #[test]
    fn rejects_empty_spaces_non_ascii_and_overlong() {
        for raw in ["", "a b", "ä", "tab\t", &"k".repeat(MAX_KEY_LEN + 1)] {
            assert_eq!(IdempotencyKey::parse(raw), Err(InvalidIdempotencyKey), "{raw:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(MAX_KEY_LEN)).is_ok());
    }
}
