//! JSON Web Keys and compact JWS signatures (RFC 7515, 7517, 7518, 8037): the keys
//! that sign the provider's ID tokens, and their public JWKs. Not the
//! `jsonwebtoken` crate: it needs `rsa` 0.10.0, and webauthn-rs holds `rsa` at
//! 0.10.0-rc.19, so this signs with the primitives directly: RustCrypto's,
//! and ring's for RSA signatures (see [`RsaKey`]).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::elliptic_curve::Generate;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::{Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;

/// Size of the RSA keys this module makes, and the least it accepts (bits):
/// RFC 7518 requires 2048 bits or more for RS256.
const RSA_BITS: usize = 2048;

/// Random bytes of a key id.
const KID_BYTES: usize = 16;

/// A JWS signature algorithm the provider signs ID tokens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, with an RSA key of 2048 bits or more.
    #[serde(rename = "RS256")]
    Rs256,
    /// ECDSA with the P-256 curve and SHA-256.
    #[serde(rename = "ES256")]
    Es256,
    /// EdDSA with Ed25519 (RFC 8037).
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl Algorithm {
    /// Every algorithm, as the discovery document lists them.
    pub const ALL: [Algorithm; 3] = [Algorithm::Rs256, Algorithm::Es256, Algorithm::EdDsa];

    /// Its JWA name, as in a JWS header or a JWK's `alg`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Es256 => "ES256",
            Algorithm::EdDsa => "EdDSA",
        }
    }
}

impl FromStr for Algorithm {
    type Err = String;

    /// The algorithm of a JWA name, exactly as written ("RS256", not "rs256").
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|alg| alg.as_str() == name)
            .ok_or_else(|| {
                let accepted: Vec<&str> = Algorithm::ALL.iter().map(|alg| alg.as_str()).collect();
                format!(
                    "unknown signing algorithm {name:?}: expected one of {}",
                    accepted.join(", ")
                )
            })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A private signing key with its key id. Its `Debug` shows the id and the
/// algorithm, never the key.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    key: PrivateKey,
}

/// The private key of an algorithm.
#[derive(Clone)]
enum PrivateKey {
    Rs256(RsaKey),
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
}

/// An RSA private key, as two libraries hold it: RustCrypto's `rsa` makes
/// it, encodes it and publishes its JWK; ring signs with it, in a third of
/// the time (0.56 ms a signature against 1.6 ms on the machine of
/// bench/run), which is most of what the token endpoint spends on a
/// refresh. ring is rustls's cryptography, in the build already for HTTPS
/// and SMTP.
#[derive(Clone)]
struct RsaKey {
    key: Arc<RsaPrivateKey>,
    signer: Arc<ring::signature::RsaKeyPair>,
}

impl RsaKey {
    /// `key`, with its ring signer; None if ring refuses it.
    fn new(key: RsaPrivateKey) -> Option<RsaKey> {
        let der = key.to_pkcs8_der().ok()?;
        let signer = ring::signature::RsaKeyPair::from_pkcs8(der.as_bytes()).ok()?;
        Some(RsaKey {
            key: Arc::new(key),
            signer: Arc::new(signer),
        })
    }
}

impl SigningKey {
    /// A new key for `alg`, with a new random id: RSA of 2048 bits (e =
    /// 65537) for RS256, P-256 for ES256, Ed25519 for EdDSA. An RSA key takes a while (see
    /// the profile overrides in Cargo.toml): call it off the async threads.
    pub fn generate(alg: Algorithm) -> SigningKey {
        let mut rng = rand::rng();
        let key = match alg {
            Algorithm::Rs256 => {
                let key = RsaPrivateKey::new(&mut rng, RSA_BITS)
                    .expect("2048 bits and e = 65537 are within what rsa generates");
                PrivateKey::Rs256(
                    RsaKey::new(key).expect("a key rsa generates is one ring signs with"),
                )
            }
            Algorithm::Es256 => {
                PrivateKey::Es256(p256::ecdsa::SigningKey::generate_from_rng(&mut rng))
            }
            Algorithm::EdDsa => PrivateKey::EdDsa(ed25519_dalek::SigningKey::generate(&mut rng)),
        };
        SigningKey {
            kid: new_kid(),
            key,
        }
    }

