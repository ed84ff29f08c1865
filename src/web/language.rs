//! The language a request is answered in: the one chosen with the
//! language switch (kept in the `lang` cookie), else the one the browser
//! prefers (`Accept-Language`) among those spoken here, else English.

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::Duration;

use crate::language::Language;

/// The cookie that keeps the language a person chose.
pub const COOKIE: &str = "lang";

/// The language of `request`.
pub fn of(request: &Request<'_>) -> Language {
    let chosen = request.cookies().get(COOKIE);
    if let Some(language) = chosen.and_then(|cookie| Language::of(cookie.value())) {
        return language;
    }
    let accepted = request.headers().get_one("Accept-Language");
    accepted.map_or_else(Language::default, Language::negotiate)
}

/// Keeps `language` as the person's choice, for a year.
pub fn choose(cookies: &CookieJar<'_>, language: Language) {
    let cookie = Cookie::build((COOKIE, language.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .max_age(Duration::days(365));
    cookies.add(cookie);
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Language {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(of(request))
    }
}
