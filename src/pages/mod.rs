//! Browser pages on the routes of the JSON API, rendered with Tera.
//!
//! A page on a path of the API has rank 1 and answers only requests that
//! prefer HTML ([`for_browsers`]); the others go on to the JSON route of the
//! same path (rank 2). Pages talk only to `Auth`, like routes.

mod home;
pub(crate) mod login;
mod profile;
pub(crate) mod register;
pub(crate) mod reset_password;

use std::collections::BTreeMap;

use rocket::form::Context;
use rocket::http::{Header, Status};
use rocket::request::FlashMessage;
use rocket::Responder;
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use crate::auth::AuthError;
use crate::http::input::FieldError;
use crate::http::{for_browsers, ApiError};

/// Every page route, to mount at `/`.
pub fn all() -> Vec<rocket::Route> {
    let on_api_paths = rocket::routes![
        home::home,
        register::register,
        login::login,
        login::logout,
        profile::profile,
        reset_password::issue_token,
        reset_password::update_password,
    ];
    let pages_only = rocket::routes![register::form, login::form, reset_password::request_form];
    on_api_paths
        .into_iter()
        .map(for_browsers)
        .chain(pages_only)
        .collect()
}

/// A one-time notice, as templates show it.
#[derive(Debug, Serialize)]
pub struct Notice {
    kind: String,
    message: String,
}

impl From<FlashMessage<'_>> for Notice {
    fn from(flash: FlashMessage<'_>) -> Self {
        Notice {
            kind: flash.kind().to_owned(),
            message: flash.message().to_owned(),
        }
    }
}

/// A form shown again: the values typed (never a password) and one message
/// per field at fault.
#[derive(Debug, Default, Serialize)]
pub struct FormState {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    error: Option<String>,
}

impl FormState {
    /// The state of a submitted form, keeping the values of `kept` fields.
    pub fn submitted(context: &Context<'_>, kept: &[&str]) -> Self {
        let values = kept
            .iter()
            .filter_map(|name| Some((name.to_string(), context.field_value(*name)?.to_owned())))
            .collect();
        let mut errors = BTreeMap::new();
        for error in context.errors() {
            let FieldError { field, message } = FieldError::from(error);
            errors.entry(field.unwrap_or_default()).or_insert(message);
        }
        FormState {
            values,
            errors,
            error: None,
        }
    }

    /// The same state with `message` beside `field`.
    pub fn field_error(mut self, field: &str, message: &str) -> Self {
        self.errors.insert(field.to_owned(), message.to_owned());
        self
    }

    /// The same state with `message` above the form.
    pub fn form_error(mut self, message: &str) -> Self {
        self.error = Some(message.to_owned());
        self
    }

    /// The same state with `value` kept for `field`.
    pub fn value(mut self, field: &str, value: &str) -> Self {
        self.values.insert(field.to_owned(), value.to_owned());
        self
    }

    /// Whether some field other than those in `fields` is at fault.
    pub fn has_errors_besides(&self, fields: &[&str]) -> bool {
        self.errors
            .keys()
            .any(|field| !fields.contains(&field.as_str()))
    }

    /// The page `template` showing this form, with `status`.
    pub fn render(self, template: &'static str, status: Status) -> PageError {
        PageError::Form(Box::new((status, self.page(template))))
    }

    /// The page `template` showing this form, with 429 and `Retry-After`.
    pub fn render_throttled(self, template: &'static str, wait: u64) -> PageError {
        let page = Box::new((Status::TooManyRequests, self.page(template)));
        PageError::Throttled(page, Header::new("Retry-After", wait.to_string()))
    }

    fn page(self, template: &'static str) -> Template {
        Template::render(
            template,
            context! { values: self.values, errors: self.errors, error: self.error },
        )
    }
}

/// A page that did not do what was asked: the form again with its errors,
/// or a status that the catchers turn into an error page.
#[derive(Debug, Responder)]
pub enum PageError {
    Form(Box<(Status, Template)>),
    Throttled(Box<(Status, Template)>, Header<'static>),
    Failure(Status),
}

impl From<AuthError> for PageError {
    fn from(error: AuthError) -> Self {
        PageError::Failure(ApiError::from(error).status)
    }
}
