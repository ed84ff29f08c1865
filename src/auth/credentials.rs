//! The values a user types: an email address, a password, a reset token,
//! one-time codes, each checked once as it comes in. A refusal completes
//! the field's name ("is not a valid email address"); the web layer says
//! which field.

use std::fmt;

/// An email address in the one syntax the service takes, mails to and
/// compares: a plain `local@domain`, trimmed. No display name (`Anyone
/// <victim@example.com>`), no domain literal (`bob@[192.0.2.1]`), no quoted
/// local part (`"<b>x</b>"@example.com`), no control character or space;
/// and whatever is accepted, the mailer can address (lettre reads it as a
/// recipient).
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims `input` and checks it is an email address in this syntax.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let email = input.trim();
        if email.is_empty() {
            return Err("must not be empty");
        }
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal();
        let plain = !email.starts_with('"')
            && !email.chars().any(|c| c.is_control() || c.is_whitespace())
            && email_address::EmailAddress::parse_with_options(email, options).is_ok()
            && email.parse::<lettre::Address>().is_ok();
        if plain {
            Ok(Email(email.to_owned()))
        } else {
            Err("is not a valid email address")
        }
    }

    /// An address the service stored itself (checked when it came in, or
    /// kept from an older release): not checked again, so that no account
    /// becomes unusable when the syntax tightens.
    pub fn stored(address: &str) -> Self {
        Email(address.to_owned())
    }

    /// The address as typed, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form that uniqueness and look-ups use: addresses differing only in
    /// case belong to one account.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Email").field(&self.0).finish()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: never trimmed, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The longest password accepted, in characters (Unicode code points,
    /// as the OpenAPI document's `maxLength` counts them): far beyond any
    /// passphrase, and short enough (4 KiB at most) that hashing it costs
    /// nothing extra.
    pub const MAX_CHARS: usize = 1024;

    /// Accepts any non-empty input up to `MAX_CHARS`, exactly as given.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        if input.is_empty() {
            Err("must not be empty")
        } else if input.chars().nth(Self::MAX_CHARS).is_some() {
            Err("must be at most 1024 characters")
        } else {
            Ok(Password(input.to_owned()))
        }
    }

    /// The secret itself, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What a person names a passkey ("Laptop", "Phone"): 1 to
/// `PASSKEY_NAME_MAX` characters once trimmed, none of them a control or
/// an invisible formatting character (which could disguise a name in a
/// notice mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyName(String);

/// The longest passkey name, in characters (the OpenAPI document's
/// `maxLength` of `PasskeyStart::name` too).
const PASSKEY_NAME_MAX: usize = 64;

impl PasskeyName {
    /// `input`, trimmed, if it is a name.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let name = input.trim();
        if name.is_empty() {
            return Err("is required");
        }
        if name.chars().count() > PASSKEY_NAME_MAX {
            // The number is PASSKEY_NAME_MAX's (a test checks it).
            return Err("must be at most 64 characters");
        }
        if name.chars().any(|c| c.is_control() || is_format(c)) {
            return Err("must not hold control or invisible characters");
        }
        Ok(PasskeyName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `c` is an invisible formatting character (Unicode's Cf):
/// direction overrides and isolates, zero-width spaces and joiners, the
/// byte order mark, the soft hyphen and their kin.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// A password reset token as the client sent it: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(String);

impl ResetToken {
    /// Accepts any non-empty input, trimmed.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        match input.trim() {
            "" => Err("must not be empty"),
            token => Ok(ResetToken(token.to_owned())),
        }
    }

    /// The token itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(<redacted>)")
    }
}

/// A code of an authenticator app (TOTP): six digits, spaces ignored.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    /// Six ASCII digits, once spaces are removed ("123 456" is typed too).
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 6 && digits.bytes().all(|byte| byte.is_ascii_digit()) {
            Ok(TotpCode(digits))
        } else {
            Err("must be the 6 digits of your authenticator app")
        }
    }

    /// The digits.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode(<redacted>)")
    }
}

/// The letters of a recovery code: lowercase base32, no 0, 1, 8 or 9.
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Letters in a recovery code (50 random bits), shown as two groups of 5.
pub const RECOVERY_CODE_LETTERS: usize = 10;

/// The second factor of a sign-in: a TOTP code, or a recovery code.
#[derive(Clone, PartialEq, Eq)]
pub enum OneTimeCode {
    Totp(TotpCode),
    /// Its letters, lowercase, without the dash.
    Recovery(String),
}

