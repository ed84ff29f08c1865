//! A page built around a form: shown fresh, or again after a refusal with
//! the values typed and each error beside its field; and how a page that
//! did not do what was asked answers (another page, an error page).
//!
//! A refused form goes back to its own page (303, "redirect back with
//! errors"): its state travels in a private cookie that the page's next
//! showing takes, so that the address bar shows the form's page, and a
//! reload or Back does what a person expects, not a second POST.

use std::collections::BTreeMap;

use rocket::form::Context;
use rocket::http::Status;
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::Request;
use rocket_dyn_templates::Template;
use serde::{Deserialize, Serialize};

use super::fields::FieldError;
use super::page::CARRIED_FORM;
use super::session::private_cookie;
use super::{Error, Page};
use crate::language::{Language, Text};

/// A page's form: its template, its fields in order, and the path of its
/// page, where a refusal sends the browser back. The first field gets the
/// focus, or after a refusal the first field at fault.
#[derive(Debug)]
pub struct PageForm {
    pub template: &'static str,
    pub fields: &'static [&'static str],
    pub page: &'static str,
}

/// A form's state: the values to show again (never a password), one
/// message per field at fault, and one for the whole form, said in the
/// page's language when it is shown.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FormState {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, Text>,
    error: Option<Text>,
    /// What a new password must be, for forms that choose one (the page
    /// says it afresh: it does not travel).
    #[serde(skip)]
    password_hint: Option<Text>,
}

/// A form's state as a template shows it: its messages said in the
/// page's language.
#[derive(Serialize)]
pub struct SaidForm<'a> {
    values: &'a BTreeMap<String, String>,
    errors: BTreeMap<&'a str, String>,
    error: Option<String>,
    password_hint: Option<String>,
}

/// The template context of a form page.
#[derive(Serialize)]
struct FormPage<'a> {
    #[serde(flatten)]
    form: SaidForm<'a>,
    /// The field to focus.
    focus: &'static str,
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
            let error = FieldError::from(error);
            let field = error.field.clone().unwrap_or_default();
            errors.entry(field).or_insert_with(|| error.text());
        }
        FormState {
            values,
            errors,
            ..FormState::default()
        }
    }

    /// The same state with `value` kept for `field`.
    pub fn value(mut self, field: &str, value: &str) -> Self {
        self.values.insert(field.to_owned(), value.to_owned());
        self
    }

    /// The same state, for a form that chooses a password under a policy
    /// of `min_length` characters at least: the rules show under the field
    /// before any error.
    pub fn choosing_password(mut self, min_length: usize) -> Self {
        let hint = Text::new("form-password-hint").number("count", min_length as u64);
        self.password_hint = Some(hint);
        self
    }

    /// This state as a template shows it, in `language`.
    pub fn said(&self, language: Language) -> SaidForm<'_> {
        let say = |text: &Text| language.say(text);
        SaidForm {
            values: &self.values,
            errors: (self.errors.iter())
                .map(|(field, text)| (field.as_str(), say(text)))
                .collect(),
            error: self.error.as_ref().map(say),
            password_hint: self.password_hint.as_ref().map(say),
        }
    }

    /// The page of `form`, as `page`, with this state; or, where the form
    /// was refused on its way here, with the state it came back with.
    pub fn show(self, mut page: Page, form: &PageForm) -> Template {
        let state = self.or_carried(&mut page, form.template);
        let focus = state.focus(form.fields);
        let said = state.said(page.language());
        page.render(form.template, FormPage { form: said, focus })
    }

    /// The state that the form `name` came back to `page` with, if it did
    /// (with this state's password rules); else this state.
    pub fn or_carried(self, page: &mut Page, name: &str) -> FormState {
        let json = page.take_carried(name);
        match json.and_then(|json| serde_json::from_str::<FormState>(&json).ok()) {
            Some(carried) => FormState {
                // What this page knows (a token from its cookie), then what
                // was typed.
                values: self.values.into_iter().chain(carried.values).collect(),
                password_hint: self.password_hint,
                ..carried
            },
            None => self,
        }
    }

    /// Back to the page of `form`, which shows this state's errors.
    pub fn again(self, form: &PageForm) -> PageError {
        self.back(form.page, form.template)
    }

    /// Back to `path`, whose form `name` shows this state.
    pub fn back(self, path: &str, name: &str) -> PageError {
        PageError::carrying(path, name, &self)
    }

    /// Back to the page of `form`, telling why `error` refused it: beside
    /// its field, or above the form (see [`PageError::refusal`]).
    pub fn refused(self, form: &PageForm, error: Error) -> PageError {
        PageError::refusal(error, |error| self.told(error).again(form))
    }

    /// The same state, telling why `error` refused it: beside its field, or
    /// above the form.
    pub fn told(mut self, error: &Error) -> Self {
        match error.field() {
            Some(field) => {
                self.errors.insert(field.to_owned(), error.text());
            }
            None => self.error = Some(error.text()),
        }
        self
    }

    /// The field of `fields` to focus: the first at fault, or an empty one
    /// before it (passwords are never shown again: after a new password is
    /// refused, the current one is typed again first); after a refusal of
    /// the whole form (a wrong email or password), the first empty one;
    /// else the first.
    fn focus(&self, fields: &[&'static str]) -> &'static str {
        let first = fields.first().copied().unwrap_or_default();
        let Some(fault) = self.first_error(fields) else {
            let empty = fields
                .iter()
                .find(|field| !self.values.contains_key(**field));
            return match self.error {
                Some(_) => empty.copied().unwrap_or(first),
                None => first,
            };
        };
        let up_to_fault = fields.iter().take_while(|field| **field != fault);
        let empty = up_to_fault
            .chain([&fault])
            .find(|field| !self.values.contains_key(**field));
        empty.copied().unwrap_or(fault)
    }

    /// The first of `fields` at fault, if any.
    pub fn first_error<'a>(&self, fields: &[&'a str]) -> Option<&'a str> {
        fields
            .iter()
            .find(|field| self.errors.contains_key(**field))
            .copied()
    }
}

