//! Encryption at rest for platform credentials: AES-256-GCM with a random 96-bit nonce per
//! value, under the instance's secret key.
//!
//! The key comes from the configuration (`HERALD_SECRET_KEY`, 64 hex characters) or is
//! generated into `<data dir>/secret.key` with mode 0600 on first run. Ciphertexts are
//! `v1:` + base64(nonce ‖ ciphertext ‖ tag), so the format can change later without guessing.

use crate::{Result, StoreError};
use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use herald_domain::Secret;
use std::path::Path;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// The instance's 256-bit secret key. Its `Debug` prints `[redacted]`.
#[derive(Clone)]
pub struct SecretKey(Secret<[u8; 32]>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl SecretKey {
    /// Parses 64 hexadecimal characters.
    pub fn from_hex(hex_key: &str) -> Result<Self, &'static str> {
        let bytes = hex::decode(hex_key.trim())
            .map_err(|_| "the secret key must be 64 hexadecimal characters")?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the secret key must be 64 hexadecimal characters (32 bytes)")?;
        Ok(Self(Secret::new(arr)))
    }

    pub fn generate() -> Self {
        let key = Aes256Gcm::generate_key(OsRng);
        let mut arr = [0u8; 32];
        arr.copy_from_slice(&key);
        Self(Secret::new(arr))
    }

    /// Reads `<dir>/secret.key`, or creates it (mode 0600) with a fresh key.
    pub fn load_or_create(dir: &Path) -> Result<Self> {
        let path = dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_hex(&text).map_err(StoreError::Crypto),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                write_private(&path, &hex::encode(key.0.expose()))?;
                Ok(key)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.0.expose()))
    }

    /// Encrypts `plain` into the stored text form.
    pub fn encrypt(&self, plain: &str) -> Result<String> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = self
            .cipher()
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| StoreError::Crypto("encryption failed"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        ))
    }

    /// Decrypts a value made by [`SecretKey::encrypt`]; a wrong key or a tampered value fails.
    pub fn decrypt(&self, stored: &str) -> Result<Secret<String>> {
        let body = stored
            .strip_prefix(PREFIX)
            .ok_or(StoreError::Crypto("unknown ciphertext format"))?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| StoreError::Crypto("ciphertext is not base64"))?;
        if raw.len() < NONCE_LEN + 16 {
            return Err(StoreError::Crypto("ciphertext is too short"));
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher()
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| StoreError::Crypto("wrong key or tampered ciphertext"))?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| StoreError::Crypto("plaintext is not UTF-8"))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> Result<()> {
    std::fs::write(path, contents)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = SecretKey::generate();
        let ct = key.encrypt("vk1.a.token").unwrap();
        assert!(ct.starts_with("v1:"));
        assert!(!ct.contains("vk1.a.token"));
        assert_eq!(key.decrypt(&ct).unwrap().expose(), "vk1.a.token");
        // Same plaintext, fresh nonce: a different ciphertext.
        assert_ne!(key.encrypt("vk1.a.token").unwrap(), ct);
        // Another key cannot read it.
        assert!(SecretKey::generate().decrypt(&ct).is_err());
        // A flipped byte is detected.
        let mut raw = base64::engine::general_purpose::STANDARD
            .decode(&ct[3..])
            .unwrap();
        raw[NONCE_LEN] ^= 1;
        let bad = format!(
            "v1:{}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        );
        assert!(key.decrypt(&bad).is_err());
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("herald-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join("secret.key"));
        let k1 = SecretKey::load_or_create(&dir).unwrap();
        let k2 = SecretKey::load_or_create(&dir).unwrap();
        let ct = k1.encrypt("x").unwrap();
        assert_eq!(k2.decrypt(&ct).unwrap().expose(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(format!("{k1:?}"), "SecretKey([redacted])");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hex_key_must_be_32_bytes() {
        assert!(SecretKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(SecretKey::from_hex("abcd").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
    }
}
