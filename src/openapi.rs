//! The OpenAPI 3 document of the JSON API, assembled from the operations
//! the flows declare and served at `/openapi.json`. A leaf: it reads
//! `flows`, and nothing reads it.

use std::sync::LazyLock;

use rocket::get;
use rocket::http::ContentType;
use utoipa::openapi::header::Header;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::AdditionalProperties;
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, HttpMethod, OpenApi as Document, Ref, RefOr, Schema};
use utoipa::{Modify, OpenApi};

use crate::flows;

/// The routes serving the document, to mount at `/`.
pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![openapi_json]
}

/// The document's own head and operation.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "auth-service",
        description = "User authentication: registration, session cookie, profile, logout and \
                       password reset by token, passkeys. Every request body may be sent as a \
                       urlencoded form, as multipart/form-data or as a JSON object, but for \
                       the authenticators' answers of passkey ceremonies, which are JSON.",
    ),
    paths(openapi_json)
)]
struct Head;

/// The whole document: every route of the JSON API, and the browser-only
/// pages that share its paths (so that `Allow` and the document agree).
pub fn document() -> Document {
    let mut document = Head::openapi()
        .merge_from(flows::Operations::openapi())
        .merge_from(flows::PageOperations::openapi());
    let modifiers: [&dyn Modify; 6] = [
        &SessionCookie,
        &RequestBodies,
        &SharedAnswers,
        &StateChangesRefuseCrossSite,
        &PasskeysMayBeOff,
        &Links,
    ];
    for modifier in modifiers {
        modifier.modify(&mut document);
    }
    document
}

/// The document as JSON, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
});

/// This document.
#[utoipa::path(
    tag = "service",
    responses((status = 200, description = "The OpenAPI 3 document of this API",
               content_type = "application/json")),
)]
#[get("/openapi.json")]
fn openapi_json() -> (ContentType, &'static str) {
    (ContentType::JSON, DOCUMENT.as_str())
}

/// The `session_id` cookie as the security scheme that `security(...)`
/// annotations name.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        let cookie = ApiKey::Cookie(ApiKeyValue::with_description(
            "session_id",
            "The session, set by POST /sessions: an encrypted, HttpOnly cookie",
        ));
        components.add_security_scheme("session_cookie", SecurityScheme::ApiKey(cookie));
    }
}

/// What `http::Input` does with every request body: the routes document it
/// as JSON, and it is as well accepted as a urlencoded form and as
/// multipart/form-data; a field that is not in its schema is refused. The
/// bodies read by `JsonInput` (these schemas) are JSON only.
struct RequestBodies;

/// The schemas of the bodies that only JSON carries.
const JSON_ONLY: &[&str] = &["PasskeyCreated", "PasskeyAssertion", "PasskeyProof"];

