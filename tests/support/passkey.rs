//! A person's authenticator in software (webauthn-authenticator-rs's
//! SoftPasskey, real P-256 keys and signatures), driven with the JSON the
//! service sends and answering with the JSON a browser's script sends.
//!
//! SoftPasskey keeps no credentials on the device (no resident keys), so
//! this keeps, for each credential it made, the user handle a discoverable
//! credential holds, and offers its credentials to a sign-in as a
//! platform authenticator offers the ones it keeps.

use std::collections::BTreeMap;

use serde_json::Value;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};
use webauthn_rs_proto::{AllowCredentials, ResidentKeyRequirement};

/// The origin of the service under test (its default `public_url`, from `Rocket.toml`'s port).
pub const ORIGIN: &str = "http://localhost:5000";

/// One authenticator, with the passkeys it made.
pub struct Authenticator {
    device: SoftPasskey,
    origin: Url,
    /// The user handle of each credential it made, by credential id.
    handles: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Authenticator {
    /// An authenticator that verifies its user, for pages at `origin`.
    pub fn new(origin: &str) -> Self {
        Authenticator {
            device: SoftPasskey::new(true),
            origin: Url::parse(origin).expect("an origin"),
            handles: BTreeMap::new(),
        }
    }

    /// A new credential for `options` (what the service's `…/options`
    /// answered, `options` field), as the JSON a script sends back.
    pub fn create(&mut self, options: &Value) -> Value {
        let mut options: CreationChallengeResponse =
            serde_json::from_value(options.clone()).expect("creation options");
        let handle = options.public_key.user.id.to_vec();
        // Kept here instead of on the device (see above).
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.require_resident_key = false;
            selection.resident_key = Some(ResidentKeyRequirement::Discouraged);
        }
        let credential = self
            .device
            .do_registration(self.origin.clone(), options)
            .expect("the authenticator makes a credential");
        self.handles.insert(credential.raw_id.to_vec(), handle);
        serde_json::to_value(credential).expect("JSON")
    }

    /// An assertion for `options` with one of its credentials, as the JSON
    /// a script sends back.
    pub fn get(&mut self, options: &Value) -> Value {
        let mut options: RequestChallengeResponse =
            serde_json::from_value(options.clone()).expect("request options");
        options.public_key.allow_credentials = self
            .handles
            .keys()
            .map(|id| AllowCredentials {
                type_: "public-key".to_owned(),
                id: id.clone(),
                transports: None,
            })
            .collect();
        let mut assertion = self
            .device
            .do_authentication(self.origin.clone(), options)
            .expect("the authenticator signs");
        let handle = self.handles.get(assertion.raw_id.as_slice()).cloned();
        assertion.response.user_handle = handle;
        serde_json::to_value(assertion).expect("JSON")
    }
}