/// A page that did not do what was asked.
#[derive(Debug)]
pub enum PageError {
    /// A page of its own (a link that no longer works, say), answering a
    /// status other than 200.
    Shown(Box<Shown>),
    /// Another page, with a notice saying why (the login page, say).
    Elsewhere(Box<Flash<Redirect>>),
    /// A refused form, sent back to its page with its state.
    Back(Box<Back>),
    /// A refusal that the catchers turn into an error page.
    Failure(Error),
}

/// How long a refused form's state waits for its page, in seconds.
const CARRIED_FOR: u64 = 5 * 60;

/// A refused form on its way back to its page.
#[derive(Debug)]
pub struct Back {
    /// The page's path.
    to: String,
    /// Which form of the page it is.
    name: String,
    /// Its state, as JSON.
    state: String,
}

/// A page answering a refusal.
#[derive(Debug)]
pub struct Shown {
    status: Status,
    page: Template,
}

impl PageError {
    /// On (303) to the page `path`, whose form `name` takes `state` (see
    /// [`Page::take_carried`]).
    pub fn carrying(path: &str, name: &str, state: &impl Serialize) -> Self {
        PageError::Back(Box::new(Back {
            to: path.to_owned(),
            name: name.to_owned(),
            state: serde_json::to_string(state).unwrap_or_default(),
        }))
    }

    /// How a page answers `error`: as `told` tells the person of it (back
    /// to the form, another page with a notice), unless it is a failure of
    /// the service itself (5xx), which gets the error page. Every page's
    /// refusal goes through here.
    pub fn refusal(error: Error, told: impl FnOnce(&Error) -> PageError) -> PageError {
        if error.status().code >= 500 {
            return PageError::Failure(error);
        }
        told(&error)
    }

    /// `page`, answering `status`.
    pub fn page(status: Status, page: Template) -> Self {
        PageError::Shown(Box::new(Shown { status, page }))
    }
}

impl From<crate::auth::AuthError> for PageError {
    fn from(error: crate::auth::AuthError) -> Self {
        PageError::Failure(error.into())
    }
}

impl<'r> Responder<'r, 'static> for PageError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            PageError::Shown(shown) => {
                let Shown { status, page } = *shown;
                (status, page).respond_to(request)
            }
            PageError::Elsewhere(redirect) => (*redirect).respond_to(request),
            PageError::Back(back) => {
                let Back { to, name, state } = *back;
                let carried = format!("{name}\n{state}");
                let cookie = private_cookie(CARRIED_FORM, &carried, Some(CARRIED_FOR));
                request.cookies().add_private(cookie);
                Redirect::to(to).respond_to(request)
            }
            PageError::Failure(error) => {
                error.remember(request);
                Err(error.status())
            }
        }
    }
}
