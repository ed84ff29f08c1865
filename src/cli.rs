//! The admin command line: the server binary with a subcommand acts on
//! accounts without SQL, through `Auth` like the routes (the same policy,
//! hashing and mails), over the same configuration (Rocket.toml and
//! `ROCKET_*`). Without a subcommand, it serves.

use std::io::{self, BufRead};

use clap::{Parser, Subcommand};
use rocket::figment::Figment;
use rocket::{Build, Rocket};

use crate::auth::provider::{Client, ClientRegistration, OAuthError, Scopes, SCOPES};
use crate::auth::{Auth, AuthError, Email, Password};
use crate::clock::{now, timestamp};
use crate::db::DB;
use crate::jose::Algorithm;
use crate::mail::LinkPaths;
use crate::metrics::Metrics;
use crate::service::Service;
use crate::user::Group;

/// What the binary is asked to do.
#[derive(Debug, Parser)]
#[command(name = "auth-service", version, about = "User authentication service")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve HTTP (what the binary does without a subcommand).
    Serve,
    /// Apply the database migrations, then exit.
    Migrate,
    /// Create, change, delete or list accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// End sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Put accounts in groups, or take them out (forward auth's rules may
    /// ask for a group).
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// Register the applications that sign their users in here (OpenID
    /// Connect clients), list, show, give a new secret or remove them.
    #[command(subcommand)]
    Client(ClientCommand),
    /// The keys that sign ID tokens.
    #[command(subcommand)]
    Keys(KeysCommand),
}

/// `user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; its password is asked for on the terminal.
    Create {
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set an account's password; every session of the account ends.
    SetPassword {
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete an account, with its sessions, tokens and waiting mails.
    Delete { email: String },
    /// Disable an account: its sessions end, with the tokens applications
    /// hold through them, and no login starts one until it is enabled.
    Disable { email: String },
    /// Enable a disabled account again.
    Enable { email: String },
    /// List accounts, oldest first.
    List {
        /// The most accounts to list.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..))]
        limit: i64,
    },
}

/// `sessions …`.
#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// End every session of an account (it logs out everywhere).
    End { email: String },
}

/// `groups …`.
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// Put an account in a group.
    Add { email: String, group: String },
    /// Take an account out of a group.
    Remove { email: String, group: String },
    /// List an account's groups.
    Show { email: String },
}

/// `client …`.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register an application; a confidential one's secret is printed
    /// once.
    Add {
        /// Its name, as the consent page shows it.
        name: String,
        /// Where it receives its users back (exact address, repeatable).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Where a logout it asks for may lead back (repeatable).
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// A public client (a single-page or native application): no
        /// secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// The scopes it may ask for, separated by spaces.
        #[arg(long, default_value = "openid email profile offline_access")]
        scopes: String,
        /// The algorithm of its ID tokens: RS256, ES256 or EdDSA.
        #[arg(long, default_value = "RS256")]
        signing_alg: String,
    },
    /// List the applications.
    List,
    /// Show an application.
    Show { client_id: String },
    /// Give a confidential application a new secret; the old one stops
    /// working at once.
    RotateSecret { client_id: String },
    /// Remove an application, with its tokens and consents.
    Remove { client_id: String },
}

/// `keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new signing key, which signs from now on (within a minute on
    /// every instance); the old one stays published while its tokens live.
    Rotate {
        /// RS256, ES256 or EdDSA.
        #[arg(long, default_value = "RS256")]
        algorithm: String,
    },
    /// List the signing keys, newest first.
    List,
}

/// Runs `command` (any but `serve`) with the configuration `figment`, the
/// mails it writes linking to `links`; what to print, or why it failed.
pub async fn run(command: Command, figment: Figment, links: LinkPaths) -> Result<String, String> {
    // A command looks a session up once at most: no session cache, and no
    // connection listening for its changes (the servers hear of the
    // command's own changes through the database).
    let rocket = rocket::custom(figment.merge(("sessions.cache_ttl", 0)));
    // Rocket sets the log level at ignition, which a command never reaches:
    // only errors, the command's output is its own.
    log::set_max_level(log::LevelFilter::Error);
    match command {
        Command::Serve => Err("serve is not a command to run here".to_owned()),
        Command::Migrate => {
            DB::connect(&rocket)
                .await
                .map_err(|error| error.to_string())?;
            Ok("The database is up to date.".to_owned())
        }
        Command::User(command) => user(command, &auth(&rocket, links).await?).await,
        Command::Sessions(SessionsCommand::End { email }) => {
            let auth = auth(&rocket, links).await?;
            let email = parse_email(&email)?;
            let ended = auth
                .end_sessions_of(&email)
                .await
                .map_err(|error| describe(error, &email))?;
            Ok(format!("Ended {ended} session(s) of {email}."))
        }
        Command::Groups(command) => groups(command, &auth(&rocket, links).await?).await,
        Command::Client(command) => client(command, &auth(&rocket, links).await?).await,
        Command::Keys(command) => keys(command, &auth(&rocket, links).await?).await,
    }
}

