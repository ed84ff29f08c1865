"""Seeds the SQLite database of a running bench server with COUNT fresh
authorization codes of the application CLIENT_ID (a confidential one,
without PKCE, whose redirect address is https://bench.example/cb), each
for the scopes "openid offline_access", on the first seeded session, as the
consent of a sign-in leaves them; writes the codes, one per line, to OUT.
They live 60 s, as the service's own do: seed them just before the load.

    python3 seed_codes.py DATABASE CLIENT_ID COUNT OUT

The rows are what the service writes (the code's SHA-256 digest), so that
each redemption does the service's real work.
"""

import base64
import hashlib
import json
import os
import sqlite3
import sys
import time

path, client, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
now = int(time.time())
db = sqlite3.connect(path, timeout=60)
db.execute("PRAGMA busy_timeout = 60000")
session, user = db.execute("SELECT id, user_id FROM sessions ORDER BY id LIMIT 1").fetchone()
details = json.dumps(
    {
        "redirect_uri": "https://bench.example/cb",
        "scopes": "openid offline_access",
        "nonce": None,
        "code_challenge": None,
        "auth_time": now,
    }
)
codes = [base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode() for _ in range(count)]
with db:
    db.executemany(
        "INSERT INTO authorization_codes (digest, grant_id, client_id, user_id, session_id, "
        "grant_details, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (
                hashlib.sha256(code.encode()).hexdigest(),
                os.urandom(16).hex(),
                client,
                user,
                session,
                details,
                now + 60,
            )
            for code in codes
        ),
    )
with open(out, "w") as lines:
    lines.write("\n".join(codes) + "\n")
