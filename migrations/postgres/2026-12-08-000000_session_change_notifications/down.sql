DROP TRIGGER users_announce_changes ON users;
DROP FUNCTION auth_announce_user_change();
DROP TRIGGER sessions_announce_changes ON sessions;
DROP FUNCTION auth_announce_session_change();