impl Modify for RequestBodies {
    fn modify(&self, document: &mut Document) {
        let mut schemas = Vec::new();
        for (_, operation) in operations(document) {
            let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                continue;
            };
            let Some(json) = body.content.get("application/json").cloned() else {
                continue;
            };
            let name = schema_name(&json);
            let json_only = JSON_ONLY.contains(&name.as_str());
            schemas.push(name);
            if json_only {
                continue;
            }
            for encoding in ["application/x-www-form-urlencoded", "multipart/form-data"] {
                body.content.insert(encoding.to_owned(), json.clone());
            }
        }
        let components = document.components.get_or_insert_with(Default::default);
        for name in schemas {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
}

/// The answers many operations share, declared here once, so that an
/// operation lists only what is special to it: 400 for a body that does not
/// read (every operation with a body), 403 without a live session (every
/// operation behind the session cookie), and 429 for too many wrong
/// passwords (every operation whose body carries one, unless it lists a
/// 429 of its own).
struct SharedAnswers;

/// The 400 of a body that does not read into the operation's fields.
const MALFORMED: &str = "A field is missing or malformed";

/// The 403 of a request without a live session.
const NO_SESSION: &str = "No live session";

/// The 429 of an account whose password was guessed too often.
const TOO_MANY_PASSWORDS: &str = "Too many wrong passwords for this account";

/// The fields that carry a password an operation checks.
const PASSWORD_FIELDS: &[&str] = &["password", "current_password"];

impl Modify for SharedAnswers {
    fn modify(&self, document: &mut Document) {
        let with_password = schemas_with_fields(document, PASSWORD_FIELDS);
        for (_, operation) in operations(document) {
            let body = operation
                .request_body
                .as_ref()
                .and_then(|body| match body {
                    RefOr::T(body) => body.content.get("application/json"),
                    RefOr::Ref(_) => None,
                })
                .map(schema_name);
            if body.is_some() {
                answers_also(
                    operation,
                    "400",
                    MALFORMED,
                    "a field is missing or malformed",
                );
            }
            if operation.security.is_some() {
                answers_also(operation, "403", NO_SESSION, "no live session");
            }
            let checks_password = body.is_some_and(|name| with_password.contains(&name));
            if checks_password && !operation.responses.responses.contains_key("429") {
                operation.responses.responses.insert(
                    "429".to_owned(),
                    message(TOO_MANY_PASSWORDS)
                        .header(
                            "Retry-After",
                            Header::builder()
                                .schema(Some(Object::with_type(Type::Integer)))
                                .description(Some("Seconds to wait"))
                                .build(),
                        )
                        .build()
                        .into(),
                );
            }
        }
    }
}

/// The names of the component schemas with one of `fields` among their
/// properties.
fn schemas_with_fields(document: &Document, fields: &[&str]) -> Vec<String> {
    let Some(components) = &document.components else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter(|(_, schema)| match schema {
            RefOr::T(Schema::Object(object)) => fields
                .iter()
                .any(|field| object.properties.contains_key(*field)),
            _ => false,
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The name of the component schema that `content` refers to, if any.
fn schema_name(content: &RefOr<Content>) -> String {
    match content {
        RefOr::T(Content {
            schema: Some(RefOr::Ref(schema)),
            ..
        }) => schema
            .ref_location
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// An answer `{"message": ...}` described by `description`.
fn message(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name("Message"))),
    )
}

/// POST, PUT and DELETE refuse what a browser marks as cross-site (see
/// `http::SameOrigin`).
struct StateChangesRefuseCrossSite;

/// The 403 of a request refused as cross-site.
const CROSS_SITE: &str = "A cross-site request from a browser";

impl Modify for StateChangesRefuseCrossSite {
    fn modify(&self, document: &mut Document) {
        for (method, operation) in operations(document) {
            if matches!(
                method,
                HttpMethod::Post | HttpMethod::Put | HttpMethod::Delete
            ) {
                let addition = "a cross-site request from a browser";
                answers_also(operation, "403", CROSS_SITE, addition);
            }
        }
    }
}

/// How one answer leads to the next request (for clients and for stateful
/// testing): register, then log in with the same credentials; ask for a
/// reset token, then use it.
struct Links;

impl Modify for Links {
    fn modify(&self, document: &mut Document) {
        let links = [
            (
                "register",
                "LogIn",
                LinkBuilder::new()
                    .operation_id("login")
                    .request_body(Some(serde_json::json!({
                        "email": "$request.body#/email",
                        "password": "$request.body#/password",
                    }))),
            ),
            (
                "get_reset_password_token",
                "UpdatePassword",
                LinkBuilder::new()
                    .operation_id("update_password")
                    .request_body(Some(serde_json::json!({
                        "email": "$response.body#/email",
                        "reset_token": "$response.body#/reset_token",
                        "new_password": "a brand new passphrase",
                    }))),
            ),
            (
                "login",
                "Profile",
                LinkBuilder::new().operation_id("profile"),
            ),
            ("login", "LogOut", LinkBuilder::new().operation_id("logout")),
        ];
        for (from, name, link) in links {
            let ok = operations(document)
                .find(|(_, operation)| operation.operation_id.as_deref() == Some(from))
                .and_then(|(_, operation)| operation.responses.responses.get_mut("200"));
            if let Some(RefOr::T(response)) = ok {
                response.links.insert(name.to_owned(), link.build().into());
            }
        }
    }
}

/// Every passkey ceremony (the POST routes tagged `passkeys`) answers 404
/// where passkeys are off (see `auth::relying_party`); listing and
/// removing passkeys kept from before still work.
struct PasskeysMayBeOff;

/// The 404 of a passkey route where passkeys are off.
const PASSKEYS_OFF: &str = "Passkeys are off on this server (its public_url is an IP address)";

impl Modify for PasskeysMayBeOff {
    fn modify(&self, document: &mut Document) {
        for (method, operation) in operations(document) {
            let tags = operation.tags.as_deref().unwrap_or_default();
            if method != HttpMethod::Post || !tags.iter().any(|tag| tag == "passkeys") {
                continue;
            }
            answers_also(
                operation,
                "404",
                PASSKEYS_OFF,
                "passkeys are off on this server",
            );
        }
    }
}

/// Documents that `operation` also answers `status` for a reason: as
/// `description` where it had no such answer, else with `addition`
/// appended to the one it had.
fn answers_also(
    operation: &mut utoipa::openapi::path::Operation,
    status: &str,
    description: &str,
    addition: &str,
) {
    let answer = operation.responses.responses.entry(status.to_owned());
    match answer.or_insert_with(|| message(description).build().into()) {
        RefOr::T(response) if response.description != description => {
            response.description += &format!("; or {addition}");
        }
        _ => {}
    }
}

/// Every operation of `document`, with its method.
fn operations(
    document: &mut Document,
) -> impl Iterator<Item = (HttpMethod, &mut utoipa::openapi::path::Operation)> {
    document.paths.paths.values_mut().flat_map(|item| {
        [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
        ]
        .into_iter()
        .filter_map(|(method, operation)| Some((method, operation?)))
    })
}
