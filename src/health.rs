//! `GET /health/alive` and `GET /health/ready`: for load balancers and
//! orchestrators. Cheap (no hashing, one query at most), never throttled,
//! and not logged per request.

use rocket::http::Status;
use rocket::{get, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::web::json::FlaskJson;

/// `{"status": "ok"}`, or `{"reason": R, "status": "unavailable"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Why the service is not ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "the database does not answer")]
    reason: Option<&'static str>,
    #[schema(example = "ok")]
    status: &'static str,
}

/// The paths of the health checks, which the request log is told to leave
/// out.
pub const PATHS: [&str; 2] = ["/health/alive", "/health/ready"];

/// 200 `{"status": "ok"}` while the process serves.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The process serves", body = Health,
               example = json!({"status": "ok"}))),
)]
#[get("/health/alive")]
pub fn alive() -> FlaskJson<Health> {
    FlaskJson(Health {
        reason: None,
        status: "ok",
    })
}

/// 200 `{"status": "ok"}` when the database answers with every migration
/// applied; 503 with the reason otherwise.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health,
         example = json!({"status": "ok"})),
        (status = 503, description = "Not ready: the database does not answer, or migrations \
                                      are pending", body = Health,
         example = json!({"reason": "the database does not answer", "status": "unavailable"})),
    ),
)]
#[get("/health/ready")]
pub async fn ready(auth: &State<Auth>) -> (Status, FlaskJson<Health>) {
    match auth.readiness().await {
        Ok(()) => (Status::Ok, alive()),
        Err(reason) => (
            Status::ServiceUnavailable,
            FlaskJson(Health {
                reason: Some(reason),
                status: "unavailable",
            }),
        ),
    }
}
