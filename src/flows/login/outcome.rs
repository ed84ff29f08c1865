//! How a login ends, for every way in (the password, the code page, a
//! passkey): one mapping of a refusal to its answer, and where a browser
//! goes once logged in.

use rocket::http::Status;

use super::super::paths::PATHS;
use crate::auth::Login;
use crate::config::Settings;
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

/// Where to go after logging in: `next` when a login may come back to it
/// (see [`return_address`]), else the profile.
pub fn destination(next: Option<&str>, settings: &Settings) -> String {
    next.and_then(|next| return_address(next, settings))
        .unwrap_or_else(|| PATHS.profile.to_owned())
}

/// `next` if a login may come back to it: a path of this site, or, with
/// forward auth, an address of a host the session opens
/// (`Settings::may_return_to`). A `next` that could lead elsewhere
/// (`//host`, a foreign `https://...`, a backslash that browsers read as a
/// slash, control characters) is not, so that no link can turn the login
/// page into an open redirect.
pub fn return_address(next: &str, settings: &Settings) -> Option<String> {
    match local_path(next) {
        Some(path) => Some(path.to_string()),
        None => settings.may_return_to(next).then(|| next.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_destinations() {
        let settings = Settings::default();
        let destination = |next| destination(next, &settings);
        for local in ["/profile", "/profile?tab=sessions", "/a/b"] {
            assert_eq!(destination(Some(local)), local);
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
            assert_eq!(destination(Some(foreign)), "/profile", "{foreign:?}");
        }
        assert_eq!(destination(None), "/profile");
    }
}
