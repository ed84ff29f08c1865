//! Diesel schema of the tables created by `migrations/`.

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        normalized_email -> Text,
        hashed_password -> Text,
        reset_token -> Nullable<Text>,
        reset_token_expires_at -> Nullable<BigInt>,
        created_at -> BigInt,
        email_verified_at -> Nullable<BigInt>,
        verify_token -> Nullable<Text>,
        verify_token_expires_at -> Nullable<BigInt>,
        reset_mail_sent_at -> Nullable<BigInt>,
        verify_mail_sent_at -> Nullable<BigInt>,
        totp_secret -> Nullable<Binary>,
        totp_enabled_at -> Nullable<BigInt>,
        totp_last_step -> Nullable<BigInt>,
        credential_generation -> BigInt,
        reset_token_generation -> Nullable<BigInt>,
        verify_token_generation -> Nullable<BigInt>,
        pending_email -> Nullable<Text>,
        email_change_token -> Nullable<Text>,
        email_change_cancel_token -> Nullable<Text>,
        email_change_expires_at -> Nullable<BigInt>,
        email_change_generation -> Nullable<BigInt>,
        code_failures -> Integer,
        language -> Text,
        subject -> Nullable<Text>,
        disabled_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    recovery_codes (user_id, digest) {
        user_id -> Integer,
        digest -> Text,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    login_failures (normalized_email) {
        normalized_email -> Text,
        failures -> Integer,
        last_failed_at -> BigInt,
        locked_until -> Nullable<BigInt>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        user_id -> Nullable<Integer>,
        recipient -> Text,
        message -> Nullable<Binary>,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        lease_until -> Nullable<BigInt>,
        failed_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        public_id -> Text,
        digest -> Text,
        user_id -> Integer,
        created_at -> BigInt,
        last_seen_at -> BigInt,
        expires_at -> BigInt,
        persistent -> Bool,
        device -> Text,
        ip -> Nullable<Text>,
        authenticated_at -> BigInt,
        second_factor_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    user_groups (user_id, name) {
        user_id -> Integer,
        name -> Text,
    }
}

diesel::table! {
    user_devices (user_id, device) {
        user_id -> Integer,
        device -> Text,
        last_login_at -> BigInt,
    }
}

diesel::table! {
    device_cookies (digest) {
        digest -> Text,
        user_id -> Integer,
        failures -> Integer,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    passkeys (id) {
        id -> BigInt,
        public_id -> Text,
        user_id -> Integer,
        user_handle -> Text,
        credential_id -> Text,
        name -> Text,
        credential -> Text,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    passkey_ceremonies (digest) {
        digest -> Text,
        user_id -> Nullable<Integer>,
        state -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    pending_sign_ins (digest) {
        digest -> Text,
        user_id -> Integer,
        persistent -> Bool,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        arrival_ms -> BigInt,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        algorithm -> Text,
        private_key -> Binary,
        public_jwk -> Text,
        created_at -> BigInt,
        retired_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    oauth_clients (client_id) {
        client_id -> Text,
        name -> Text,
        secret_digest -> Nullable<Text>,
        redirect_uris -> Text,
        post_logout_redirect_uris -> Text,
        scopes -> Text,
        signing_alg -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    authorization_requests (digest) {
        digest -> Text,
        client_id -> Text,
        request -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    authorization_codes (digest) {
        digest -> Text,
        grant_id -> Text,
        client_id -> Text,
        user_id -> Integer,
        session_id -> BigInt,
        grant_details -> Text,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    oauth_tokens (digest) {
        digest -> Text,
        kind -> Text,
        grant_id -> Text,
        client_id -> Text,
        user_id -> Integer,
        session_id -> BigInt,
        scope -> Text,
        auth_time -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        replaced_by -> Nullable<Text>,
    }
}

diesel::table! {
    oauth_consents (user_id, client_id) {
        user_id -> Integer,
        client_id -> Text,
        scope -> Text,
        granted_at -> BigInt,
    }
}

diesel::joinable!(outbox -> users (user_id));
diesel::joinable!(oauth_tokens -> users (user_id));
diesel::joinable!(oauth_consents -> oauth_clients (client_id));
diesel::joinable!(passkeys -> users (user_id));
diesel::joinable!(pending_sign_ins -> users (user_id));
diesel::joinable!(passkey_ceremonies -> users (user_id));
diesel::joinable!(device_cookies -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(user_devices -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    oauth_clients,
    oauth_consents,
    device_cookies,
    login_failures,
    outbox,
    passkey_ceremonies,
    passkeys,
    pending_sign_ins,
    rate_limits,
    sessions,
    user_devices
);
