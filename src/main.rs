use std::process::ExitCode;

use auth_service::cli::{self, Cli, Command};
use clap::Parser;

#[rocket::main]
async fn main() -> ExitCode {
    let command = Cli::parse().command;
    let figment = match auth_service::config::figment() {
        Ok(figment) => figment,
        Err(error) => {
            eprintln!("auth-service: cannot read the secret key: {error}");
            return ExitCode::FAILURE;
        }
    };
    auth_service::web::logging::install(&figment);
    let command = match command {
        None | Some(Command::Serve) => return serve(figment).await,
        Some(command) => command,
    };
    match cli::run(command, figment, auth_service::flows::link_paths()).await {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("auth-service: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(figment: rocket::figment::Figment) -> ExitCode {
    match auth_service::build(figment).launch().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("auth-service: {}", error.pretty_print());
            ExitCode::FAILURE
        }
    }
}
