#!/usr/bin/env python3
"""The closing story (对账销号) told by a Python client generated from the served document.

Usage: tests/contract/client_story.py target/debug/zhenggai

Starts the server on a fresh SQLite file, fetches `/openapi.json` from it, generates a
client with openapi-python-client (no warnings allowed, nothing edited by hand; the one
setting, `client-config.json` beside this script, tells the generator that the Office and
evidence media types are bytes), and runs with it what an integrating system does: file a
finding, claim it, plan, start, report, upload evidence, submit, endorse, verify; download
the evidence, the ledger workbook and the closure slip; poll with `If-None-Match` for a
304; retry a create with the same `Idempotency-Key`; page through a list by cursor.
Every call raises on a status the document does not describe.
"""

import datetime
import importlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.abspath(sys.argv[1])
SECRET = "client-story-secret-0123456789abcdef"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(work, port):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=os.path.join(work, "zhenggai.db"),
        ZHENGGAI_STORAGE_DIR=os.path.join(work, "files"),
        ZHENGGAI_JWT_SECRET=SECRET,
        ZHENGGAI_BIND=f"127.0.0.1:{port}",
        RUST_LOG="warn",
    )
    return env


def token(env, sub, role, unit=None, name=None):
    args = [BIN, "token", "--sub", sub, "--role", role]
    if unit:
        args += ["--unit", unit]
    if name:
        args += ["--name", name]
    return subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout.strip()


def generate(base, work):
    """The client, generated from what the server serves; returns its package."""
    spec = os.path.join(work, "openapi.json")
    with urllib.request.urlopen(f"{base}/openapi.json", timeout=10) as r, open(spec, "wb") as f:
        f.write(r.read())
    out = subprocess.run(
        ["openapi-python-client", "generate", "--path", spec,
         "--config", os.path.join(HERE, "client-config.json"),
         "--output-path", os.path.join(work, "zhenggai-api-client")],
        capture_output=True, text=True,
    )
    said = out.stdout + out.stderr
    if out.returncode != 0 or re.search(r"warning|error|cannot", said, re.IGNORECASE):
        raise SystemExit(f"openapi-python-client was not clean:\n{said}")
    project = open(os.path.join(work, "zhenggai-api-client", "pyproject.toml")).read()
    assert re.search(r'^name = "zhenggai-api-client"', project, re.MULTILINE), project
    sys.path.insert(0, os.path.join(work, "zhenggai-api-client"))
    return importlib.import_module("zhenggai_api_client")


def main():
    work = tempfile.mkdtemp(prefix="zhenggai-client-")
    port = free_port()
    env = environment(work, port)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.05)
        else:
            raise SystemExit("the server did not become ready")
        story(generate(base, work), base, env)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    shutil.rmtree(work, ignore_errors=True)
    print("client story: a generated client closed a measure, downloaded its files, "
          "polled for 304, retried safely and paged by cursor")


