"""Benchmark: the monthly alert run, start-up, and `/v1/score` beside `mlflow models serve`.

Targets (issue 12, 2 cores): the month's alert run (about 27,000 children scored, selected,
routed and stored) under 5 s; `earlyhelp serve` answering `/ready` within 8 s; `/v1/score` for
one child at p50 < 10 ms and p99 < 25 ms with 16 concurrent clients, and at least 10 times the
throughput of `mlflow models serve` on the same champion, measured in the same run.

Needs a data folder with a warehouse and a champion: ``EARLYHELP_BENCH_DATA_DIR`` names one to
copy (`make pipeline` leaves one in out/); otherwise the default world is built, trained and
promoted in ``workdir`` first (not timed; several minutes). Everything listens on loopback
only.

The load comes from Debian's ``wrk`` when it is installed (``apt-get install wrk``): written in
C, it leaves the cores to the servers being measured, and both servers get the same load for
the same time. Without it, a Python client (httpx) sends a fixed number of requests; it needs
about as much CPU as the server, so its figures are a floor, and the result says which ran.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ALERT_RUN_SECONDS = 5.0
READY_SECONDS = 8.0
P50_MS, P99_MS, SPEEDUP = 10.0, 25.0, 10.0
CLIENTS = 16
REQUESTS = 3000          # to /v1/score (each mode)
MLFLOW_REQUESTS = 480    # to mlflow models serve (slower: a bounded run of about 10 s)
WARMUP = 50
BENCH_USER, BENCH_PASSWORD = "bench-scientist", "bench-scientist-password"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "earlyhelp.cli.main", *args],
                          capture_output=True, text=True, check=False, env=env)


def _prepare(workdir: Path, env: dict[str, str]) -> Path:
    data = workdir / "out"
    given = os.environ.get("EARLYHELP_BENCH_DATA_DIR")
    if given:
        data.mkdir(parents=True)
        for name in ("warehouse.duckdb", "mlflow.db"):
            shutil.copy(Path(given) / name, data / name)
        if (Path(given) / "mlartifacts").exists():
            shutil.copytree(Path(given) / "mlartifacts", data / "mlartifacts")
        return data
    world = workdir / "world"
    here = ("--data-dir", str(data))
    for args in (("synth", "--out", str(world)), ("ingest", str(world / "raw"), *here),
                 ("link", *here, "--truth", str(world / "truth")), ("features", *here),
                 ("train", *here, "--truth", str(world / "truth")),
                 ("promote", *here, "--approved-by", "bench")):
        done = _cli(*args, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"earlyhelp {args[0]} failed:\n{done.stderr[-2000:]}")
    return data


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, deadline_s: float, process: subprocess.Popen[bytes]) -> float | None:
    """Seconds until ``url`` answers 200, or None if the process dies or time runs out."""
    import httpx

    start = time.perf_counter()
    while time.perf_counter() - start < deadline_s:
        if process.poll() is not None:
            return None
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return None


async def _load(url: str, bodies: Sequence[Any], headers: dict[str, str],
                total: int) -> dict[str, float]:
    """``total`` POSTs from ``CLIENTS`` concurrent clients (one connection each)."""
    import httpx

    latencies: list[float] = []
    failures = 0
    counter = iter(range(total))

    async def client(c: httpx.AsyncClient) -> None:
        nonlocal failures
        for i in counter:
            start = time.perf_counter()
            answer = await c.post(url, json=bodies[i % len(bodies)], headers=headers)
            latencies.append(time.perf_counter() - start)
            failures += answer.status_code != 200

    limits = httpx.Limits(max_connections=1)
    clients = [httpx.AsyncClient(timeout=30, limits=limits) for _ in range(CLIENTS)]
    started = time.perf_counter()
    await asyncio.gather(*(client(c) for c in clients))
    elapsed = time.perf_counter() - started
    for c in clients:
        await c.aclose()
    ms = np.array(latencies) * 1000
    return {"requests": total, "failures": failures, "seconds": round(elapsed, 2),
            "requests_per_second": round(total / elapsed, 1),
            "p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p90_ms": round(float(np.percentile(ms, 90)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2)}


WRK_SCRIPT = """
wrk.method = "POST"
local f = io.open(os.getenv("BENCH_BODY"), "r"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("BENCH_AUTH")
if auth ~= nil and auth ~= "" then wrk.headers["Authorization"] = auth end
"""
WRK_SECONDS = 10


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(url: str, body: Any, headers: dict[str, str], workdir: Path,
         seconds: int = WRK_SECONDS) -> dict[str, float]:
    """``CLIENTS`` connections for ``seconds``, one body, with wrk's latency percentiles."""
    import json

    (workdir / "wrk.lua").write_text(WRK_SCRIPT)
    (workdir / "body.json").write_text(json.dumps(body))
    env = {**os.environ, "BENCH_BODY": str(workdir / "body.json"),
           "BENCH_AUTH": headers.get("Authorization", "")}
    done = subprocess.run(["wrk", "-t1", f"-c{CLIENTS}", f"-d{seconds}s", "--latency",
                           "-s", str(workdir / "wrk.lua"), url],
                          capture_output=True, text=True, check=True, env=env)
    out = done.stdout
    percentile = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", out, flags=re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    return {"requests": total,
            "failures": (int(bad.group(1)) if bad else 0)
            + (sum(int(g) for g in errors.groups()) if errors else 0),
            "seconds": float(seconds),
            "requests_per_second": float(re.search(  # type: ignore[union-attr]
                r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": round(_ms(percentile["50"]), 2), "p90_ms": round(_ms(percentile["90"]), 2),
            "p99_ms": round(_ms(percentile["99"]), 2)}


def _cpu_times() -> list[int]:
    """The machine's CPU time counters (user ... steal), from /proc/stat; [] elsewhere."""
    try:
        line = Path("/proc/stat").read_text().splitlines()[0]
    except OSError:
        return []
    return [int(v) for v in line.split()[1:9]]


def _steal_share(before: list[int], after: list[int]) -> float | None:
    """Share of CPU time the hypervisor gave to other machines meanwhile (steal): a shared
    host's noise, which lengthens the tail of any latency measured on it."""
    if len(before) < 8 or len(after) < 8:
        return None
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return round(spent[7] / max(sum(spent), 1), 3)


def _measure(url: str, bodies: Sequence[Any], headers: dict[str, str],
             total: int, workdir: Path) -> dict[str, float | None]:
    """wrk on one body when installed (a warm-up run first), else the Python client."""
    before: list[int] = []
    if shutil.which("wrk"):
        _wrk(url, bodies[0], headers, workdir, seconds=2)
        before = _cpu_times()
        result = _wrk(url, bodies[0], headers, workdir)
    else:
        asyncio.run(_load(url, bodies, headers, WARMUP))
        before = _cpu_times()
        result = asyncio.run(_load(url, bodies, headers, total))
    return {**result, "cpu_steal_share": _steal_share(before, _cpu_times())}


def _registry_checked(port: int, deadline_s: float = 60) -> None:
    """Wait until the server has asked the registry (it starts on its local copy): the load
    test measures the steady state, not the start-up's background work."""
    import httpx

    start = time.perf_counter()
    while time.perf_counter() - start < deadline_s:
        if "while the registry" not in httpx.get(f"http://127.0.0.1:{port}/ready").text:
            return
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _serve(env: dict[str, str], port: int, workdir: Path
           ) -> tuple[subprocess.Popen[bytes], float | None]:
    """`earlyhelp serve` started, and the seconds until /ready answered 200 (None: never)."""
    server = subprocess.Popen([sys.executable, "-m", "earlyhelp.cli.main", "serve", "--host",
                               "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=(workdir / "serve.log").open("wb"),
                              start_new_session=True)
    return server, _wait(f"http://127.0.0.1:{port}/ready", 60, server)


def _rows(warehouse: Path, n: int) -> tuple[str, list[str], list[list[float]], list[str]]:
    """The newest month, the model's inputs for ``n`` of its children, and their keys."""
    from model.scoring import read_month_features
    from serving.warehouse import latest_month

    month = latest_month(warehouse)
    frame = read_month_features(warehouse, month).sample(n, random_state=0)
    return month.isoformat(), list(frame.columns), frame.to_numpy().tolist(), \
        frame["child_key"].tolist()


def run(workdir: Path) -> dict[str, object]:
    env = {**os.environ, "EARLYHELP_ENVIRONMENT": "local"}
    env.pop("MLFLOW_TRACKING_URI", None)
    env.pop("DATABASE_URL", None)
    data = _prepare(workdir, env)
    env["EARLYHELP_DATA_DIR"] = str(data)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    warehouse = data / "warehouse.duckdb"
    out: dict[str, object] = {"clients": CLIENTS}
    from earlyhelp.settings import load_settings
    from model.scoring import load_model

    model_inputs = load_model(load_settings(data_dir=data,
                                            mlflow_tracking_uri=f"sqlite:///{data / 'mlflow.db'}"
                                            )).features

    # 1. The monthly alert run, in its own process (the figure is the run's own clock, after
    #    the model is loaded; the whole command, with imports and the registry, beside it).
    start = time.perf_counter()
    done = _cli("score", "--warehouse", str(warehouse), env=env)
    command_seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"passed": False, "stage": "score", "stderr": done.stderr[-2000:]}
    import json

    (report_path,) = (data / "reports").glob("score_*.json")
    report = json.loads(report_path.read_text())
    out["alert_run"] = {"children_scored": report["children_scored"],
                        "alerts_opened": report["alerts_opened"],
                        "run_seconds": report["seconds"],
                        "command_seconds_with_imports_and_model_load": round(command_seconds, 2),
                        "target_seconds": ALERT_RUN_SECONDS}
    again = _cli("score", "--warehouse", str(warehouse), env=env)
    out["alert_run"]["rerun_wrote_nothing"] = "already scored" in again.stderr  # type: ignore[index]

    added = _cli("users", "add", BENCH_USER, "--role", "data_scientist", "--name", "Bench",
                 "--password", BENCH_PASSWORD, env=env)
    if added.returncode != 0:
        return {"passed": False, "stage": "users add", "stderr": added.stderr[-2000:]}

    # 2. Start-up: `earlyhelp serve` to /ready answering 200. First with no local copy of the
    #    champion (a first start: the registry is asked before serving), then the usual
    #    restart, on the local copy the alert run left (the registry is asked in the background).
    shutil.rmtree(data / "model_cache")
    port = _port()
    server, cold = _serve(env, port, workdir)
    _stop(server)
    if cold is None:
        return {"passed": False, "stage": "serve (cold)",
                "stderr": (workdir / "serve.log").read_text()[-2000:]}
    out["ready_seconds_first_start"] = round(cold, 2)
    port = _port()
    server, ready = _serve(env, port, workdir)
    try:
        if ready is None:
            _stop(server)
            return {"passed": False, "stage": "serve",
                    "stderr": (workdir / "serve.log").read_text()[-2000:]}
        out["ready_seconds"] = round(ready, 2)
        _registry_checked(port)
        import httpx

        token = httpx.post(f"http://127.0.0.1:{port}/v1/auth/token",
                           data={"username": BENCH_USER, "password": BENCH_PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        month, columns, values, keys = _rows(warehouse, 500)
        features = list(model_inputs)
        by_features = [{"features": {f: (None if v is None or v != v else float(v))
                                     for f, v in zip(columns, row, strict=True)
                                     if f in features}} for row in values]
        by_key = [{"child_key": k, "as_of": month} for k in keys]
        url = f"http://127.0.0.1:{port}/v1/score"
        out["load_generator"] = "wrk" if shutil.which("wrk") else "httpx (Python)"
        out["score_features"] = _measure(url, by_features, headers, REQUESTS, workdir)
        out["score_by_key"] = _measure(url, by_key, headers, REQUESTS // 3, workdir)
    finally:
        _stop(server)

    # 3. The same champion behind `mlflow models serve`, the same feature rows.
    mport = _port()
    mlflow_env = {**env, "MLFLOW_TRACKING_URI": f"sqlite:///{data / 'mlflow.db'}"}
    name = load_settings(data_dir=data).model.registered_name
    mlflow_server = subprocess.Popen(
        [str(Path(sys.executable).parent / "mlflow"), "models", "serve", "-m",
         f"models:/{name}@champion", "--env-manager", "local", "-h", "127.0.0.1",
         "-p", str(mport)], env=mlflow_env, stdout=subprocess.DEVNULL,
        # A file, not a pipe: a pipe nobody reads fills with access-log lines and stalls it.
        stderr=(workdir / "mlflow.log").open("wb"), start_new_session=True)
    try:
        mready = _wait(f"http://127.0.0.1:{mport}/ping", 120, mlflow_server)
        if mready is None:
            return {**out, "passed": False, "stage": "mlflow models serve",
                    "stderr": (workdir / "mlflow.log").read_text()[-2000:]}
        rows = [{"dataframe_split": {"columns": features, "data": [
            [None if v is None or v != v else float(v)
             for f, v in zip(columns, row, strict=True) if f in features]]}}
            for row in values]
        murl = f"http://127.0.0.1:{mport}/invocations"
        out["mlflow_models_serve"] = {**_measure(murl, rows, {}, MLFLOW_REQUESTS, workdir),
                                      "ready_seconds": round(mready, 2)}
    finally:
        _stop(mlflow_server)

    ours, theirs = out["score_features"], out["mlflow_models_serve"]
    speedup = ours["requests_per_second"] / theirs["requests_per_second"]  # type: ignore[index]
    out["throughput_ratio_vs_mlflow"] = round(speedup, 1)
    checks = {
        "alert_run_under_5s": report["seconds"] < ALERT_RUN_SECONDS,
        "ready_under_8s": ready < READY_SECONDS,
        "p50_under_10ms": ours["p50_ms"] < P50_MS,  # type: ignore[index]
        "p99_under_25ms": ours["p99_ms"] < P99_MS,  # type: ignore[index]
        "throughput_10x_mlflow": speedup >= SPEEDUP,
        "no_failed_requests": ours["failures"] == 0 and theirs["failures"] == 0,  # type: ignore[index]
    }
    out["checks"] = checks
    out["passed"] = all(checks.values())
    return out
