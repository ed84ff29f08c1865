//! The OpenAPI document at `/openapi.json` describes every route of the
//! JSON API, as the code declares it.

use auth_service::{flows, openapi};
use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::app::{body, TestApp};

async fn document(app: &TestApp) -> Value {
    let response = app.client.get("/openapi.json").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    serde_json::from_str(&body(response).await).expect("a JSON document")
}

/// (method, path, rank) of each route in `list`.
fn signatures(list: Vec<rocket::Route>) -> Vec<(String, String, isize)> {
    list.into_iter()
        .map(|route| {
            (
                route.method.as_str().to_lowercase(),
                // Rocket's `<id>` is OpenAPI's `{id}`.
                route.uri.path().replace('<', "{").replace('>', "}"),
                route.rank,
            )
        })
        .collect()
}

#[rocket::async_test]
async fn every_api_route_mounted_is_documented() {
    let app = TestApp::new().await;
    let document = document(&app).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));

    let api = signatures(
        flows::api_routes()
            .into_iter()
            .chain(openapi::routes())
            .collect(),
    );
    let pages = signatures(flows::page_routes());
    let provider = signatures(flows::provider_routes());
    let mounted = signatures(app.client.rocket().routes().cloned().collect());
    let mut documented = 0;
    for (method, path, rank) in mounted {
        let signature = (method.clone(), path.clone(), rank);
        if pages.contains(&signature) || path.starts_with("/static/") {
            continue; // browser pages and files, not the JSON API
        }
        if provider.contains(&signature) {
            continue; // OpenID Connect's, described by its discovery document
        }
        assert!(
            api.contains(&signature),
            "{method} {path} is mounted outside the API's routes"
        );
        let operation = &document["paths"][&path][&method];
        assert!(
            operation.is_object(),
            "{method} {path} is not in the document"
        );
        documented += 1;
    }
    assert_eq!(documented, api.len());
}

#[rocket::async_test]
async fn every_body_may_be_a_form_multipart_or_json_with_no_other_field() {
    // The authenticators' answers of passkey ceremonies are JSON only.
    let json_only = ["finish_registration", "finish_sign_in", "finish_proof"];
    let app = TestApp::new().await;
    let document = document(&app).await;
    let mut bodies = 0;
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            let mut types: Vec<&str> = content.keys().map(String::as_str).collect();
            types.sort();
            let expected: &[&str] = match operation["operationId"].as_str() {
                Some(id) if json_only.contains(&id) => &["application/json"],
                _ => &[
                    "application/json",
                    "application/x-www-form-urlencoded",
                    "multipart/form-data",
                ],
            };
            assert_eq!(types, expected, "{}", operation["operationId"]);
            let schema = content["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap();
            let name = schema.rsplit('/').next().unwrap();
            let schema = &document["components"]["schemas"][name];
            assert_eq!(
                schema["additionalProperties"], false,
                "{name} refuses other fields"
            );
            bodies += 1;
        }
    }
    assert_eq!(
        bodies, 20,
        "POST /users, POST /sessions, POST and PUT /reset_password, POST /verify_email, PUT \
         /profile/password, PUT /profile/email, POST /profile/email/cancel, DELETE /profile, \
         POST, PUT and DELETE /profile/totp, POST /profile/recovery_codes, POST \
         /profile/passkeys/options, POST /profile/passkeys, DELETE /profile/passkeys/<id>, \
         DELETE /sessions/others, DELETE /sessions/<id>, POST /sessions/passkey, POST \
         /profile/confirm/passkey"
    );
}

#[rocket::async_test]
async fn the_session_cookie_is_the_security_scheme() {
    let app = TestApp::new().await;
    let document = document(&app).await;
    let scheme = &document["components"]["securitySchemes"]["session_cookie"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "cookie");
    assert_eq!(scheme["name"], "session_id");
    for (path, method) in [("/profile", "get"), ("/sessions", "delete")] {
        let security = &document["paths"][path][method]["security"];
        assert!(security[0]["session_cookie"].is_array(), "{method} {path}");
    }
}

#[rocket::async_test]
async fn statuses_and_links_are_documented() {
    let app = TestApp::new().await;
    let document = document(&app).await;
    let login = &document["paths"]["/sessions"]["post"]["responses"];
    for status in ["200", "400", "401", "403", "429"] {
        assert!(login[status].is_object(), "POST /sessions {status}");
    }
    assert!(login["429"]["headers"]["Retry-After"].is_object());
    assert!(document["paths"]["/sessions"]["delete"]["responses"]["302"].is_object());

    let register_links = &document["paths"]["/users"]["post"]["responses"]["200"]["links"];
    assert_eq!(register_links["LogIn"]["operationId"], "login");
    assert_eq!(
        register_links["LogIn"]["requestBody"]["email"],
        "$request.body#/email"
    );
    let reset_links = &document["paths"]["/reset_password"]["post"]["responses"]["200"]["links"];
    assert_eq!(
        reset_links["UpdatePassword"]["requestBody"]["reset_token"],
        "$response.body#/reset_token"
    );
}

#[rocket::async_test]
async fn verification_and_both_reset_answers_are_documented() {
    let app = TestApp::new().await;
    let document = document(&app).await;
    let verify = &document["paths"]["/verify_email"];
    assert_eq!(verify["get"]["parameters"][0]["name"], "token");
    assert!(verify["get"]["responses"]["400"].is_object());
    assert!(verify["post"]["requestBody"].is_object());

    let answer = &document["paths"]["/reset_password"]["post"]["responses"]["200"];
    let schema = answer["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    let name = schema.rsplit('/').next().unwrap();
    let shapes = document["components"]["schemas"][name]["oneOf"]
        .as_array()
        .expect("one of two shapes");
    let shapes: Vec<&str> = shapes
        .iter()
        .map(|shape| shape["$ref"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(shapes, ["ResetTokenIssued", "EmailMessage"]);
    let login = &document["paths"]["/sessions"]["post"]["responses"]["403"];
    let forbidden = login["description"].as_str().unwrap();
    assert!(forbidden.contains("not verified") && forbidden.contains("cross-site"));
}

#[rocket::async_test]
async fn every_passkey_ceremony_documents_its_404_where_passkeys_are_off() {
    let app = TestApp::new().await;
    let document = document(&app).await;
    let mut passkey_routes = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if method != "post" || operation["tags"][0] != "passkeys" {
                continue;
            }
            let not_found = operation["responses"]["404"]["description"].as_str();
            assert!(
                not_found
                    .is_some_and(|text| text.contains("passkeys are off")
                        || text.contains("Passkeys are off")),
                "{path}: {not_found:?}"
            );
            passkey_routes += 1;
        }
    }
    assert_eq!(passkey_routes, 6);
}
