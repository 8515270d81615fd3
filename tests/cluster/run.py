#!/usr/bin/env python3
"""Several instances, proven with real parts, run by .ci/run.

Starts a PostgreSQL 15 primary and a streaming replica (`pg_basebackup -R` into a second
cluster on another port), SeaweedFS as the S3-compatible evidence store, and two zhenggai
instances with DATABASE_READ_URL and ZHENGGAI_STORAGE_URL, then:

1. runs the closing story with each step on a random instance, evidence uploaded on A and
   downloaded from B;
2. measures how soon a write on one instance is seen (a new ETag) on the other: p99 < 100 ms;
3. checks that reads go to the replica, and that with the replica's replay paused a caller
   still reads its own write (X-Zhenggai-Min-Version) while /readyz says the replica lags;
4. kills the instance that sends webhooks with `kill -9` in the middle of a write load: 0
   acknowledged writes lost, every webhook delivered by the other, none twice, and the
   deadline scanner still announcing;
5. stops the replica: reads fall back to the primary and /readyz says so.

Usage: tests/cluster/run.py BINARY WEED   (as root, with PostgreSQL 15 installed)
Only loopback addresses are used; every wait is bounded.
"""

import atexit
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

BIN, WEED = os.path.abspath(sys.argv[1]), sys.argv[2]
PG = "15"
WORK = tempfile.mkdtemp(prefix="zhenggai-cluster-")
os.chmod(WORK, 0o755)
SECRET = "cluster-test-secret-0123456789abcdef"
S3_KEY, S3_SECRET = "zhenggai-cluster", "zhenggai-cluster-secret"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + os.urandom(64 * 1024)
TAG = f"zg{os.getpid()}"
PRIMARY, REPLICA = f"{TAG}_primary", f"{TAG}_replica"
PROCS = []


