//! `Input<T>`: a request body as a form (urlencoded or multipart) or a JSON
//! object, whichever the client sent, parsed into one `FromForm` type.
//! Parsing is strict: a field that `T` does not expect is refused, so that a
//! client learns of a misspelled field instead of having it ignored.

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::form::error::ErrorKind;
use rocket::form::{Form, FromForm, Strict, ValueField};
use rocket::outcome::Outcome;
use rocket::Request;
use serde_json::Value;

use super::error::{refuse, Error};
use super::fields::{FieldError, InputError};

/// A parsed body. On failure the request gets 400 and the catcher answers
/// with the [`InputError`] message, which names the fields at fault.
#[derive(Debug)]
pub struct Input<T>(pub T);

impl<T> Input<T> {
    /// The parsed value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[rocket::async_trait]
impl<'r, T> FromData<'r> for Input<T>
where
    T: for<'a> FromForm<'a> + Send + 'static,
{
    type Error = Error;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let parsed = match request.content_type() {
            Some(content_type) if content_type.is_json() => from_json(request, data).await,
            Some(content_type) if content_type.is_form() || content_type.is_form_data() => {
                from_form(request, data).await
            }
            // Clients that send no content type (an empty POST) are read as a
            // urlencoded form, as Flask's `request.form` did.
            None => from_urlencoded(request, data).await,
            Some(other) => Err(InputError::body(format!(
                "unsupported content type {other}: send a form or a JSON object"
            ))),
        };
        match parsed {
            Ok(value) => Outcome::Success(Input(value)),
            Err(error) => refuse(request, Error::Input(error)),
        }
    }
}

async fn from_form<'r, T>(request: &'r Request<'_>, data: Data<'r>) -> Result<T, InputError>
where
    T: for<'a> FromForm<'a>,
{
    match Form::<Strict<T>>::from_data(request, data).await {
        Outcome::Success(form) => Ok(form.into_inner().into_inner()),
        Outcome::Error((_, errors)) => Err(errors.into()),
        Outcome::Forward(_) => Err(InputError::body("the form could not be read")),
    }
}

async fn from_urlencoded<T>(request: &Request<'_>, data: Data<'_>) -> Result<T, InputError>
where
    T: for<'a> FromForm<'a>,
{
    let text = read_text(request, data, "form").await?;
    Form::<Strict<T>>::parse(&text)
        .map(Strict::into_inner)
        .map_err(InputError::from)
}

async fn from_json<T>(request: &Request<'_>, data: Data<'_>) -> Result<T, InputError>
where
    T: for<'a> FromForm<'a>,
{
    let text = read_text(request, data, "json").await?;
    let object = json_object(&text)?;
    let mut fields = Vec::with_capacity(object.len());
    let mut nulls = Vec::new();
    for (name, value) in &object {
        match value {
            Value::String(text) => fields.push(ValueField::from((name.as_str(), text.as_str()))),
            Value::Null => nulls.push(ValueField::from((name.as_str(), ""))),
            _ => return Err(InputError::field(name, "must be a string")),
        }
    }
    // A null stands for a missing value, but only in a field the route
    // requires (it is then missing): another field is refused, null or
    // not, and an optional one is a string or left out, as its schema says.
    if !nulls.is_empty() {
        let probe = fields.iter().cloned().chain(nulls.iter().cloned());
        if let Err(errors) = Form::<Strict<T>>::parse_iter(probe) {
            let unexpected: Vec<FieldError> = errors
                .iter()
                .filter(|error| matches!(error.kind, ErrorKind::Unexpected))
                .map(FieldError::from)
                .collect();
            if !unexpected.is_empty() {
                return Err(InputError { errors: unexpected });
            }
        }
    }
    let parsed = Form::<Strict<T>>::parse_iter(fields)
        .map(Strict::into_inner)
        .map_err(InputError::from)?;
    match nulls.first() {
        Some(optional) => Err(InputError::field(
            optional.name.source(),
            "must be a string",
        )),
        None => Ok(parsed),
    }
}

/// The members of the JSON object `text`, in order. A member named twice
/// is refused (serde_json would keep the last one silently); so is
/// anything but an object. An empty body is an empty object, as an empty
/// form is no fields.
fn json_object(text: &str) -> Result<Vec<(String, Value)>, InputError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let object: Members = serde_json::from_str(text)
        .map_err(|_| InputError::body("the request body is not a JSON object"))?;
    match object.twice {
        Some(name) => Err(InputError::field(&name, "is given more than once")),
        None => Ok(object.members),
    }
}

/// A JSON object's members in order, and the first name given twice.
struct Members {
    members: Vec<(String, Value)>,
    twice: Option<String>,
}

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut object = Members {
                    members: Vec::new(),
                    twice: None,
                };
                // A set, so that a body of many members costs no more than
                // its size (a list would be searched once per member).
                let mut seen = std::collections::HashSet::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    if !seen.insert(name.clone()) && object.twice.is_none() {
                        object.twice = Some(name.clone());
                    }
                    object.members.push((name, value));
                }
                Ok(object)
            }
        }

        deserializer.deserialize_map(Visitor)
    }
}

/// A JSON body read with serde into `T`, for bodies that are not flat
/// fields (an authenticator's answer). On failure, 400 with what serde
/// found wrong.
#[derive(Debug)]
pub struct JsonInput<T>(pub T);

impl<T> JsonInput<T> {
    /// The parsed value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[rocket::async_trait]
impl<'r, T> FromData<'r> for JsonInput<T>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    type Error = Error;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let parsed = match request.content_type() {
            Some(content_type) if content_type.is_json() => {
                match read_text(request, data, "json").await {
                    Ok(text) => serde_json::from_str(&text).map_err(|error| {
                        // serde's words, without where in the text it was.
                        let error = error.to_string();
                        let reason = error.split(" at line ").next().unwrap_or_default();
                        InputError::body(format!("the request body is not valid: {reason}"))
                    }),
                    Err(error) => Err(error),
                }
            }
            _ => Err(InputError::body(
                "the request body must be a JSON object (Content-Type: application/json)",
            )),
        };
        match parsed {
            Ok(value) => Outcome::Success(JsonInput(value)),
            Err(error) => refuse(request, Error::Input(error)),
        }
    }
}

/// The whole body as UTF-8, within the configured limit named `limit`.
async fn read_text(
    request: &Request<'_>,
    data: Data<'_>,
    limit: &str,
) -> Result<String, InputError> {
    let limit = request.limits().get(limit).unwrap_or(32.kibibytes());
    let text = data
        .open(limit)
        .into_string()
        .await
        .map_err(|_| InputError::body("the request body is not valid UTF-8"))?;
    if !text.is_complete() {
        return Err(InputError::body("the request body is too large"));
    }
    Ok(text.into_inner())
}
