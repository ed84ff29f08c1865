//! Diesel schema of the tables created by `migrations/`.

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        normalized_email -> Text,
        hashed_password -> Text,
        session_id -> Nullable<Text>,
        session_expires_at -> Nullable<BigInt>,
        reset_token -> Nullable<Text>,
        reset_token_expires_at -> Nullable<BigInt>,
        created_at -> BigInt,
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