    /// Its key id, the `kid` of its tokens' headers and of its JWK.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm it signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self.key {
            PrivateKey::Rs256(_) => Algorithm::Rs256,
            PrivateKey::Es256(_) => Algorithm::Es256,
            PrivateKey::EdDsa(_) => Algorithm::EdDsa,
        }
    }

    /// The private key in PKCS#8 DER, for the caller to seal at rest (the
    /// id and algorithm are not in it).
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        let document = match &self.key {
            PrivateKey::Rs256(key) => key.key.to_pkcs8_der(),
            PrivateKey::Es256(key) => key.to_pkcs8_der(),
            PrivateKey::EdDsa(key) => key.to_pkcs8_der(),
        };
        document
            .expect("a valid RSA, P-256 or Ed25519 private key encodes as PKCS#8")
            .as_bytes()
            .to_vec()
    }

    /// The key `kid` of `alg` from its PKCS#8 DER ([`Self::to_pkcs8_der`]).
    /// None if `der` is not a private key of that algorithm, or is an RSA
    /// key under 2048 bits.
    pub fn from_pkcs8_der(kid: &str, alg: Algorithm, der: &[u8]) -> Option<SigningKey> {
        let key = match alg {
            Algorithm::Rs256 => {
                let key = RsaPrivateKey::from_pkcs8_der(der).ok()?;
                if (key.n().bit_width() as usize) < RSA_BITS {
                    return None;
                }
                PrivateKey::Rs256(RsaKey::new(key)?)
            }
            Algorithm::Es256 => {
                PrivateKey::Es256(p256::ecdsa::SigningKey::from_pkcs8_der(der).ok()?)
            }
            Algorithm::EdDsa => {
                PrivateKey::EdDsa(ed25519_dalek::SigningKey::from_pkcs8_der(der).ok()?)
            }
        };
        Some(SigningKey {
            kid: kid.to_owned(),
            key,
        })
    }

    /// Its public key as a JWK (RFC 7517, 7518, 8037): `kty` "RSA" with `n`
    /// and `e`, `kty` "EC", `crv` "P-256" with `x` and `y` (32 bytes each),
    /// or `kty` "OKP", `crv` "Ed25519" with `x`, all in unpadded base64url;
    /// with `kid`, `use` "sig" and `alg`.
    pub fn public_jwk(&self) -> serde_json::Value {
        let mut jwk = match &self.key {
            PrivateKey::Rs256(RsaKey { key, .. }) => {
                serde_json::json!({
                    "kty": "RSA",
                    "n": URL_SAFE_NO_PAD.encode(key.n_bytes()),
                    "e": URL_SAFE_NO_PAD.encode(key.e_bytes()),
                })
            }
            PrivateKey::Es256(key) => {
                let point = key.verifying_key().to_sec1_point(false);
                let (x, y) = point
                    .x()
                    .zip(point.y())
                    .expect("an uncompressed point that is not the identity has both coordinates");
                serde_json::json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "x": URL_SAFE_NO_PAD.encode(x),
                    "y": URL_SAFE_NO_PAD.encode(y),
                })
            }
            PrivateKey::EdDsa(key) => serde_json::json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
            }),
        };
        jwk["kid"] = self.kid.clone().into();
        jwk["use"] = "sig".into();
        jwk["alg"] = self.algorithm().as_str().into();
        jwk
    }

    /// `claims` signed as a compact JWS (a JWT): header, claims and
    /// signature, each in unpadded base64url, joined by dots; the header
    /// names the algorithm, the key id and `typ` "JWT". An ES256 signature
    /// is r and s, 32 bytes each (not DER).
    ///
    /// Panics if `claims` does not serialize to JSON (a map with keys that
    /// are not strings, say): claims are the provider's own types.
    pub fn sign(&self, claims: &impl serde::Serialize) -> String {
        let header = serde_json::json!({
            "alg": self.algorithm().as_str(),
            "kid": self.kid,
            "typ": "JWT",
        });
        let claims = serde_json::to_vec(claims).expect("the claims serialize to JSON");
        let mut token = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signature = match &self.key {
            // With the random number generator, ring blinds the private key
            // operation against timing attacks.
            PrivateKey::Rs256(RsaKey { signer, .. }) => {
                let mut signature = vec![0; signer.public().modulus_len()];
                signer
                    .sign(
                        &ring::signature::RSA_PKCS1_SHA256,
                        &ring::rand::SystemRandom::new(),
                        token.as_bytes(),
                        &mut signature,
                    )
                    .expect("a SHA-256 digest fits a PKCS#1 v1.5 signature of 2048 bits or more");
                signature
            }
            PrivateKey::Es256(key) => {
                let signature: p256::ecdsa::Signature = key
                    .try_sign(token.as_bytes())
                    .expect("RFC 6979 ECDSA signing with a valid P-256 key succeeds");
                signature.to_bytes().to_vec()
            }
            PrivateKey::EdDsa(key) => {
                let signature: ed25519_dalek::Signature = key
                    .try_sign(token.as_bytes())
                    .expect("Ed25519 signing with a valid key succeeds");
                signature.to_bytes().to_vec()
            }
        };
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature));
        token
    }
}

