//! The record key of a delivery's post: a TID (the AT Protocol's 13-character,
//! base32-sortable timestamp identifier) derived from the delivery's idempotency key, so every
//! attempt of one delivery asks for the same rkey and a retry can never make a second post.
//!
//! A TID is a 64-bit integer, top bit 0, then 53 bits of microseconds since the Unix epoch and
//! 10 bits of "clock id", written as 13 characters of `234567abcdefghijklmnopqrstuvwxyz`.
//! Here both parts come from SHA-256 of the key: the timestamp is placed in a window of
//! 2^46 µs (about 2.2 years) from 2023-01-01, so that it is in the past and looks like any
//! other TID, and the clock id takes 10 more bits; 56 bits of the hash in all.

use sha2::{Digest, Sha256};

/// The base32-sortable alphabet of TIDs and record keys.
const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
/// 2023-01-01T00:00:00Z in microseconds.
const WINDOW_START_US: u64 = 1_672_531_200_000_000;
/// Width of the timestamp window, in bits of microseconds.
const WINDOW_BITS: u32 = 46;
/// Characters in a TID.
pub const TID_LEN: usize = 13;

/// The rkey for the post of the delivery with this idempotency key.
pub fn rkey_for(idempotency_key: &str) -> String {
    let digest = Sha256::digest(idempotency_key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let bits = u64::from_be_bytes(first);
    let offset = bits >> (64 - WINDOW_BITS);
    let clock_id = bits & 0x3ff;
    let micros = WINDOW_START_US + offset;
    encode((micros << 10) | clock_id)
}

/// Writes a TID integer as 13 base32-sortable characters, most significant first.
fn encode(mut value: u64) -> String {
    value &= u64::MAX >> 1;
    let mut out = [b'2'; TID_LEN];
    for slot in out.iter_mut().rev() {
        // The mask keeps the index below 32, so it always lands in the alphabet.
        *slot = ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

/// Whether `s` is a syntactically valid TID (the PDS's own check).
pub fn is_valid_tid(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == TID_LEN
        && bytes[0].is_ascii()
        && b"234567abcdefghij".contains(&bytes[0])
        && bytes[1..].iter().all(|b| ALPHABET.contains(b))
}

/// The microseconds since the epoch a TID carries (for tests and diagnostics).
pub fn tid_micros(s: &str) -> Option<u64> {
    if !is_valid_tid(s) {
        return None;
    }
    let mut value: u64 = 0;
    for b in s.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == b)?;
        value = (value << 5) | u64::try_from(digit).ok()?;
    }
    Some(value >> 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn bluesky_rkey_is_a_valid_tid() {
        for key in ["", "a", "delivery-1", "ключ 🚀", &"x".repeat(10_000)] {
            let rkey = rkey_for(key);
            assert_eq!(rkey.len(), TID_LEN, "{rkey}");
            assert!(is_valid_tid(&rkey), "{rkey}");
            assert!(rkey.bytes().all(|b| ALPHABET.contains(&b)));
        }
    }

    #[test]
    fn bluesky_rkey_is_deterministic_and_distinct() {
        assert_eq!(rkey_for("delivery-42"), rkey_for("delivery-42"));
        let keys: HashSet<String> = (0..20_000).map(|i| rkey_for(&format!("d-{i}"))).collect();
        assert_eq!(keys.len(), 20_000);
        assert_ne!(rkey_for("a"), rkey_for("b"));
    }

    #[test]
    fn bluesky_rkey_timestamp_is_in_the_past_window() {
        let end = WINDOW_START_US + (1u64 << WINDOW_BITS);
        for i in 0..1_000 {
            let micros = tid_micros(&rkey_for(&format!("k{i}"))).unwrap();
            assert!((WINDOW_START_US..end).contains(&micros), "{micros}");
        }
        // The window ends in 2025, before any post Herald makes.
        assert!(end < 1_767_225_600_000_000);
    }

    #[test]
    fn bluesky_tid_encoding_matches_the_spec() {
        // The zero TID and the largest one (top bit 0; the PDS regex allows up to "j…").
        assert_eq!(encode(0), "2222222222222");
        assert_eq!(encode(u64::MAX >> 1), "bzzzzzzzzzzzz");
        assert!(is_valid_tid("3jzfcijpj2z2a"));
        assert_eq!(tid_micros(&encode(12_345 << 10 | 7)), Some(12_345));
        for bad in [
            "",
            "3jzfcijpj2z2",
            "kzzzzzzzzzzzz",
            "3jzfcijpj2z21",
            "3JZFCIJPJ2Z2A",
        ] {
            assert!(!is_valid_tid(bad), "{bad}");
        }
    }
}
