use std::process::ExitCode;

#[rocket::main]
async fn main() -> ExitCode {
    let figment = match auth_service::config::figment() {
        Ok(figment) => figment,
        Err(error) => {
            eprintln!("auth-service: cannot read the secret key: {error}");
            return ExitCode::FAILURE;
        }
    };
    match auth_service::build(figment).launch().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("auth-service: {}", error.pretty_print());
            ExitCode::FAILURE
        }
    }
}
