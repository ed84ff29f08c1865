//! What a new password must be: long enough, and not a common one.

use unicode_normalization::UnicodeNormalization;
use zxcvbn::feedback::Warning;

use super::credentials::{Email, Password};

/// Passwords longer than this are never in the common lists; they are not
/// searched, which keeps the check fast.
const LONGEST_COMMON: usize = 64;

/// Why a new password is refused. Displayed, it completes the name of the
/// field that held the password ("must be at least 8 characters").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    /// Fewer characters than the minimum, which this holds.
    #[error("must be at least {0} characters")]
    TooShort(usize),
    /// A common password, or the user's own email.
    #[error("is too common; choose another")]
    TooCommon,
}

/// Whether `password` may be `email`'s new password (without an address,
/// as far as can be told without it).
///
/// The length is counted in the characters the user typed (Unicode code
/// points, as the OpenAPI document's `minLength` counts them), not after
/// normalization, which may expand a character into several ("ﬃ" into
/// "ffi"). The comparison with common passwords reads the NFKC form, as
/// hashing does.
pub fn check(
    password: &Password,
    email: Option<&Email>,
    min_length: usize,
) -> Result<(), PolicyViolation> {
    let length = password.expose().chars().count();
    if length < min_length {
        return Err(PolicyViolation::TooShort(min_length));
    }
    let normalized: String = password.expose().nfkc().collect();
    if length <= LONGEST_COMMON && is_common(&normalized, email) {
        return Err(PolicyViolation::TooCommon);
    }
    Ok(())
}

/// Whether the password is the user's own email (or its local part), one
/// entry of zxcvbn's common-password list (also reversed or in l33t speak),
/// or guessed in under a thousand tries (`aaaaaaaa`, `abcdefgh`).
fn is_common(password: &str, email: Option<&Email>) -> bool {
    let lowercase = password.to_lowercase();
    if let Some(email) = email {
        let address = email.normalized();
        let local_part = address.split('@').next().unwrap_or_default();
        if lowercase == address || lowercase == local_part {
            return true;
        }
    }
    let estimate = zxcvbn::zxcvbn(password, &[]);
    let whole_entry = estimate.sequence().len() == 1;
    let warning = estimate.feedback().and_then(|feedback| feedback.warning());
    let listed = match warning {
        Some(Warning::ThisIsATop10Password)
        | Some(Warning::ThisIsATop100Password)
        | Some(Warning::ThisIsACommonPassword) => true,
        Some(Warning::ThisIsSimilarToACommonlyUsedPassword) => whole_entry,
        _ => false,
    };
    listed || estimate.score() == zxcvbn::Score::Zero
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_new(password: &str) -> Result<(), PolicyViolation> {
        let email = Email::parse("grace.hopper@example.com").unwrap();
        check(&Password::parse(password).unwrap(), Some(&email), 8)
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(check_new("s3cr3t!"), Err(PolicyViolation::TooShort(8)));
        // Eight characters, counted as Unicode characters rather than bytes.
        assert_eq!(check_new("éléphant"), Ok(()));
    }

    #[test]
    fn the_length_counts_what_was_typed_not_its_normal_form() {
        // Seven characters typed; NFKC would make nine of them ("ﬃ" is "ffi").
        assert_eq!(
            check_new("\u{FB03}xkcd42"),
            Err(PolicyViolation::TooShort(8))
        );
        assert_eq!(
            PolicyViolation::TooShort(8).to_string(),
            "must be at least 8 characters"
        );
    }

    #[test]
    fn common_passwords_are_refused() {
        for common in [
            "password", "12345678", "iloveyou", "p@ssw0rd", "drowssap", "aaaaaaaa",
        ] {
            assert_eq!(
                check_new(common),
                Err(PolicyViolation::TooCommon),
                "{common}"
            );
        }
    }

    #[test]
    fn the_users_own_email_is_refused() {
        assert!(check_new("grace.hopper").is_err());
        assert!(check_new("grace.hopper@example.com").is_err());
    }

    #[test]
    fn ordinary_passphrases_pass() {
        for fine in [
            "correct horse battery",
            "analytical engine",
            "x".repeat(1000).as_str(),
        ] {
            assert_eq!(check_new(fine), Ok(()), "{fine}");
        }
    }
}