def free_port():
    """A free port whose +10000 companion (SeaweedFS's gRPC rule) is free too."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 < 65535:
            try:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + 10000))
                return port
            except OSError:
                pass


def sh(cmd, check=True):
    return subprocess.run(cmd, shell=True, check=check, capture_output=True, text=True)


def as_postgres(cmd, check=True):
    return sh(f"su postgres -c {json.dumps(cmd)}", check=check)


def psql(port, sql):
    return as_postgres(f"psql -qtA -p {port} -c {json.dumps(sql)}").stdout.strip()


def lower(headers):
    return {k.lower(): v for k, v in headers.items()}


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            p.kill()
    for name in (REPLICA, PRIMARY):
        sh(f"pg_dropcluster --stop {PG} {name}", check=False)


atexit.register(cleanup)


def wait(what, ok, within=60.0, step=0.1):
    deadline = time.time() + within
    while time.time() < deadline:
        try:
            if ok():
                return
        except Exception:
            pass
        time.sleep(step)
    raise SystemExit(f"timed out: {what}")


# ---- the parts ---------------------------------------------------------------------------

def start_databases():
    p1, p2 = free_port(), free_port()
    sh(f"pg_createcluster {PG} {PRIMARY} --port {p1} >/dev/null")
    sh(f"pg_ctlcluster {PG} {PRIMARY} start")
    wait("the primary", lambda: sh(f"pg_isready -q -h 127.0.0.1 -p {p1}", check=False).returncode == 0)
    psql(p1, "CREATE ROLE zhenggai LOGIN PASSWORD 'zhenggai'")
    as_postgres(f"createdb -p {p1} -O zhenggai zhenggai")
    # The replica: a second cluster whose data is the primary's base backup, streaming.
    sh(f"pg_createcluster {PG} {REPLICA} --port {p2} >/dev/null")
    data = f"/var/lib/postgresql/{PG}/{REPLICA}"
    sh(f"rm -rf {data} && mkdir -m 700 {data} && chown postgres:postgres {data}")
    as_postgres(f"pg_basebackup -p {p1} -D {data} -R -X stream -c fast")
    sh(f"pg_ctlcluster {PG} {REPLICA} start")
    wait("the replica", lambda: psql(p2, "SELECT pg_is_in_recovery()") == "t")
    url = "postgres://zhenggai:zhenggai@127.0.0.1:{}/zhenggai?sslmode=disable"
    print(f"PostgreSQL primary on {p1}, streaming replica on {p2}")
    return p1, p2, url.format(p1), url.format(p2)


def start_seaweed():
    config = os.path.join(WORK, "s3.json")
    with open(config, "w") as f:
        json.dump({"identities": [{"name": "zhenggai", "credentials": [
            {"accessKey": S3_KEY, "secretKey": S3_SECRET}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}, f)
    data = os.path.join(WORK, "weed")
    os.makedirs(data)
    master, volume, filer, s3 = (free_port() for _ in range(4))
    PROCS.append(subprocess.Popen(
        [WEED, f"-logdir={data}", "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}",
         f"-s3.port={s3}", f"-s3.config={config}", "-s3", "-volume.max=20",
         "-master.volumeSizeLimitMB=32", "-s3.port.iceberg=0", "-s3.port.lance=0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def ready():
        # The filer makes the bucket's directory when it stores a file in it.
        boundary = "zgprobe"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"probe\""
                f"\r\n\r\nready\r\n--{boundary}--\r\n").encode()
        req = urllib.request.Request(f"http://127.0.0.1:{filer}/buckets/zhenggai/probe", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        urllib.request.urlopen(req, timeout=2)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{s3}/", timeout=2)
        except urllib.error.HTTPError:
            pass
        return True

    wait("SeaweedFS", ready, within=90, step=0.25)
    print(f"SeaweedFS S3 gateway on {s3}")
    return f"http://127.0.0.1:{s3}"


class Instance:
    def __init__(self, name, env):
        self.name, self.env, self.proc = name, env, None

    def start(self):
        self.port = free_port()
        e = dict(self.env, ZHENGGAI_BIND=f"127.0.0.1:{self.port}",
                 ZHENGGAI_STORAGE_DIR=os.path.join(WORK, f"staging-{self.name}"))
        log = open(os.path.join(WORK, f"{self.name}.log"), "w")
        self.proc = subprocess.Popen([BIN, "serve"], env=e, stdout=log, stderr=log)
        PROCS.append(self.proc)
        wait(f"instance {self.name}", lambda: self.get_raw("/readyz")[0] == 200)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def get_raw(self, path, headers=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, lower(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, lower(e.headers), e.read()

    def call(self, tok, method, path, body=None, data=None, ctype="application/json", headers=None):
        if body is not None:
            data = json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1{path}", data=data,
                                     method=method)
        req.add_header("Authorization", f"Bearer {tok}")
        if data is not None:
            req.add_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw = r.read()
                return r.status, lower(r.headers), (json.loads(raw) if raw and "json" in r.headers.get("Content-Type", "") else raw)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, lower(e.headers), json.loads(raw or b"null")
            except ValueError:
                return e.code, lower(e.headers), raw

    def ok(self, tok, method, path, body=None, status=(200,), **kw):
        s, h, b = self.call(tok, method, path, body, **kw)
        if s not in status:
            raise SystemExit(f"{self.name}: {method} {path} answered {s}: {b}")
        return b, h

    def reads(self, on):
        _, _, text = self.get_raw("/metrics", {"Authorization": f"Bearer {TOKENS['admin']}"})
        m = re.search(rf'^zhenggai_reads_total\{{on="{on}"\}} (\S+)$', text.decode(), re.M)
        return float(m.group(1)) if m else 0.0

    def readiness(self):
        s, _, body = self.get_raw("/readyz")
        return s, json.loads(body)


TOKENS = {}


def token(env, sub, role, unit=None):
    args = [BIN, "token", "--sub", sub, "--role", role, "--ttl", "2h"]
    if unit:
        args += ["--unit", unit]
    return subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout.strip()


def upload(inst, tok, measure, content):
    boundary = "----zhenggai" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"整改报告.pdf\""
            "\r\nContent-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return inst.ok(tok, "POST", f"/measures/{measure}/evidence", data=body, status=(201,),
                   ctype=f"multipart/form-data; boundary={boundary}")[0]


class Receiver(http.server.BaseHTTPRequestHandler):
    """Takes webhook deliveries and keeps their ids."""
    got = []
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with Receiver.lock:
            Receiver.got.append(self.headers.get("X-Zhenggai-Delivery"))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def sender_instance(p1, instances):
    """The instance holding the webhook sender's advisory lock, found by its connection."""
    port = psql(p1, "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory' AND l.classid = 7274263 AND l.granted")
    if not port:
        return None
    out = sh(f"ss -tnpH '( sport = :{port} )'", check=False).stdout
    m = re.search(r"pid=(\d+)", out)
    pid = int(m.group(1)) if m else None
    return next((i for i in instances if i.proc.pid == pid), None)


# ---- the story ---------------------------------------------------------------------------

