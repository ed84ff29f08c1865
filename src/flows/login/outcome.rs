//! How a login ends, for every way in (the password, the code page, a
//! passkey): one mapping of a refusal to its answer, and where a browser
//! goes once logged in.

use rocket::http::uri::Origin;
use rocket::http::Status;

use super::super::paths::PATHS;
use crate::auth::Login;
use crate::web::error::CodeFault;
use crate::web::security::local_path;
use crate::web::Error;

/// Why `login`, which opened no session, refused: the answer of every way
/// in. The code is named `code_field` (`otp` in the JSON API, `code` on the
/// code page).
pub fn refusal(login: Login, code_field: &'static str) -> Error {
    match login {
        Login::WrongCredentials => Error::WrongCredentials,
        Login::Throttled(wait) => Error::Throttled(wait),
        Login::EmailNotVerified => Error::EmailNotVerified,
        Login::SecondFactorRequired(_) => Error::CodeRequired,
        Login::WrongCode | Login::TooManyWrongCodes => Error::WrongCode {
            status: Status::Unauthorized,
            field: code_field,
            fault: CodeFault::Wrong,
        },
        Login::UsedRecoveryCode => Error::WrongCode {
            status: Status::Unauthorized,
            field: code_field,
            fault: CodeFault::UsedRecoveryCode,
        },
        Login::SignInExpired => Error::SignInExpired,
        // Not a refusal: the callers take the session first.
        Login::Success(_) => Error::Internal,
    }
}

/// Where to go after logging in: `next` when it is a path of this site,
/// else the profile. A `next` that could lead elsewhere (`//host`,
/// `https://...`, a backslash that browsers read as a slash, control
/// characters) is ignored, so that no link can turn the login page into an
/// open redirect.
pub fn destination(next: Option<&str>) -> Origin<'static> {
    next.and_then(local_path)
        .unwrap_or_else(|| Origin::parse(PATHS.profile).expect("a path"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_destinations() {
        for local in ["/profile", "/profile?tab=sessions", "/a/b"] {
            assert_eq!(destination(Some(local)).to_string(), local);
        }
        for foreign in [
            "//evil.example",
            "//evil.example/profile",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(
                destination(Some(foreign)).to_string(),
                "/profile",
                "{foreign:?}"
            );
        }
        assert_eq!(destination(None).to_string(), "/profile");
    }
}
