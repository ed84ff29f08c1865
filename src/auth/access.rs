//! Forward auth's decision: whether a session opens a host that a reverse
//! proxy guards, by the rules of `[forward_auth]`; and the groups of
//! accounts that rules may ask for, which the admin command line manages.

use super::{Auth, AuthError, Email};
use crate::config::AccessPolicy;
use crate::user::Group;
use crate::user::UserId;

/// The user of a live session asking for a host, and whether the session
/// proved a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visitor {
    pub user_id: UserId,
    pub second_factor: bool,
}

/// What forward auth answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// The host opens; the user's groups, for the application.
    Granted { groups: Vec<String> },
    /// No session: logging in opens it.
    LogIn,
    /// The session must prove a second factor first.
    SecondFactor,
    /// No rule names the host, or the user is in none of its groups.
    Denied,
}

impl Access {
    /// The decision's name, for metrics and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Access::Granted { .. } => "granted",
            Access::LogIn => "log_in",
            Access::SecondFactor => "second_factor",
            Access::Denied => "denied",
        }
    }
}

impl Auth {
    /// Whether `visitor` (`None`: no live session) may open `host` (a host
    /// name, without its port): the first rule naming the host decides; a
    /// host no rule names is denied to everyone. Counted by decision.
    pub async fn access(&self, host: &str, visitor: Option<Visitor>) -> Result<Access, AuthError> {
        let access = self.decide(host, visitor).await?;
        self.access.count(access.name());
        Ok(access)
    }

    async fn decide(&self, host: &str, visitor: Option<Visitor>) -> Result<Access, AuthError> {
        let Some(rule) = self.settings.forward_auth.rule_for(host) else {
            return Ok(Access::Denied);
        };
        let Some(visitor) = visitor else {
            return Ok(Access::LogIn);
        };
        let groups = self.db.user_groups(visitor.user_id).await?;
        let member = |group: &Group| groups.iter().any(|name| name == group.as_str());
        if !rule.groups.is_empty() && !rule.groups.iter().any(member) {
            return Ok(Access::Denied);
        }
        if rule.policy == AccessPolicy::TwoFactor && !visitor.second_factor {
            return Ok(Access::SecondFactor);
        }
        Ok(Access::Granted { groups })
    }

    /// The groups of the account `email`, by name.
    pub async fn groups_of(&self, email: &Email) -> Result<Vec<String>, AuthError> {
        let user = self.known_user(email).await?;
        Ok(self.db.user_groups(user.id).await?)
    }

    /// Puts the account `email` in `group`; whether it was not in it yet.
    pub async fn add_to_group(&self, email: &Email, group: &Group) -> Result<bool, AuthError> {
        let user = self.known_user(email).await?;
        Ok(self.db.add_user_group(user.id, group.as_str()).await?)
    }

    /// Takes the account `email` out of `group`; whether it was in it.
    pub async fn remove_from_group(&self, email: &Email, group: &Group) -> Result<bool, AuthError> {
        let user = self.known_user(email).await?;
        Ok(self.db.remove_user_group(user.id, group.as_str()).await?)
    }
}