def main():
    started = time.time()
    p1, p2, primary_url, replica_url = start_databases()
    s3 = start_seaweed()
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    env = dict(os.environ, DATABASE_URL=primary_url, DATABASE_READ_URL=replica_url,
               ZHENGGAI_REPLICA_MAX_LAG_MS="500", ZHENGGAI_STORAGE_URL="s3://zhenggai/evidence",
               ZHENGGAI_S3_ENDPOINT=s3, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID=S3_KEY,
               AWS_SECRET_ACCESS_KEY=S3_SECRET, ZHENGGAI_JWT_SECRET=SECRET,
               ZHENGGAI_DATA_KEY_FILE=os.path.join(WORK, "data-key"),
               ZHENGGAI_WEBHOOK_ALLOW="127.0.0.1", ZHENGGAI_SCAN_INTERVAL_SECS="1",
               ZHENGGAI_RATE_LIMIT="1000000000/1s", RUST_LOG="info")
    a, b = Instance("A", env), Instance("B", env)
    a.start()
    b.start()
    both = [a, b]
    pick = random.Random(7).choice
    TOKENS.update(admin=token(env, "it.admin", "admin"), office=token(env, "wang.office", "office"),
                  unit=token(env, "li.zhk", "unit", "JRB-ZHK"),
                  leader=token(env, "zhang.leader", "leader", "JRB-ZHK"))
    adm, off, stf, ldr = (TOKENS[k] for k in ("admin", "office", "unit", "leader"))
    for inst in both:
        s, r = inst.readiness()
        assert s == 200 and r["replica"]["status"] == "ok", (inst.name, r)

    # 1. The closing story, each step on a random instance.
    unit = pick(both).ok(adm, "POST", "/units", {"code": "JRB-ZHK", "name": "综合科"}, status=(201,))[0]["id"]
    insp = pick(both).ok(off, "POST", "/inspections", {
        "code": "XC-2026-01", "source_type": "xuncha", "title": "市委第一巡察组巡察反馈问题整改",
        "issuer": "市委第一巡察组", "feedback_date": "2026-09-01"}, status=(201,))[0]["id"]
    finding = pick(both).ok(off, "POST", f"/inspections/{insp}/findings", {
        "category": "strict_governance", "title": "差旅费报销不规范",
        "description": "短距离出差违规报销差旅费。", "responsible_unit_id": unit}, status=(201,))[0]["id"]
    pick(both).ok(stf, "POST", f"/findings/{finding}/actions/claim", {})
    measure = pick(both).ok(stf, "POST", f"/findings/{finding}/measures", {
        "content": "修订《机关差旅费管理办法》，逐笔复核报销凭证", "kind": "time_bound",
        "lead_unit_id": unit, "accountable_leader": "党组成员、副主任", "responsible_person": "李明",
        "due_date": time.strftime("%Y-%m-%d", time.localtime(time.time() + 30 * 86400))},
        status=(201,))[0]["id"]
    pick(both).ok(stf, "POST", f"/findings/{finding}/actions/submit_plan", {})
    pick(both).ok(off, "POST", f"/findings/{finding}/actions/approve_plan", {"comment": "同意"})
    pick(both).ok(stf, "POST", f"/measures/{measure}/actions/start", {})
    pick(both).ok(stf, "POST", f"/measures/{measure}/actions/report", {"text": "已完成办法修订初稿。", "percent": 60})
    evidence = upload(a, stf, measure, PDF)
    s, _, content = b.call(stf, "GET", f"/evidence/{evidence['id']}/content")
    assert s == 200 and content == PDF, f"the evidence uploaded on A downloads from B: {s}"
    s, h, part = b.call(stf, "GET", f"/evidence/{evidence['id']}/content", headers={"Range": "bytes=0-7"})
    assert s == 206 and part == PDF[:8], s
    pick(both).ok(stf, "POST", f"/measures/{measure}/actions/submit",
                  {"statement": "已修订印发办法，违规款项已全部退回。", "evidence_ids": [evidence["id"]]})
    pick(both).ok(ldr, "POST", f"/measures/{measure}/actions/endorse", {"comment": "情况属实"})
    closed = pick(both).ok(off, "POST", f"/measures/{measure}/actions/verify", {"comment": "经核查，同意销号"})[0]
    assert closed["status"] == "closed", closed
    for inst in both:
        m = inst.ok(off, "GET", f"/measures/{measure}")[0]
        assert m["status"] == "closed", (inst.name, m["status"])
    print("closing story on random instances: closed; evidence uploaded on A, downloaded (and a range) from B")

    # 2. Freshness: a write on one is seen on the other. (The first finding is closed with
    # its measure; the rest of the test works on a second one.)
    finding = pick(both).ok(off, "POST", f"/inspections/{insp}/findings", {
        "category": "strict_governance", "title": "内控制度不健全",
        "description": "财务内控制度多年未修订。", "responsible_unit_id": unit}, status=(201,))[0]["id"]
    other = pick(both).ok(off, "POST", f"/findings/{finding}/measures", {
        "content": "建立差旅费报销常态化审核机制", "kind": "long_term", "lead_unit_id": unit,
        "accountable_leader": "党组成员、副主任"}, status=(201,))[0]["id"]
    def seen_after_write(n):
        writer, reader = (a, b) if n % 2 == 0 else (b, a)
        _, h, _ = reader.call(off, "GET", f"/measures/{other}")
        tag = h["etag"]
        writer.ok(off, "PATCH", f"/measures/{other}", {"responsible_person": f"科员{n}"})
        t0 = time.perf_counter()
        while True:
            s, h, body = reader.call(off, "GET", f"/measures/{other}", headers={"If-None-Match": tag})
            if s == 200:
                assert body["responsible_person"] == f"科员{n}", body["responsible_person"]
                return time.perf_counter() - t0
            assert s == 304 and time.perf_counter() - t0 < 5, s
            time.sleep(0.002)

    seen = sorted(seen_after_write(n) for n in range(40))
    p99 = seen[int(len(seen) * 0.99) - 1] * 1000
    print(f"a write on one instance seen on the other: p50 {seen[len(seen) // 2] * 1000:.1f} ms, "
          f"p99 {p99:.1f} ms (target < 100 ms)")
    assert p99 < 100, seen
    # The listeners' connections cut: the once-a-second poll carries on, and they come back.
    cut = psql(p1, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                   "WHERE application_name = 'zhenggai ledger listener'")
    assert cut == "2", cut
    time.sleep(0.3)
    slow = seen_after_write(100)
    assert slow < 1.5, slow
    wait("both listeners back", lambda: psql(p1, "SELECT count(*) FROM pg_stat_activity WHERE "
                                                 "application_name = 'zhenggai ledger listener'") == "2",
         within=10)
    again = sorted(seen_after_write(101 + n) for n in range(10))
    assert again[-1] < 0.1, again
    print(f"listeners cut: a write seen after {slow * 1000:.0f} ms (the poll); reconnected, then seen within "
          f"{again[-1] * 1000:.1f} ms")

    # 3. Reads on the replica, and read-your-writes while it lags.
    before = [i.reads("replica") for i in both]
    for _ in range(10):
        for inst in both:
            inst.ok(off, "GET", "/measures?limit=50")
            inst.ok(off, "GET", "/stats?group_by=unit")
    after = [i.reads("replica") for i in both]
    assert all(x > y for x, y in zip(after, before)), (before, after)
    # (Repeated questions are answered from each instance's cache: few reach a database.)
    print(f"reads on the replica: {after[0] - before[0]:.0f} on A, {after[1] - before[1]:.0f} on B; "
          f"so far {sum(after):.0f} on the replica, "
          f"{sum(i.reads('primary') for i in both):.0f} on the primary")
    psql(p2, "SELECT pg_wal_replay_pause()")
    try:
        _, h = a.ok(off, "PATCH", f"/measures/{other}", {"responsible_person": "复核人"})
        version = h["x-zhenggai-version"]
        m = b.ok(off, "GET", f"/measures/{other}", headers={"X-Zhenggai-Min-Version": version})[0]
        assert m["responsible_person"] == "复核人", m
        wait("the replica reported lagging", lambda: b.readiness()[1]["replica"]["status"] == "lagging", within=10)
        primary_before = b.reads("primary")
        m = b.ok(off, "GET", f"/measures/{other}")[0]
        assert m["responsible_person"] == "复核人", m
        assert b.reads("primary") > primary_before
        print(f"replica replay paused: own write (version {version}) read back on B from the primary; "
              "/readyz says lagging")
    finally:
        psql(p2, "SELECT pg_wal_replay_resume()")
    wait("the replica caught up", lambda: b.readiness()[1]["replica"]["status"] == "ok", within=10)

    # 4. kill -9 of the webhook sender mid-load.
    port = receiver.server_address[1]
    pick(both).ok(off, "POST", "/webhooks", {"url": f"http://127.0.0.1:{port}/hooks",
                                             "events": ["extension.requested"],
                                             "secret": "a-long-shared-secret-0123456789"}, status=(201,))
    wait("a webhook sender", lambda: sender_instance(p1, both) is not None, within=10)
    victim = sender_instance(p1, both)
    survivor = b if victim is a else a
    acked, extensions, stop = [], [], threading.Event()
    lock = threading.Lock()

    def load(seed):
        rnd = random.Random(seed)
        n = 0
        while not stop.is_set():
            n += 1
            key = f"cluster-{seed}-{n}"
            body = {"content": f"整改措施{seed}-{n}", "kind": "time_bound", "lead_unit_id": unit,
                    "accountable_leader": "分管领导",
                    "due_date": time.strftime("%Y-%m-%d", time.localtime(time.time() + 20 * 86400))}
            inst = rnd.choice(both)
            for _ in range(200):
                # As a load balancer does: a refused connection goes to the other instance,
                # with the same Idempotency-Key.
                try:
                    s, _, m = inst.call(off, "POST", f"/findings/{finding}/measures", body,
                                        headers={"Idempotency-Key": key})
                except Exception:
                    s, m = None, None
                if s == 201:
                    break
                inst = survivor
                time.sleep(0.02)
            else:
                raise SystemExit(f"a create never got an answer: {key}")
            with lock:
                acked.append(m["id"])
            ask = {"requested_due_date": time.strftime("%Y-%m-%d", time.localtime(time.time() + 60 * 86400)),
                   "reason": "需协调财务部门"}
            for target in (inst, survivor):
                try:
                    s, _, _ = target.call(stf, "POST", f"/measures/{m['id']}/extensions", ask,
                                          headers={"Idempotency-Key": key + "-ext"})
                except Exception:
                    continue
                if s == 201:
                    with lock:
                        extensions.append(m["id"])
                    break

    writers = [threading.Thread(target=load, args=(i,)) for i in range(4)]
    for w in writers:
        w.start()
    time.sleep(2)
    victim.kill()
    time.sleep(3)
    stop.set()
    for w in writers:
        w.join(timeout=60)
    missing = [i for i in acked if survivor.call(off, "GET", f"/measures/{i}")[0] != 200]
    print(f"kill -9 of instance {victim.name} (the webhook sender) mid-load: {len(acked)} acknowledged "
          f"creates, {len(missing)} missing")
    assert not missing, missing[:5]
    # The survivor takes the sender over; a delivery the victim had claimed but not sent
    # is sent once its one-minute claim runs out.
    wait("every extension request delivered", lambda: len(set(Receiver.got)) >= len(extensions),
         within=90, step=0.5)
    time.sleep(2)
    with Receiver.lock:
        got = list(Receiver.got)
    twice = len(got) - len(set(got))
    holder = sender_instance(p1, both)
    print(f"webhooks: {len(extensions)} extension requests, {len(set(got))} deliveries received, "
          f"{twice} sent twice; the sender now runs on {holder.name if holder else 'nobody'}")
    assert holder is survivor, holder
    assert twice == 0, got
    chain = survivor.ok(adm, "GET", "/audit/verify")[0]
    assert chain["intact"], chain
    # The scanner carries on: a measure past its deadline is announced overdue.
    late = survivor.ok(off, "POST", f"/findings/{finding}/measures", {
        "content": "逾期措施", "kind": "time_bound", "lead_unit_id": unit, "accountable_leader": "分管领导",
        "due_date": time.strftime("%Y-%m-%d", time.localtime(time.time() - 3 * 86400))}, status=(201,))[0]["id"]

    def announced():
        items = survivor.ok(off, "GET", f"/measures/{late}/history")[0]["items"]
        return any(e["action"] == "measure.overdue" for e in items)

    wait("the scanner on the survivor announces the overdue measure", announced, within=15)
    print("deadline scanner on the survivor: the overdue measure announced; audit chain intact")

    # 5. The replica stops: reads fall back, and /readyz says so.
    sh(f"pg_ctlcluster {PG} {REPLICA} stop -m fast")
    wait("/readyz reporting the replica down", lambda: survivor.readiness()[1]["replica"]["status"] == "down", within=10)
    s, r = survivor.readiness()
    assert s == 200 and r["replica"]["reads_on"] == "primary", r
    primary_before = survivor.reads("primary")
    page = survivor.ok(off, "GET", "/measures?limit=5")[0]
    assert page["total"] >= len(acked), page["total"]
    assert survivor.reads("primary") > primary_before
    print("replica stopped: /readyz 200 with replica down, reads on the primary")
    print(f"cluster test passed in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
    shutil.rmtree(WORK, ignore_errors=True)
