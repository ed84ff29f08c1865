//! What operators need of a running service: health checks and metrics.

use rocket::http::{Accept, Status};

use crate::app::{body, TestApp};

#[rocket::async_test]
async fn the_health_checks_answer_in_json_for_every_client() {
    let app = TestApp::new().await;
    for path in ["/health/alive", "/health/ready"] {
        for accept in [Accept::JSON, Accept::HTML] {
            let response = app.client.get(path).header(accept).dispatch().await;
            assert_eq!(response.status(), Status::Ok, "{path}");
            assert_eq!(body(response).await, "{\"status\":\"ok\"}\n", "{path}");
        }
    }
}

#[rocket::async_test]
async fn not_ready_while_a_migration_is_missing() {
    let app = TestApp::new().await;
    app.execute(
        "DELETE FROM __diesel_schema_migrations \
         WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)",
    );
    let response = app.client.get("/health/ready").dispatch().await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert_eq!(
        body(response).await,
        "{\"reason\":\"database migrations are pending\",\"status\":\"unavailable\"}\n"
    );
    let alive = app.client.get("/health/alive").dispatch().await;
    assert_eq!(alive.status(), Status::Ok, "alive all the same");
}
