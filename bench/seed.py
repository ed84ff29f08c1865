"""Seeds the SQLite database of a running bench server with COUNT users,
each with one live session and one known device, as many logins would
leave it; then prints the database's bytes per user (after a checkpoint).

    python3 seed.py DATABASE COUNT

The rows are what the service writes (digests of ids, a bcrypt-shaped
hash), so that the tables and their indexes have their real size.
"""

import hashlib
import os
import sqlite3
import sys
import time

path, count = sys.argv[1], int(sys.argv[2])
now = int(time.time())
db = sqlite3.connect(path, timeout=60)
db.execute("PRAGMA busy_timeout = 60000")
with db:
    start = db.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0] + 1
    users = []
    for n in range(start, start + count):
        email = f"seeded-{n}@example.com"
        hashed = "$2b$12$" + os.urandom(40).hex()[:53]
        users.append((email, email, hashed, now))
    db.executemany(
        "INSERT INTO users (email, normalized_email, hashed_password, created_at) "
        "VALUES (?, ?, ?, ?)",
        users,
    )
    ids = [row[0] for row in db.execute("SELECT id FROM users WHERE id >= ?", (start,))]
    db.executemany(
        "INSERT INTO sessions (public_id, digest, user_id, created_at, last_seen_at, "
        "expires_at, persistent, device, ip) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
        (
            (
                os.urandom(16).hex(),
                hashlib.sha256(os.urandom(16)).hexdigest(),
                user_id,
                now,
                now,
                now + 7 * 24 * 3600,
                "Firefox on Linux",
                f"192.0.2.{user_id % 250}",
            )
            for user_id in ids
        ),
    )
    db.executemany(
        "INSERT INTO user_devices (user_id, device, last_login_at) VALUES (?, ?, ?)",
        ((user_id, "Firefox on Linux", now) for user_id in ids),
    )
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
pages = db.execute("PRAGMA page_count").fetchone()[0]
size = db.execute("PRAGMA page_size").fetchone()[0]
total = db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
print(f"{pages * size / total:.0f}")
