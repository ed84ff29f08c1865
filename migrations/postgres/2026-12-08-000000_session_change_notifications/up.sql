-- Every change of a session or of its user is announced on the channel
-- `auth_session_changes`, so that each instance forgets its cached look-up
-- of it (src/db/session_cache.rs) the moment the change commits, whoever
-- made it: another instance, the admin command line, an operator's SQL.
-- `s:<digest>` names a session, `u:<id>` a user. A session's last use is
-- announced too (written once a minute at most), so that every instance
-- sees it when it decides whether a session idled out.
CREATE FUNCTION auth_announce_session_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('auth_session_changes', 's:' || OLD.digest);
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_announce_changes
    AFTER DELETE OR UPDATE
    ON sessions
    FOR EACH ROW EXECUTE FUNCTION auth_announce_session_change();

CREATE FUNCTION auth_announce_user_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('auth_session_changes', 'u:' || OLD.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER users_announce_changes
    AFTER DELETE OR UPDATE
    ON users
    FOR EACH ROW EXECUTE FUNCTION auth_announce_user_change();
