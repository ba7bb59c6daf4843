#!/usr/bin/env python3
"""Wrong-password flood against a running node, measured from outside (docs/security.md, "Accounts and abuse").

Needs only Python 3. On one machine the attacker and the honest users get distinct client addresses by binding to
other loopback addresses (127.0.0.2 ... on Linux), so the per-address throttle sees them apart.

    python3 load-test/login-flood.py --port 8080 --seconds 20 --threads 8

The many-usernames phase runs three times --seconds, long enough for the per-address limit to be reached.
"""
import argparse
import http.client
import json
import statistics
import threading
import time
import uuid


def call(port, source, path, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    started = time.perf_counter()
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def register(port, source):
    name = "probe_" + uuid.uuid4().hex[:12]
    password = "password-" + name
    status, _ = call(port, source, "/api/v1/auth/register", {"username": name, "password": password})
    assert status == 201, status
    return name, password


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


def honest_logins(port, source, user, stop, latencies):
    """Appends (start time, seconds) of one honest login every 200 ms until stopped."""
    while not stop.is_set():
        started = time.monotonic()
        status, seconds = call(port, source, "/api/v1/auth/login", {"username": user[0], "password": user[1]})
        assert status == 200, status
        latencies.append((started, seconds))
        time.sleep(0.2)


def flood(port, source, usernames, stop, statuses):
    i = 0
    while not stop.is_set():
        name = usernames[i % len(usernames)]
        i += 1
        status, _ = call(port, source, "/api/v1/auth/login", {"username": name, "password": "wrong-" + uuid.uuid4().hex})
        statuses.append(status)


def phase(port, seconds, threads, attacker, usernames, honest_user):
    stop = threading.Event()
    statuses, latencies = [], []
    workers = [threading.Thread(target=flood, args=(port, attacker, usernames, stop, statuses)) for _ in range(threads)]
    workers.append(threading.Thread(target=honest_logins, args=(port, "127.0.0.9", honest_user, stop, latencies)))
    began = time.monotonic()
    for w in workers:
        w.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    checked = statuses.count(401)
    all_latencies = [s for _, s in latencies]
    last_third = [s for t, s in latencies if t - began >= seconds * 2 / 3]
    return {
        "attempts": len(statuses),
        "passwordsChecked(401)": checked,
        "throttled(429)": statuses.count(429),
        "checkedPerSecond": round(checked / seconds, 2),
        "honestLoginP50ms": round(percentile(all_latencies, 0.5)),
        "honestLoginP95ms": round(percentile(all_latencies, 0.95)),
        "honestLoginP50msLastThird": round(percentile(last_third, 0.5)),
        "honestLogins": len(latencies),
    }


def timing(port, known, unknown, tries):
    """Wrong passwords for a known and an unknown username, alternating (so machine load hits both alike)."""
    k, u = [], []
    for _ in range(tries):
        k.append(call(port, "127.0.0.5", "/api/v1/auth/login", {"username": known, "password": "wrong-password"})[1])
        u.append(call(port, "127.0.0.6", "/api/v1/auth/login", {"username": unknown, "password": "wrong-password"})[1])
    return round(statistics.median(k) * 1000), round(statistics.median(u) * 1000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    victim = register(args.port, "127.0.0.2")
    honest = register(args.port, "127.0.0.2")
    quiet = []
    stop = threading.Event()
    t = threading.Thread(target=honest_logins, args=(args.port, "127.0.0.9", honest, stop, quiet))
    t.start()
    time.sleep(5)
    stop.set()
    t.join()
    quiet = [s for _, s in quiet]
    print("baseline: honest login p50 %d ms, p95 %d ms (%d logins)"
          % (percentile(quiet, 0.5), percentile(quiet, 0.95), len(quiet)))
    print("one username, one address:", phase(args.port, args.seconds, args.threads, "127.0.0.3", [victim[0]], honest))
    names = ["nobody_" + uuid.uuid4().hex[:10] for _ in range(1000)]
    print("many usernames, one address:", phase(args.port, 3 * args.seconds, args.threads, "127.0.0.4", names, honest))
    known, unknown = register(args.port, "127.0.0.2")[0], "nobody_" + uuid.uuid4().hex[:10]
    print("wrong password, median of 8 alternating: known username %d ms, unknown username %d ms"
          % timing(args.port, known, unknown, 8))


if __name__ == "__main__":
    main()
