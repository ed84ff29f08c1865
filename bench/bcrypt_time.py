"""Time one bcrypt verification, as the server does for every login.

Usage: python bcrypt_time.py COST SAMPLES
Prints the median time of SAMPLES verifications of a correct password against
a hash of work factor COST, in seconds. Needs PyPI's `bcrypt` package.
"""

import statistics
import sys
import time

import bcrypt


def main() -> None:
    cost, samples = int(sys.argv[1]), int(sys.argv[2])
    password = b"bench-password-42"
    hashed = bcrypt.hashpw(password, bcrypt.gensalt(rounds=cost))
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        if not bcrypt.checkpw(password, hashed):
            sys.exit("bcrypt_time.py: verification failed")
        times.append(time.perf_counter() - start)
    print(f"{statistics.median(times):.6f} {bcrypt.__version__}")


if __name__ == "__main__":
    main()