def story(zc, base, env):
    from zhenggai_api_client import AuthenticatedClient
    from zhenggai_api_client.api.evidence import download_evidence, upload_evidence
    from zhenggai_api_client.api.findings import create_finding
    from zhenggai_api_client.api.inspections import create_inspection
    from zhenggai_api_client.api.ledger import closure_slip_docx, export_ledger_xlsx
    from zhenggai_api_client.api.measures import create_measure, get_measure, list_measures
    from zhenggai_api_client.api.units import create_unit
    from zhenggai_api_client.api.workflow import (
        approve_plan, claim_finding, endorse_closure, report_progress, start_measure,
        submit_closure, submit_plan, verify_closure)
    from zhenggai_api_client import models as m
    from zhenggai_api_client.types import File

    def client(tok):
        return AuthenticatedClient(base_url=base, token=tok, raise_on_unexpected_status=True)

    admin = client(token(env, "it.admin", "admin"))
    office = client(token(env, "wang.office", "office", name="王科长"))
    staff = client(token(env, "li.zhk", "unit", "JRB-ZHK", name="李明"))
    leader = client(token(env, "zhang.leader", "leader", "JRB-ZHK", name="张副主任"))

    def ok(res, status=200):
        assert res.status_code == status, (res.status_code, res.content[:500])
        return res.parsed

    unit = ok(create_unit.sync_detailed(client=admin, body=m.CreateUnit(
        code="JRB-ZHK", name="综合科")), 201)
    inspection = ok(create_inspection.sync_detailed(client=office, body=m.CreateInspection(
        code="XC-2022-03", source_type=m.SourceType.XUNCHA, title="市委第三巡察组巡察反馈问题整改",
        issuer="市委第三巡察组", feedback_date=datetime.date.today() - datetime.timedelta(days=60))), 201)
    finding = ok(create_finding.sync_detailed(inspection.id, client=office, body=m.CreateFinding(
        category=m.Category.STRICT_GOVERNANCE, title="差旅费报销不规范",
        description="短距离出差违规报销差旅费。", responsible_unit_id=unit.id)), 201)
    ok(claim_finding.sync_detailed(finding.id, client=staff, body=m.ClaimBody()))

    # A create retried after a lost answer: the same key answers the first measure again.
    key = str(uuid.uuid4())
    body = m.CreateMeasure(
        content="修订《机关差旅费管理办法》，对2021年以来差旅费报销逐笔复核",
        kind=m.MeasureKind.TIME_BOUND, lead_unit_id=unit.id, accountable_leader="党组成员、副主任",
        responsible_person="李明", due_date=datetime.date.today() + datetime.timedelta(days=30))
    first = create_measure.sync_detailed(finding.id, client=staff, body=body, idempotency_key=key)
    again = create_measure.sync_detailed(finding.id, client=staff, body=body, idempotency_key=key)
    measure = ok(first, 201)
    assert ok(again, 201).id == measure.id, "the retry answered another measure"
    assert again.headers.get("idempotent-replayed") == "true", again.headers
    assert again.headers.get("location") == first.headers.get("location")

    ok(submit_plan.sync_detailed(finding.id, client=staff, body=m.SubmitPlanBody()))
    ok(approve_plan.sync_detailed(finding.id, client=office, body=m.ApprovePlanBody(comment="同意")))
    ok(start_measure.sync_detailed(measure.id, client=staff, body=m.StartBody()))
    ok(report_progress.sync_detailed(measure.id, client=staff, body=m.ReportBody(
        text="已完成办法修订初稿，正在征求意见。", percent=60)))
    evidence = ok(upload_evidence.sync_detailed(measure.id, client=staff, body=m.EvidenceUpload(
        file=File(payload=PDF, file_name="整改情况报告.pdf", mime_type="application/pdf"),
        description="整改情况报告（盖章扫描件）")), 201)
    ok(submit_closure.sync_detailed(measure.id, client=staff, body=m.SubmitBody(
        statement="已修订印发办法，违规款项已全部退回。", evidence_ids=[evidence.id])))
    ok(endorse_closure.sync_detailed(measure.id, client=leader, body=m.EndorseBody(comment="情况属实")))
    closed = ok(verify_closure.sync_detailed(measure.id, client=office, body=m.VerifyBody(
        comment="经核查，同意销号")))
    assert closed.status == m.MeasureStatus.CLOSED, closed.status

    # Downloads come as bytes.
    content = download_evidence.sync_detailed(evidence.id, client=staff)
    assert content.status_code == 200 and content.content == PDF, content.status_code
    xlsx = export_ledger_xlsx.sync_detailed(client=office)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK", xlsx.status_code
    slip = closure_slip_docx.sync_detailed(measure.id, client=office)
    assert slip.status_code == 200 and slip.content[:2] == b"PK", slip.status_code

    # Polling: the ETag sent back answers 304, for an item and for a list.
    item = get_measure.sync_detailed(measure.id, client=office)
    tag = item.headers["etag"]
    assert get_measure.sync_detailed(measure.id, client=office, if_none_match=tag).status_code == 304
    listed = list_measures.sync_detailed(client=office)
    again = list_measures.sync_detailed(client=office, if_none_match=listed.headers["etag"])
    assert again.status_code == 304, again.status_code

    # Paging: four more measures (of another finding), two a page, by cursor and by Link.
    other = ok(create_finding.sync_detailed(inspection.id, client=office, body=m.CreateFinding(
        category=m.Category.STRICT_GOVERNANCE, title="制度建设不健全",
        description="内控制度多年未修订。", responsible_unit_id=unit.id)), 201)
    for n in range(4):
        ok(create_measure.sync_detailed(other.id, client=office, body=m.CreateMeasure(
            content=f"长效机制建设第{n + 1}项", kind=m.MeasureKind.LONG_TERM, lead_unit_id=unit.id,
            accountable_leader="党组成员、副主任")), 201)
    seen, cursor, pages = [], None, 0
    while True:
        args = {"limit": 2} if cursor is None else {"limit": 2, "cursor": cursor}
        res = list_measures.sync_detailed(client=office, **args)
        page = ok(res)
        seen += [x.id for x in page.items]
        pages += 1
        if not page.next_cursor:
            assert "link" not in res.headers, res.headers
            break
        assert 'rel="next"' in res.headers["link"], res.headers
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == page.total == 5, (seen, page.total)
    assert pages == 3, pages


if __name__ == "__main__":
    main()
