//! JSON bodies byte for byte as Flask's `jsonify` writes them: compact, keys
//! sorted, non-ASCII escaped as `\uXXXX`, and a trailing newline.

use std::io;

use rocket::http::ContentType;
use rocket::response::{self, Responder};
use rocket::Request;
use serde::Serialize;
use utoipa::ToSchema;

/// A JSON response body. Serialize structs whose fields are declared in
/// alphabetical order, as Flask sorts keys.
#[derive(Debug)]
pub struct FlaskJson<T>(pub T);

/// `{"message": ...}`, the body of every answer that only says something.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message<'a> {
    pub message: &'a str,
}

/// `{"email": ..., "message": ...}`, the answer of registration, login and
/// password update.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailMessage {
    #[schema(example = "bob@example.com")]
    pub email: String,
    pub message: &'static str,
}

impl EmailMessage {
    /// The answer `message` about `email`.
    pub fn new(email: &impl ToString, message: &'static str) -> Self {
        EmailMessage {
            email: email.to_string(),
            message,
        }
    }
}

impl<T: Serialize> FlaskJson<T> {
    /// The exact bytes of the body.
    pub fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        let mut body = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut body, AsciiFormatter);
        self.0.serialize(&mut serializer)?;
        body.push(b'\n');
        Ok(body)
    }
}

impl<'r, T: Serialize> Responder<'r, 'static> for FlaskJson<T> {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let body = self.to_bytes().map_err(|error| {
            rocket::error!("cannot serialize a response: {error}");
            rocket::http::Status::InternalServerError
        })?;
        (ContentType::JSON, body).respond_to(request)
    }
}

/// serde_json's compact output with Python's `ensure_ascii`.
struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for part in fragment.split_inclusive(|c: char| !c.is_ascii()) {
            let (ascii, last) = match part.char_indices().last() {
                Some((index, c)) if !c.is_ascii() => (&part[..index], Some(c)),
                _ => (part, None),
            };
            writer.write_all(ascii.as_bytes())?;
            if let Some(c) = last {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body<T: Serialize>(value: T) -> String {
        String::from_utf8(FlaskJson(value).to_bytes().unwrap()).unwrap()
    }

    #[test]
    fn compact_with_a_trailing_newline() {
        let value = EmailMessage::new(&"bob@example.com", "user created");
        assert_eq!(
            body(value),
            "{\"email\":\"bob@example.com\",\"message\":\"user created\"}\n"
        );
    }

    #[test]
    fn non_ascii_is_escaped_like_python() {
        assert_eq!(
            body(Message {
                message: "h\u{e9}llo \u{1F600} \"q\"\n"
            }),
            "{\"message\":\"h\\u00e9llo \\ud83d\\ude00 \\\"q\\\"\\n\"}\n"
        );
    }
}
