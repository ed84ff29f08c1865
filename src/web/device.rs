//! Where a request comes from, as `Auth` records it with a session: the
//! user agent read into a browser and a system ("Firefox on Linux"), the
//! client address, and the device cookies it presents.

use std::convert::Infallible;
use std::sync::LazyLock;

use rocket::request::{FromRequest, Outcome, Request};
use woothee::parser::Parser;

use super::client::client_address;
use crate::auth::{Device, DeviceName, DeviceToken, DEVICE_COOKIE_PREFIX};

/// The user-agent parser: rules compiled in, built once.
static PARSER: LazyLock<Parser> = LazyLock::new(Parser::new);

/// What woothee says of what it cannot tell.
const UNKNOWN: &str = "UNKNOWN";

/// The most device cookies read from one request (one per account that
/// logged in from the device).
const MAX_DEVICE_COOKIES: usize = 16;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Device {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        let user_agent = request.headers().get_one("User-Agent").unwrap_or_default();
        let jar = request.cookies();
        // A tampered or foreign cookie fails to decrypt: it is not read.
        let cookies = jar
            .iter()
            .filter(|cookie| cookie.name().starts_with(DEVICE_COOKIE_PREFIX))
            .take(MAX_DEVICE_COOKIES)
            .filter_map(|cookie| jar.get_private(cookie.name()))
            .map(|cookie| (cookie.name().to_owned(), DeviceToken::from(cookie.value())))
            .collect();
        Outcome::Success(Device {
            name: device_name(user_agent),
            ip: client_address(request),
            cookies,
        })
    }
}

/// The device `user_agent` tells of: "Firefox on Linux", "Safari on
/// iPhone", "curl"; "Unknown device" when it tells nothing.
pub fn device_name(user_agent: &str) -> DeviceName {
    let Some(parsed) = PARSER.parse(user_agent) else {
        return DeviceName::default();
    };
    let os = match parsed.os {
        "Mac OSX" => "macOS",
        os => os,
    };
    match (parsed.name, os) {
        (UNKNOWN, _) => DeviceName::default(),
        (name, UNKNOWN) => DeviceName::new(name, None),
        (name, os) => DeviceName::new(name, Some(os)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_read_as_words() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/126.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, \
                 like Gecko) Version/17.5 Safari/605.1.15",
                "Safari on macOS",
            ),
            ("", "Unknown device"),
            ("-", "Unknown device"),
        ];
        for (user_agent, words) in cases {
            assert_eq!(device_name(user_agent).to_string(), words, "{user_agent}");
        }
    }
}
