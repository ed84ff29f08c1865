//! The OpenAPI 3 document of the JSON API, assembled from the operations
//! the flows declare and served at `/openapi.json`. A leaf: it reads
//! `flows`, and nothing reads it.

use std::sync::LazyLock;

use rocket::get;
use rocket::http::ContentType;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::schema::AdditionalProperties;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, HttpMethod, OpenApi as Document, RefOr, Response, Schema};
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
    let modifiers: [&dyn Modify; 5] = [
        &SessionCookie,
        &RequestBodies,
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
            let name = match &json {
                RefOr::T(Content {
                    schema: Some(RefOr::Ref(schema)),
                    ..
                }) => schema.ref_location.rsplit('/').next().unwrap_or_default(),
                _ => "",
            };
            schemas.push(name.to_owned());
            if JSON_ONLY.contains(&name) {
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
    match answer.or_insert_with(|| Response::new(description).into()) {
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
