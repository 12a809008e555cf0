#!/usr/bin/env python3
"""Time from `POST /api/handoffs/create` on one server process to the `handoff_created` event
arriving on an SSE stream served by another process on the same database.

Usage: scripts/cross-process-latency.py http://127.0.0.1:3461 http://127.0.0.1:3462 [rounds]
(both servers running on one seeded database; see docs/ARCHITECTURE.md)."""
import json, socket, statistics, sys, threading, time, urllib.parse
import requests

A, B = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 30
PASSWORD = "resolutionflow-demo"

def login(base, email):
    s = requests.Session()
    r = s.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD})
    r.raise_for_status()
    return s

jane, sam = login(A, "jane@acme.test"), login(B, "sam@acme.test")
seen, lock = {}, threading.Lock()

def stream():
    u = urllib.parse.urlparse(B)
    cookie = "; ".join(f"{c.name}={c.value}" for c in sam.cookies)
    sock = socket.create_connection((u.hostname, u.port))
    sock.sendall(f"GET /api/escalations/stream HTTP/1.1\r\nHost: {u.netloc}\r\nCookie: {cookie}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    buf = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return
        now = time.perf_counter()
        buf += chunk
        for line in buf.split(b"\n"):
            if line.startswith(b"data: ") and b"handoff_id" in line:
                data = json.loads(line[6:])
                with lock:
                    seen.setdefault(data["handoff_id"], now)
        buf = buf[buf.rfind(b"\n") + 1:]

threading.Thread(target=stream, daemon=True).start()
time.sleep(0.5)
latencies = []
for i in range(ROUNDS):
    sid = jane.post(f"{A}/api/sessions/create", json={"problem_summary": f"Latency probe {i}"}).json()["id"]
    t0 = time.perf_counter()
    h = jane.post(f"{A}/api/handoffs/create",
                  json={"session_id": sid, "intent": "escalate", "reason": "probe"}).json()["id"]
    while True:
        with lock:
            if h in seen:
                latencies.append((seen[h] - t0) * 1000)
                break
        if time.perf_counter() - t0 > 5:
            sys.exit(f"round {i}: event never arrived")
        time.sleep(0.0005)
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"{ROUNDS} escalations: create -> event on the other process's stream: "
      f"p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {latencies[-1]:.1f} ms "
      f"(mean {statistics.mean(latencies):.1f} ms)")