impl SigningKey {
    /// The claims of `token` if this key signed it: its header names this
    /// key and its algorithm, and its signature verifies. `None` for
    /// anything else (another key's token, a forged or malformed one). The
    /// claims' own times are not checked.
    pub fn verified_claims(&self, token: &str) -> Option<serde_json::Value> {
        let (signed, signature) = token.rsplit_once('.')?;
        let (header, payload) = signed.split_once('.')?;
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header["kid"] != self.kid.as_str() || header["alg"] != self.algorithm().as_str() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let input = signed.as_bytes();
        let verified = match &self.key {
            PrivateKey::Rs256(RsaKey { signer, .. }) => {
                let public = ring::signature::UnparsedPublicKey::new(
                    &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                    signer.public().as_ref(),
                );
                public.verify(input, &signature).is_ok()
            }
            PrivateKey::Es256(key) => {
                let signature = p256::ecdsa::Signature::from_slice(&signature).ok()?;
                key.verifying_key().verify(input, &signature).is_ok()
            }
            PrivateKey::EdDsa(key) => {
                let signature = ed25519_dalek::Signature::from_slice(&signature).ok()?;
                key.verifying_key().verify(input, &signature).is_ok()
            }
        };
        let claims = URL_SAFE_NO_PAD.decode(payload).ok()?;
        verified
            .then(|| serde_json::from_slice(&claims).ok())
            .flatten()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &format_args!("{}", self.algorithm()))
            .finish_non_exhaustive()
    }
}

