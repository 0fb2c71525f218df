//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, as OWASP
//! recommends). Hashing runs on the blocking pool so it never stalls the async workers.

use crate::error::ApiError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Hashes a password into a PHC string (`$argon2id$v=19$…`).
pub async fn hash(password: &str) -> Result<String, ApiError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}

/// Checks a password against a stored PHC string; `false` for a wrong password or a
/// malformed hash.
pub async fn verify(password: &str, stored: &str) -> Result<bool, ApiError> {
    let password = password.to_string();
    let stored = stored.to_string();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .map_err(ApiError::internal)
}

/// A valid hash of a random password, verified against when the e-mail is unknown so that a
/// login takes as long for an unknown account as for a known one.
pub static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"no such user, no such password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let h1 = super::hash("correct horse battery").await.unwrap();
        let h2 = super::hash("correct horse battery").await.unwrap();
        assert!(h1.starts_with("$argon2id$"), "{h1}");
        assert_ne!(h1, h2, "salted");
        assert!(super::verify("correct horse battery", &h1).await.unwrap());
        assert!(!super::verify("wrong horse battery", &h1).await.unwrap());
        assert!(!super::verify("x", "not a hash").await.unwrap());
    }
}