async fn user(command: UserCommand, auth: &Auth) -> Result<String, String> {
    match command {
        UserCommand::Create {
            email,
            password_stdin,
        } => {
            let email = parse_email(&email)?;
            let password = read_password(password_stdin)?;
            let user = auth
                .register_user(&email, &password)
                .await
                .map_err(|error| describe(error, &email))?;
            Ok(format!(
                "Created the account {} (id {}).",
                user.email, user.id
            ))
        }
        UserCommand::SetPassword {
            email,
            password_stdin,
        } => {
            let email = parse_email(&email)?;
            let password = read_password(password_stdin)?;
            auth.set_password(&email, &password)
                .await
                .map_err(|error| describe(error, &email))?;
            Ok(format!(
                "Set the password of {email}; its sessions have ended."
            ))
        }
        UserCommand::Delete { email } => {
            let email = parse_email(&email)?;
            auth.delete_user(&email)
                .await
                .map_err(|error| describe(error, &email))?;
            Ok(format!("Deleted the account {email}."))
        }
        UserCommand::Disable { email } => set_disabled(auth, &email, true).await,
        UserCommand::Enable { email } => set_disabled(auth, &email, false).await,
        UserCommand::List { limit } => {
            let users = auth.users(limit).await.map_err(|error| error.to_string())?;
            let mut lines = vec![format!(
                "{:>6}  {:<40}  {:<8}  {:<10}  {:<8}  CREATED",
                "ID", "EMAIL", "VERIFIED", "TWO-FACTOR", "DISABLED"
            )];
            lines.extend(users.iter().map(|user| {
                format!(
                    "{:>6}  {:<40}  {:<8}  {:<10}  {:<8}  {}",
                    user.id,
                    user.email,
                    yes_no(user.email_verified_at.is_some()),
                    yes_no(user.totp_enabled_at.is_some()),
                    yes_no(user.disabled_at.is_some()),
                    timestamp(user.created_at)
                )
            }));
            Ok(lines.join("\n"))
        }
    }
}

/// `user disable` (`disable`) or `user enable`.
async fn set_disabled(auth: &Auth, email: &str, disable: bool) -> Result<String, String> {
    let email = parse_email(email)?;
    let changed = auth
        .set_disabled(&email, disable)
        .await
        .map_err(|error| describe(error, &email))?;
    Ok(match (disable, changed) {
        (true, true) => format!("Disabled the account {email}; its sessions have ended."),
        (true, false) => format!("The account {email} was disabled already."),
        (false, true) => format!("Enabled the account {email}."),
        (false, false) => format!("The account {email} was not disabled."),
    })
}

async fn groups(command: GroupsCommand, auth: &Auth) -> Result<String, String> {
    match command {
        GroupsCommand::Add { email, group } => {
            let (email, group) = (parse_email(&email)?, Group::parse(&group)?);
            let added = auth.add_to_group(&email, &group).await;
            Ok(match added.map_err(|error| describe(error, &email))? {
                true => format!("Put {email} in the group {group}."),
                false => format!("{email} is in the group {group} already."),
            })
        }
        GroupsCommand::Remove { email, group } => {
            let (email, group) = (parse_email(&email)?, Group::parse(&group)?);
            let removed = auth.remove_from_group(&email, &group).await;
            Ok(match removed.map_err(|error| describe(error, &email))? {
                true => format!("Took {email} out of the group {group}."),
                false => format!("{email} is not in the group {group}."),
            })
        }
        GroupsCommand::Show { email } => {
            let email = parse_email(&email)?;
            let groups = auth.groups_of(&email).await;
            let groups = groups.map_err(|error| describe(error, &email))?;
            Ok(match groups.is_empty() {
                true => format!("{email} is in no group."),
                false => groups.join("\n"),
            })
        }
    }
}

