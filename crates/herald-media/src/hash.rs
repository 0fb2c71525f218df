//! The content address of a stored file: the SHA-256 of its bytes, as 64 lowercase hex digits.
//!
//! A [`ContentHash`] that exists is well formed, so it is safe to build a path from it: a hash
//! that arrives from a URL or a database row is parsed here before it touches the disk.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::MediaError;

/// The SHA-256 of a file's bytes, in lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentHash(String);

impl ContentHash {
    /// Hashes `bytes`.
    pub fn of(bytes: &[u8]) -> ContentHash {
        ContentHash(hex::encode(Sha256::digest(bytes)))
    }

    /// Parses 64 hex digits, either case; the value kept is lowercase.
    pub fn parse(s: &str) -> Result<ContentHash, MediaError> {
        let ok = s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if ok {
            Ok(ContentHash(s.to_ascii_lowercase()))
        } else {
            Err(MediaError::InvalidHash(s.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two fan-out folders of the originals tree: `ab/cd` for `abcd…`.
    pub(crate) fn fan_out(&self) -> (&str, &str) {
        (&self.0[0..2], &self.0[2..4])
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ContentHash {
    type Error = MediaError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        ContentHash::parse(&s)
    }
}

impl From<ContentHash> for String {
    fn from(h: ContentHash) -> String {
        h.0
    }
}

impl std::str::FromStr for ContentHash {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContentHash::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_parses() {
        let h = ContentHash::of(b"abc");
        assert_eq!(
            h.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.fan_out(), ("ba", "78"));
        assert_eq!(ContentHash::parse(&h.as_str().to_uppercase()).ok(), Some(h));
        for bad in ["", "../../etc/passwd", &"g".repeat(64), &"a".repeat(63)] {
            assert!(ContentHash::parse(bad).is_err(), "{bad}");
        }
    }
}
