"""Seeds the SQLite database of a running bench server with CLIENTS
registered applications and a live refresh family for each of the first
FAMILIES sessions (seed.py's), spread over those applications: a refresh
token and its access token, as a sign-in through the provider leaves them;
then prints the database's bytes per family (after a checkpoint, counting
the rows added only).

    python3 seed_provider.py DATABASE CLIENTS FAMILIES

The rows are what the service writes (digests of tokens, a keyed digest as
the client secret), so that the tables and their indexes have their real
size.
"""

import hashlib
import json
import os
import sqlite3
import sys
import time

path, clients, families = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
now = int(time.time())
db = sqlite3.connect(path, timeout=60)
db.execute("PRAGMA busy_timeout = 60000")


def size():
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    return pages * db.execute("PRAGMA page_size").fetchone()[0]


before = size()
with db:
    ids = [f"seeded-{os.urandom(8).hex()}" for _ in range(clients)]
    db.executemany(
        "INSERT INTO oauth_clients (client_id, name, secret_digest, redirect_uris, "
        "post_logout_redirect_uris, scopes, signing_alg, created_at) "
        "VALUES (?, ?, ?, ?, '[]', ?, 'RS256', ?)",
        (
            (
                client,
                f"Seeded application {n}",
                hashlib.sha256(os.urandom(32)).hexdigest(),
                json.dumps([f"https://app{n}.example/callback"]),
                "openid email profile offline_access",
                now,
            )
            for n, client in enumerate(ids)
        ),
    )
    sessions = db.execute(
        "SELECT id, user_id FROM sessions ORDER BY id LIMIT ?", (families,)
    ).fetchall()
    if len(sessions) < families:
        sys.exit(f"only {len(sessions)} sessions to hang {families} families on")
    rows = []
    for n, (session, user) in enumerate(sessions):
        grant = os.urandom(16).hex()
        client = ids[n % clients]
        for kind, ttl in (("refresh", 30 * 24 * 3600), ("access", 3600)):
            rows.append(
                (
                    hashlib.sha256(os.urandom(32)).hexdigest(),
                    kind,
                    grant,
                    client,
                    user,
                    session,
                    "openid offline_access",
                    now,
                    now,
                    now + ttl,
                )
            )
    db.executemany(
        "INSERT INTO oauth_tokens (digest, kind, grant_id, client_id, user_id, "
        "session_id, scope, auth_time, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
print(f"{(size() - before) / families:.0f}")
