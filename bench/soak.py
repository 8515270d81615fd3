#!/usr/bin/env python3
"""A mixed soak: polls, lists, writes and uploads in a dashboard-heavy office's proportions,
at a steady rate, for a while; reports errors, p99 per kind and the server's resident size
at the start and the end. Standard library only.

Usage: bench/soak.py BASE PID SECONDS RATE VIEWER_TOKEN OFFICE_TOKEN ADMIN_TOKEN FINDING LEAD MEASURE ETAG
"""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
from datetime import date, timedelta

(base, pid, seconds, rate, viewer, office, admin, finding, lead, measure, etag) = sys.argv[1:12]
seconds, rate = float(seconds), float(rate)
host = urllib.parse.urlsplit(base)

PDF = b"%PDF-1.4\n" + b"0123456789abcdef" * 65536 + b"\n%%EOF\n"
BOUNDARY = "zhenggai-soak"
UPLOAD = (
    f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"soak.pdf\"\r\n"
    "Content-Type: application/pdf\r\n\r\n"
).encode() + PDF + f"\r\n--{BOUNDARY}--\r\n".encode()
DUE = (date.today() + timedelta(days=60)).isoformat()

# kind, share (per mille), method, path, headers, body: screens polling with their ETag,
# clerks opening lists and numbers, and the writes of a busy province (~70 a second).
KINDS = [
    ("poll (304)", 600, "GET", "/api/v1/measures?overdue=true&limit=50",
     {"Authorization": f"Bearer {viewer}", "If-None-Match": etag}, None),
    ("dashboard", 150, "GET", "/api/v1/dashboard/overdue",
     {"Authorization": f"Bearer {viewer}"}, None),
    ("list", 100, "GET", "/api/v1/measures?limit=50",
     {"Authorization": f"Bearer {viewer}"}, None),
    ("stats by unit", 80, "GET", "/api/v1/stats?group_by=unit",
     {"Authorization": f"Bearer {viewer}"}, None),
    ("create", 20, "POST", f"/api/v1/findings/{finding}/measures",
     {"Authorization": f"Bearer {office}", "Content-Type": "application/json"},
     json.dumps({"content": "浸泡测试措施", "kind": "time_bound", "lead_unit_id": lead,
                 "accountable_leader": "负责人", "due_date": DUE}).encode()),
    ("report", 40, "POST", f"/api/v1/measures/{measure}/actions/report",
     {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"},
     json.dumps({"text": "浸泡测试进展", "percent": 50}).encode()),
    ("upload 1 MB", 10, "POST", f"/api/v1/measures/{measure}/evidence",
     {"Authorization": f"Bearer {admin}",
      "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, UPLOAD),
]
WEIGHTS = [k[1] for k in KINDS]

lock = threading.Lock()
latencies = {k[0]: [] for k in KINDS}
errors = {k[0]: 0 for k in KINDS}


def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker(deadline, interval, offset):
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    rng = random.Random(offset)
    next_at = time.monotonic() + offset * interval / THREADS
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if next_at > now:
            time.sleep(next_at - now)
        next_at += interval
        kind = rng.choices(KINDS, weights=WEIGHTS)[0]
        name, _, method, path, headers, body = kind
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            res.read()
            ok = res.status < 400
        except Exception:
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
        took = time.monotonic() - started
        with lock:
            latencies[name].append(took)
            if not ok:
                errors[name] += 1


THREADS = 16
interval = THREADS / rate
start_rss = rss_mb()
deadline = time.monotonic() + seconds
threads = [threading.Thread(target=worker, args=(deadline, interval, i)) for i in range(THREADS)]
began = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - began
end_rss = rss_mb()

total = sum(len(v) for v in latencies.values())
print(f"| kind | requests | errors | p50 | p99 |\n|---|---:|---:|---:|---:|")
for name, *_ in KINDS:
    got = sorted(latencies[name])
    if not got:
        continue
    p = lambda q: got[min(len(got) - 1, int(q * len(got)))] * 1000
    print(f"| {name} | {len(got)} | {errors[name]} | {p(0.5):.1f} ms | {p(0.99):.1f} ms |")
print()
print(f"soak: {total} requests in {elapsed:.0f} s ({total / elapsed:.0f} req/s), "
      f"{sum(errors.values())} errors; server RSS {start_rss:.0f} MB at the start, "
      f"{end_rss:.0f} MB at the end ({(end_rss / start_rss - 1) * 100:+.0f}%)")
