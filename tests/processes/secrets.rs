//! Every secret the tests give a server or get from it (passwords, codes,
//! mailed tokens, cookie values), remembered so that each server's log is
//! checked against all of them as the server stops: over a full run of this
//! binary, no log holds a secret.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderValue;
use reqwest::Url;

use crate::support::smtp::Received;

/// Shorter values (a 6-digit code, "wrong") are words and numbers that a
/// log holds for other reasons.
const SHORTEST: usize = 10;

static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Remembers `secret`, which must never be logged.
pub fn remember(secret: &str) {
    if secret.chars().count() >= SHORTEST {
        let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
        seen.insert(secret.to_owned());
    }
}

/// Remembers the value of the form field `name` if it carries a secret.
pub fn remember_field(name: &str, value: &str) {
    if name.contains("password") || name.contains("token") || name.contains("code") {
        remember(value);
    }
}

/// Panics, naming it, if `log` holds any secret remembered so far.
pub fn assert_none_in(log: &str) {
    let seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(secret) = seen.iter().find(|secret| log.contains(secret.as_str())) {
        panic!("a secret, {secret:?}, in a server's log:\n{log}");
    }
}

/// A client's cookie jar that remembers the value of every cookie a server
/// sets (flash messages aside).
#[derive(Default)]
pub struct RememberingJar(Jar);

impl CookieStore for RememberingJar {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, url: &Url) {
        let headers: Vec<&HeaderValue> = headers.collect();
        for header in &headers {
            let pair = header.to_str().ok().and_then(|h| h.split(';').next());
            if let Some((name, value)) = pair.and_then(|pair| pair.split_once('=')) {
                if name.trim() != "_flash" {
                    remember(value.trim());
                }
            }
        }
        self.0.set_cookies(&mut headers.into_iter(), url);
    }

    fn cookies(&self, url: &Url) -> Option<HeaderValue> {
        self.0.cookies(url)
    }
}

/// The link to `path` in `mail`, its token remembered.
pub fn mailed_link(mail: &Received, path: &str) -> String {
    if let Some(token) = mail.token(path) {
        remember(&token);
    }
    mail.link(path).expect("a link")
}

/// The token of the link to `path` in `mail`, remembered.
pub fn mailed_token(mail: &Received, path: &str) -> String {
    let token = mail.token(path).expect("a link with a token");
    remember(&token);
    token
}
