//! Session ids and reset tokens: random values handed to clients, stored
//! only as digests.

use std::fmt;

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

/// `bytes` random bytes from the OS CSPRNG, as unpadded base64url: the
/// provider's codes, tokens and client secrets.
pub fn random_base64url(bytes: usize) -> String {
    use base64::Engine;
    let mut random = vec![0u8; bytes];
    getrandom::getrandom(&mut random).expect("the OS random number generator works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random)
}

/// A fresh public handle: 128 random bits in hex, naming something to its
/// owner (a session on the account page) without being a secret.
pub fn handle() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A random bearer value handed to a client, kept by the service only as
/// its digest, and never printed: `$name`, documented by `$doc`, whose
/// `expose()` serves `$use`. A macro rather than a generic `Bearer<Kind>`:
/// each value is a type of its own, with its own name and documentation in
/// every signature and in rustdoc, and no marker types to invent.
macro_rules! bearer_value {
    ($(#[doc = $doc:literal])* $name:ident, $use:literal) => {
        $(#[doc = $doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// A fresh random one.
            pub fn generate() -> Self {
                $name(generate_uuid())
            }

            #[doc = $use]
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// What the database keeps of it.
            pub(crate) fn digest(&self) -> String {
                digest(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(<redacted>)", stringify!($name))
            }
        }
    };
}

bearer_value!(
    /// A session id as handed to the client: never printed.
    SessionId,
    "The id itself, to seal into the cookie."
);

bearer_value!(
    /// The id of a passkey ceremony as handed to the client: whoever holds
    /// it may finish the ceremony, so it is never printed either.
    CeremonyId,
    "The id itself, for the answer that starts the ceremony."
);

bearer_value!(
    /// The id of a sign-in waiting for its second factor, as its browser
    /// holds it: whoever holds it may finish the sign-in with a code, so
    /// it is never printed either.
    PendingSignInId,
    "The id itself, to seal into the browser's cookie."
);

impl PendingSignInId {
    /// The id a browser presented (read from its sealed cookie).
    pub fn presented(id: &str) -> Self {
        PendingSignInId(id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256_in_lowercase_hex() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_session_id_is_never_printed() {
        let id = SessionId::generate();
        assert_eq!(format!("{id:?}"), "SessionId(<redacted>)");
        assert_ne!(id, SessionId::generate());
    }
}