async fn client(command: ClientCommand, auth: &Auth) -> Result<String, String> {
    let failed = |error: AuthError| error.to_string();
    match command {
        ClientCommand::Add {
            name,
            redirect_uris,
            post_logout_redirect_uris,
            public,
            scopes,
            signing_alg,
        } => {
            let registration = ClientRegistration {
                name,
                redirect_uris,
                post_logout_redirect_uris,
                scopes: Scopes::parse(&scopes).ok_or_else(|| {
                    format!("unknown scope in {scopes:?}; known: {}", SCOPES.join(" "))
                })?,
                confidential: !public,
                signing_alg: signing_alg.parse()?,
            };
            let (client, secret) =
                auth.register_client(registration)
                    .await
                    .map_err(|error| match error {
                        OAuthError::Refused { description, .. } => description,
                        OAuthError::Service(error) => error.to_string(),
                    })?;
            let mut out = describe_client(&client);
            if let Some(secret) = secret {
                out.push_str(&format!(
                    "\nclient_secret: {}\n(shown once: keep it now)",
                    secret.expose()
                ));
            }
            Ok(out)
        }
        ClientCommand::List => {
            let clients = auth.clients().await.map_err(failed)?;
            Ok(match clients.is_empty() {
                true => "No application is registered.".to_owned(),
                false => clients
                    .iter()
                    .map(|client| format!("{}\t{}\t{}", client.id, kind(client), client.name))
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
        }
        ClientCommand::Show { client_id } => {
            let client = auth.client(&client_id).await.map_err(failed)?;
            client
                .map(|client| describe_client(&client))
                .ok_or_else(|| format!("no application {client_id}"))
        }
        ClientCommand::RotateSecret { client_id } => {
            let secret = auth
                .rotate_client_secret(&client_id)
                .await
                .map_err(failed)?;
            let secret =
                secret.ok_or_else(|| format!("no confidential application {client_id}"))?;
            Ok(format!(
                "client_secret: {}\n(shown once: keep it now; the old secret no longer works)",
                secret.expose()
            ))
        }
        ClientCommand::Remove { client_id } => {
            match auth.remove_client(&client_id).await.map_err(failed)? {
                true => Ok(format!("Removed the application {client_id}.")),
                false => Err(format!("no application {client_id}")),
            }
        }
    }
}

/// Whether `client` has a secret, in a word.
fn kind(client: &Client) -> &'static str {
    match client.confidential {
        true => "confidential",
        false => "public",
    }
}

/// `client`, as `client show` prints it.
fn describe_client(client: &Client) -> String {
    let mut lines = vec![
        format!("client_id: {}", client.id),
        format!("name: {}", client.name),
        format!("type: {}", kind(client)),
        format!("scopes: {}", client.scopes),
        format!("id_token_signing_alg: {}", client.signing_alg),
    ];
    lines.extend(
        client
            .redirect_uris
            .iter()
            .map(|uri| format!("redirect_uri: {uri}")),
    );
    lines.extend(
        client
            .post_logout_redirect_uris
            .iter()
            .map(|uri| format!("post_logout_redirect_uri: {uri}")),
    );
    lines.push(format!("created: {}", timestamp(client.created_at)));
    lines.join("\n")
}

async fn keys(command: KeysCommand, auth: &Auth) -> Result<String, String> {
    match command {
        KeysCommand::Rotate { algorithm } => {
            let algorithm: Algorithm = algorithm.parse()?;
            let (key, signs_from) = auth
                .rotate_key(algorithm)
                .await
                .map_err(|error| error.to_string())?;
            let when = match signs_from > now() {
                true => format!("from {}", timestamp(signs_from)),
                false => "from now on".to_owned(),
            };
            Ok(format!(
                "New {algorithm} key {}: published now; it signs {when} \
                 (within a minute on every instance).",
                key.kid()
            ))
        }
        KeysCommand::List => {
            let keys = auth
                .signing_key_list()
                .await
                .map_err(|error| error.to_string())?;
            let now = now();
            Ok(match keys.is_empty() {
                true => "No key yet: the first token of an algorithm makes one.".to_owned(),
                false => keys
                    .iter()
                    .map(|key| {
                        let state = match key.retired_at {
                            Some(at) if at <= now => format!("retired {}", timestamp(at)),
                            _ if key.signs_from > now => {
                                format!("next, signs from {}", timestamp(key.signs_from))
                            }
                            Some(at) => format!("current until {}", timestamp(at)),
                            None => "current".to_owned(),
                        };
                        format!("{}\t{}\t{state}", key.kid, key.algorithm)
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
        }
    }
}

/// `Auth` as the server builds it, over `rocket`'s configuration, its mails
/// linking to `links`; they wait in the outbox for a running server to send.
async fn auth(rocket: &Rocket<Build>, links: LinkPaths) -> Result<Auth, String> {
    Service::build(rocket, links, &Metrics::new())
        .await
        .map(|service| service.auth)
        .map_err(|error| format!("cannot start: {error}"))
}

fn parse_email(email: &str) -> Result<Email, String> {
    Email::parse(email).map_err(|reason| format!("email {reason}"))
}

/// A new password: from the first line of standard input, or typed twice
/// on the terminal without echo.
fn read_password(from_stdin: bool) -> Result<Password, String> {
    let typed = if from_stdin {
        let mut line = String::new();
        io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|error| format!("cannot read standard input: {error}"))?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        line.strip_suffix('\r').unwrap_or(line).to_owned()
    } else {
        let no_terminal =
            |_| "cannot read a password from the terminal; pipe it in with --password-stdin";
        let first = rpassword::prompt_password("Password: ").map_err(no_terminal)?;
        let again = rpassword::prompt_password("Password again: ").map_err(no_terminal)?;
        if first != again {
            return Err("the passwords differ".to_owned());
        }
        first
    };
    Password::parse(&typed).map_err(|reason| format!("password {reason}"))
}

/// `error` in an operator's words, about the account `email`.
fn describe(error: AuthError, email: &Email) -> String {
    match error {
        AuthError::UnknownEmail => format!("no account for {email}"),
        AuthError::UserAlreadyExists(_) => format!("an account for {email} already exists"),
        other => other.to_string(),
    }
}

fn yes_no(yes: bool) -> &'static str {
    if yes {
        "yes"
    } else {
        "no"
    }
}