impl OneTimeCode {
    /// Six digits, or a recovery code (`abcde-fghij`, in any case, with or
    /// without its dash and spaces).
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        if let Ok(code) = TotpCode::parse(input) {
            return Ok(OneTimeCode::Totp(code));
        }
        let letters: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        let recovery = letters.len() == RECOVERY_CODE_LETTERS
            && letters
                .bytes()
                .all(|byte| RECOVERY_ALPHABET.contains(&byte));
        if recovery {
            Ok(OneTimeCode::Recovery(letters))
        } else {
            Err("must be the 6 digits of your authenticator app, or a recovery code")
        }
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

/// A new recovery code: 50 random bits from the OS CSPRNG, as
/// `abcde-fghij`.
pub fn new_recovery_code() -> String {
    let mut bytes = [0u8; RECOVERY_CODE_LETTERS];
    getrandom::getrandom(&mut bytes).expect("the OS random number generator works");
    let letters: String = bytes
        .iter()
        .map(|byte| char::from(RECOVERY_ALPHABET[usize::from(byte % 32)]))
        .collect();
    format!("{}-{}", &letters[..5], &letters[5..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_a_plain_local_part_at_a_domain() {
        for plain in [
            "bob@example.com",
            "  Bob.Smith+tag@example.co.uk ",
            "zoë@exemple.fr",
            "o'brien@example.com",
        ] {
            assert_eq!(
                Email::parse(plain).unwrap().as_str(),
                plain.trim(),
                "{plain:?}"
            );
        }
        for refused in [
            "Anyone <victim@example.com>",
            "<victim@example.com>",
            "bob@[192.0.2.1]",
            "bob@[IPv6:2001:db8::1]",
            "\"<b>x</b>\"@example.com",
            "\"bob smith\"@example.com",
            "bob@example.com\r\nBcc: eve@example.com",
            "bob\n@example.com",
            "bob smith@example.com",
            "bob@exa mple.com",
            "bob@",
            "@example.com",
            "bob",
            ".bob@example.com",
            "bob..smith@example.com",
        ] {
            assert_eq!(
                Email::parse(refused),
                Err("is not a valid email address"),
                "{refused:?}"
            );
        }
        assert_eq!(Email::parse("  "), Err("must not be empty"));
    }

    #[test]
    fn a_passkey_name_is_short_visible_text() {
        let longest = "é".repeat(PASSKEY_NAME_MAX);
        assert_eq!(PasskeyName::parse(&longest).unwrap().as_str(), longest);
        let too_long = PasskeyName::parse(&format!("{longest}x")).unwrap_err();
        assert!(
            too_long.contains(&PASSKEY_NAME_MAX.to_string()),
            "{too_long}"
        );
        assert_eq!(PasskeyName::parse("  Laptop ").unwrap().as_str(), "Laptop");
        for disguised in ["Lap\u{202E}pot", "Lap\u{200B}top", "Lap\ttop", "\u{FEFF}"] {
            assert!(PasskeyName::parse(disguised).is_err(), "{disguised:?}");
        }
        assert!(PasskeyName::parse(" ").is_err());
        assert!(PasskeyName::parse("Téléphone de Zoë 📱").is_ok());
    }

    #[test]
    fn one_time_codes_are_six_digits_or_a_recovery_code() {
        assert!(matches!(
            OneTimeCode::parse("123456"),
            Ok(OneTimeCode::Totp(_))
        ));
        assert!(matches!(
            OneTimeCode::parse(" 123 456 "),
            Ok(OneTimeCode::Totp(_))
        ));
        let recovery = OneTimeCode::parse("ABCDE-fgh23");
        assert_eq!(recovery, Ok(OneTimeCode::Recovery("abcdefgh23".to_owned())));
        for bad in [
            "",
            "12345",
            "1234567",
            "12345a",
            "abcde-fgh1j",
            "abcde-fghijk",
            "١٢٣٤٥٦",
        ] {
            assert!(OneTimeCode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(TotpCode::parse("abcde-fghij").is_err());
        assert_eq!(
            format!("{:?}", TotpCode::parse("123456").unwrap()),
            "TotpCode(<redacted>)"
        );
    }

    #[test]
    fn recovery_codes_are_random_and_parse_back() {
        let (first, second) = (new_recovery_code(), new_recovery_code());
        assert_ne!(first, second);
        assert_eq!(first.len(), 11);
        assert!(matches!(
            OneTimeCode::parse(&first),
            Ok(OneTimeCode::Recovery(_))
        ));
    }
}