/// A new key id: 128 random bits in unpadded base64url.
fn new_kid() -> String {
    let mut bytes = [0u8; KID_BYTES];
    getrandom::getrandom(&mut bytes).expect("the OS random number generator works");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use rsa::sha2::Sha256;
    use rsa::signature::Verifier;
    use serde_json::{json, Value};

    use super::*;

    /// One key of each algorithm, shared by the tests (an RSA key is slow to
    /// make).
    fn key(alg: Algorithm) -> &'static SigningKey {
        static RS256: OnceLock<SigningKey> = OnceLock::new();
        static ES256: OnceLock<SigningKey> = OnceLock::new();
        static EDDSA: OnceLock<SigningKey> = OnceLock::new();
        let cell = match alg {
            Algorithm::Rs256 => &RS256,
            Algorithm::Es256 => &ES256,
            Algorithm::EdDsa => &EDDSA,
        };
        cell.get_or_init(|| SigningKey::generate(alg))
    }

    fn member(jwk: &Value, name: &str) -> Vec<u8> {
        let text = jwk[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {jwk}"));
        URL_SAFE_NO_PAD.decode(text).expect("unpadded base64url")
    }

    /// Whether `signature` of `input` verifies with the key rebuilt from
    /// the public members of `jwk` alone.
    fn verifies(jwk: &Value, input: &[u8], signature: &[u8]) -> bool {
        match jwk["kty"].as_str() {
            Some("RSA") => {
                let n = rsa::BoxedUint::from_be_slice_vartime(&member(jwk, "n"));
                let e = rsa::BoxedUint::from_be_slice_vartime(&member(jwk, "e"));
                let public = rsa::RsaPublicKey::new(n, e).expect("a valid RSA public key");
                let verifying = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public);
                let Ok(signature) = rsa::pkcs1v15::Signature::try_from(signature) else {
                    return false;
                };
                verifying.verify(input, &signature).is_ok()
            }
            Some("EC") => {
                assert_eq!(jwk["crv"], "P-256");
                let (x, y) = (member(jwk, "x"), member(jwk, "y"));
                assert_eq!((x.len(), y.len()), (32, 32));
                let point = p256::Sec1Point::from_affine_coordinates(
                    &p256::FieldBytes::try_from(x.as_slice()).expect("32 bytes"),
                    &p256::FieldBytes::try_from(y.as_slice()).expect("32 bytes"),
                    false,
                );
                let verifying = p256::ecdsa::VerifyingKey::from_sec1_point(&point)
                    .expect("a point of the curve");
                let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else {
                    return false;
                };
                verifying.verify(input, &signature).is_ok()
            }
            Some("OKP") => {
                assert_eq!(jwk["crv"], "Ed25519");
                let x: [u8; 32] = member(jwk, "x").try_into().expect("32 bytes");
                let verifying =
                    ed25519_dalek::VerifyingKey::from_bytes(&x).expect("a point of the curve");
                let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                verifying.verify(input, &signature).is_ok()
            }
            other => panic!("unexpected kty {other:?}"),
        }
    }

    /// The three parts of a compact JWS, decoded.
    fn parts(token: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "{token}");
        let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).expect("unpadded base64url");
        (decode(parts[0]), decode(parts[1]), decode(parts[2]))
    }

    /// The signing input of a header and payload.
    fn signing_input(header: &[u8], payload: &[u8]) -> Vec<u8> {
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
        .into_bytes()
    }

    fn claims() -> Value {
        json!({"iss": "https://auth.example", "sub": "42", "aud": "app", "exp": 1_900_000_000})
    }

    #[test]
    fn signed_tokens_verify_with_the_public_jwk_alone() {
        for alg in Algorithm::ALL {
            let key = key(alg);
            let token = key.sign(&claims());
            let (header, payload, signature) = parts(&token);

            let header: Value = serde_json::from_slice(&header).expect("JSON header");
            assert_eq!(
                header,
                json!({"alg": alg.as_str(), "kid": key.kid(), "typ": "JWT"})
            );
            assert_eq!(
                serde_json::from_slice::<Value>(&payload).expect("JSON"),
                claims()
            );

            let jwk = key.public_jwk();
            let (signed, _) = token.rsplit_once('.').expect("three parts");
            assert!(verifies(&jwk, signed.as_bytes(), &signature), "{alg}");

            let header = URL_SAFE_NO_PAD.decode(token.split('.').next().expect("a header"));
            let header = header.expect("base64url");
            let mut tampered = payload.clone();
            tampered[10] ^= 1;
            let input = signing_input(&header, &tampered);
            assert!(
                !verifies(&jwk, &input, &signature),
                "{alg}: tampered payload"
            );
            assert!(verifies(
                &jwk,
                &signing_input(&header, &payload),
                &signature
            ));
        }
    }

    #[test]
    fn a_key_knows_its_own_tokens_and_no_others() {
        for alg in Algorithm::ALL {
            let own = key(alg);
            let token = own.sign(&claims());
            assert_eq!(own.verified_claims(&token), Some(claims()), "{alg}");

            let (header, _, signature) = parts(&token);
            let forged = json!({"sub": "1", "aud": "app"});
            let forged = format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(&header),
                URL_SAFE_NO_PAD.encode(forged.to_string()),
                URL_SAFE_NO_PAD.encode(&signature)
            );
            assert_eq!(own.verified_claims(&forged), None, "{alg}: forged claims");
            for other in Algorithm::ALL.into_iter().filter(|other| *other != alg) {
                let another = key(other).sign(&claims());
                assert_eq!(own.verified_claims(&another), None, "{alg}: {other}'s");
            }
            for garbage in ["", "a.b", "a.b.c", &token[..token.len() - 2]] {
                assert_eq!(own.verified_claims(garbage), None, "{alg}: {garbage}");
            }
        }
    }

    #[test]
    fn public_jwks_have_the_public_members_only() {
        let rsa = key(Algorithm::Rs256).public_jwk();
        assert_eq!(rsa["kty"], "RSA");
        assert_eq!(rsa["e"], "AQAB");
        assert_eq!(member(&rsa, "n").len(), 256);
        assert_ne!(member(&rsa, "n")[0], 0, "n has no leading zero");
        let ec = key(Algorithm::Es256).public_jwk();
        assert_eq!(ec["kty"], "EC");
        assert_eq!(ec["crv"], "P-256");
        let okp = key(Algorithm::EdDsa).public_jwk();
        assert_eq!(okp["kty"], "OKP");
        assert_eq!(okp["crv"], "Ed25519");
        assert_eq!(member(&okp, "x").len(), 32);
        let jwks = [
            (rsa, Algorithm::Rs256),
            (ec, Algorithm::Es256),
            (okp, Algorithm::EdDsa),
        ];
        for (jwk, alg) in jwks {
            assert_eq!(jwk["kid"], key(alg).kid());
            assert_eq!(jwk["use"], "sig");
            assert_eq!(jwk["alg"], alg.as_str());
            for private in ["d", "p", "q", "dp", "dq", "qi"] {
                assert!(jwk.get(private).is_none(), "{alg} JWK has {private}");
            }
        }
    }

    #[test]
    fn es256_signatures_are_r_and_s_in_64_bytes() {
        let token = key(Algorithm::Es256).sign(&claims());
        let (_, _, signature) = parts(&token);
        assert_eq!(signature.len(), 64);
        let (_, _, signature) = parts(&key(Algorithm::Rs256).sign(&claims()));
        assert_eq!(signature.len(), 256);
        let (_, _, signature) = parts(&key(Algorithm::EdDsa).sign(&claims()));
        assert_eq!(signature.len(), 64);
    }

    #[test]
    fn keys_round_trip_through_pkcs8() {
        for alg in Algorithm::ALL {
            let key = key(alg);
            let der = key.to_pkcs8_der();
            let back =
                SigningKey::from_pkcs8_der(key.kid(), alg, &der).expect("the key reads back");
            assert_eq!(back.kid(), key.kid());
            assert_eq!(back.algorithm(), alg);
            assert_eq!(back.public_jwk(), key.public_jwk());
            assert_eq!(back.to_pkcs8_der(), der);

            let token = back.sign(&claims());
            let (signed, _) = token.rsplit_once('.').expect("three parts");
            let (_, _, signature) = parts(&token);
            assert!(
                verifies(&key.public_jwk(), signed.as_bytes(), &signature),
                "{alg}"
            );
        }
    }

    #[test]
    fn pkcs8_of_another_algorithm_or_garbage_is_refused() {
        let rsa = key(Algorithm::Rs256).to_pkcs8_der();
        let ec = key(Algorithm::Es256).to_pkcs8_der();
        assert!(SigningKey::from_pkcs8_der("k", Algorithm::Es256, &rsa).is_none());
        assert!(SigningKey::from_pkcs8_der("k", Algorithm::Rs256, &ec).is_none());
        let ed = key(Algorithm::EdDsa).to_pkcs8_der();
        assert!(SigningKey::from_pkcs8_der("k", Algorithm::Es256, &ed).is_none());
        assert!(SigningKey::from_pkcs8_der("k", Algorithm::EdDsa, &ec).is_none());
        for alg in Algorithm::ALL {
            assert!(SigningKey::from_pkcs8_der("k", alg, b"not a key").is_none());
            assert!(SigningKey::from_pkcs8_der("k", alg, &[]).is_none());
            assert!(SigningKey::from_pkcs8_der("k", alg, &rsa[..rsa.len() - 1]).is_none());
            assert!(SigningKey::from_pkcs8_der("k", alg, &ec[..ec.len() - 1]).is_none());
        }
    }

    #[test]
    fn rsa_keys_under_2048_bits_are_refused() {
        let small = RsaPrivateKey::new(&mut rand::rng(), 1024).expect("a 1024-bit key");
        let der = small.to_pkcs8_der().expect("PKCS#8");
        assert!(SigningKey::from_pkcs8_der("k", Algorithm::Rs256, der.as_bytes()).is_none());
    }

    #[test]
    fn debug_shows_no_key_material() {
        for alg in Algorithm::ALL {
            let key = key(alg);
            let expected = format!("SigningKey {{ kid: {:?}, alg: {alg}, .. }}", key.kid());
            assert_eq!(format!("{key:?}"), expected);
        }
    }

    #[test]
    fn generated_keys_have_new_random_ids() {
        let (one, two) = (
            SigningKey::generate(Algorithm::Es256),
            key(Algorithm::Es256),
        );
        assert_ne!(one.kid(), two.kid());
        assert_ne!(one.public_jwk(), two.public_jwk());
        assert_ne!(key(Algorithm::Rs256).kid(), two.kid());
        for kid in [one.kid(), two.kid()] {
            assert_eq!(URL_SAFE_NO_PAD.decode(kid).expect("base64url").len(), 16);
        }
    }

    #[test]
    fn algorithms_read_and_write_their_jwa_names() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
            assert_eq!(alg.to_string(), alg.as_str());
            assert_eq!(
                serde_json::to_value(alg).expect("JSON"),
                json!(alg.as_str())
            );
            let read: Algorithm = serde_json::from_value(json!(alg.as_str())).expect("JSON");
            assert_eq!(read, alg);
        }
        let error = "rs256".parse::<Algorithm>().expect_err("names are exact");
        assert!(
            error.contains("RS256") && error.contains("ES256"),
            "{error}"
        );
        assert!("HS256".parse::<Algorithm>().is_err());
    }
}
