//! Session ids and reset tokens: random values handed to clients, stored
//! only as digests.

use sha2::{Digest, Sha256};

/// A fresh random UUID v4 (122 random bits from the OS CSPRNG), as text.
pub fn generate_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The SHA-256 digest of `token` in lowercase hex: what the database keeps.
///
/// Look-ups compare digests, so the time a comparison takes tells nothing
/// about the token itself.
pub fn digest(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}
