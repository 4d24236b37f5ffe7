"""The load generator: wrk (C, so that the client takes little of the 2 cores) with a Lua
script that posts pre-signed Twilio forms, and an open-loop asyncio client for fixed rates."""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

LUA = Path(__file__).resolve().parent / "post.lua"

TEMPLATES = (
    "Ameli: votre carte Vitale arrive a expiration. Renouvelez-la avant le {d}/05 sur {link}",
    "Colis: votre colis est en attente, frais de livraison de {a} EUR a regler: {link}",
    "Votre conseiller {bank}: operation suspecte de {a} EUR. Si ce n'est pas vous appelez le {n}",
    "De {n} : Maman c'est moi, j'ai casse mon telephone, ecris-moi sur WhatsApp a ce numero",
    "ANTAI: avis de contravention impaye, reglez {a} EUR avant majoration: {link}",
    "Impots.gouv: vous beneficiez d'un remboursement de {a} EUR, confirmez sur {link}",
    "CPF: il vous reste {a} EUR de droits formation a utiliser avant le {d}/06, rappelez le {n}",
    "appel {n}",
    "spam vocal {n}",
    "Bonjour, votre dossier CAF est incomplet, mettez a jour vos informations: {link}",
    "EDF: votre facture de {a} EUR est impayee, votre compteur sera coupe. {link}",
    "Hello, I saw your CV, remote job {a} EUR a day, reply on WhatsApp {n}",
)
BANKS = ("Credit Agricole", "BNP", "Societe Generale", "LCL", "Banque Postale")


def scam_text(rng: random.Random) -> str:
    return rng.choice(TEMPLATES).format(
        d=rng.randint(1, 28),
        a=f"{rng.randint(1, 999)},{rng.randint(0, 99):02d}",
        link=f"https://{secrets.token_hex(3)}-{rng.choice(('ameli', 'colis', 'info'))}.fr/"
        + secrets.token_hex(3),
        n=f"0{rng.choice((6, 7, 9))} {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
        bank=rng.choice(BANKS),
    )


@dataclass
class SignedPosts:
    """`count` distinct inbound SMS, signed for `url`, one `signature<TAB>body` line each."""

    path: Path
    sids: list[str]
    lines: list[tuple[str, str]]


def make_posts(
    url: str, token: str, count: int, tag: str, path: Path, first_reporter: int, seed: int = 1
) -> SignedPosts:
    """Each from its own reporter: every post is then a new report (none is read as the sender
    number a previous report waits for), which keeps the lost/duplicated count exact."""
    rng = random.Random(seed)
    validator = RequestValidator(token)
    sids, lines = [], []
    for i in range(count):
        sid = f"SM{tag}{i:08d}"
        params = {
            "MessageSid": sid,
            "AccountSid": "AC" + "f" * 32,
            "From": f"+336{first_reporter + i:08d}",
            "To": "+33700000000",
            "Body": scam_text(rng),
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        signature = validator.compute_signature(url, params)
        sids.append(sid)
        lines.append((signature, urlencode(params)))
    path.write_text("".join(f"{s}\t{b}\n" for s, b in lines))
    return SignedPosts(path, sids, lines)


@dataclass
class WrkResult:
    answered: int
    failed: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


_BENCH_LINE = re.compile(
    r"BENCH answered=(\d+) failed=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+)"
)


def _parse(output: str) -> WrkResult:
    match = _BENCH_LINE.search(output)
    if match is None:
        raise RuntimeError(f"wrk said:\n{output}")
    answered, failed, duration, p50, p99 = (int(g) for g in match.groups())
    return WrkResult(answered, failed, duration / 1e6, p50 / 1e3, p99 / 1e3)


def wrk_timed(
    base: str, path: str, posts: SignedPosts, seconds: float, threads: int, connections: int
) -> WrkResult:
    """Post for `seconds`, each connection as fast as answers come (a closed loop)."""
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            base,
            "--",
            str(posts.path),
            str(threads),
            path,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    ).stdout
    return _parse(output)


@dataclass
class PostAll:
    answered: int
    failed: int
    retried: int
    seconds: float
    answered_at: list[float] = field(default_factory=list)  # per post, in posting order

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


def _request(host: str, port: int, path: str, signature: str, body: str) -> bytes:
    data = body.encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"X-Twilio-Signature: {signature}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode() + data


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one request on a keep-alive connection and read its answer; its status code."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for header in head.split(b"\r\n"):
        if header.lower().startswith(b"content-length:"):
            length = int(header.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _post_each(
    host: str, port: int, path: str, lines: list[tuple[str, str]], connections: int
) -> PostAll:
    """Post every form once over `connections` keep-alive connections, each as soon as the
    previous answer came. A request whose connection broke is posted again on a new one, as
    Twilio retries (intake is idempotent on the SID). Plain asyncio streams, not httpx: at
    thousands of requests a second the client must leave the CPU to the server."""
    pending = iter(enumerate(lines))
    answered = failed = retried = 0
    answered_at = [0.0] * len(lines)  # epoch time of each post's answer

    async def connection() -> None:
        nonlocal answered, failed, retried
        reader, writer = await asyncio.open_connection(host, port)
        for index, (signature, body) in pending:
            request = _request(host, port, path, signature, body)
            for _attempt in range(5):
                try:
                    status = await _exchange(reader, writer, request)
                    break
                except (OSError, asyncio.IncompleteReadError):
                    retried += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
            else:
                status = 0
            answered += 1
            answered_at[index] = time.time()
            if status != 200:
                failed += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return PostAll(answered, failed, retried, time.perf_counter() - started, answered_at)


def post_each(base: str, path: str, posts: SignedPosts, connections: int) -> PostAll:
    host, port = base.removeprefix("http://").split(":")
    return asyncio.run(_post_each(host, int(port), path, posts.lines, connections))


OPEN_LOOP_CONNECTIONS = 64


async def _open_loop(
    host: str, port: int, path: str, lines: list[tuple[str, str]], rate: float, timeout: float
) -> list[float]:
    """Send at fixed times whatever the answers do; latency counts from the planned send time,
    so a slow answer delays no later request (no coordinated omission).

    Plain asyncio streams over a pool of keep-alive connections opened beforehand (not httpx,
    which costs milliseconds of CPU per request: on 2 cores a heavy client would measure its
    own delays). A request waits for a free connection if all are busy; that wait counts.
    """
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    warm_up = f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    for _ in range(OPEN_LOOP_CONNECTIONS):
        connection = await asyncio.open_connection(host, port)
        await _exchange(*connection, warm_up)  # connection set-up is not server latency
        idle.put_nowait(connection)
    latencies: list[float] = []
    loop = asyncio.get_running_loop()

    async def one(planned: float, request: bytes) -> None:
        connection = await idle.get()
        try:
            status = await asyncio.wait_for(_exchange(*connection, request), timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            # No answer in time, or a broken connection: as bad as it gets.
            connection[1].close()
            idle.put_nowait(await asyncio.open_connection(host, port))
            latencies.append(float("inf"))
            return
        idle.put_nowait(connection)
        latencies.append(loop.time() - planned if status == 200 else float("inf"))

    requests = [_request(host, port, path, signature, body) for signature, body in lines]
    tasks: set[asyncio.Task[None]] = set()
    start = loop.time() + 0.05
    for i, request in enumerate(requests):
        planned = start + i / rate
        if planned > loop.time():
            await asyncio.sleep(planned - loop.time())
        task = asyncio.create_task(one(planned, request))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait()[1].close()
    return latencies


def fixed_rate(url: str, lines: list[tuple[str, str]], rate: float) -> list[float]:
    host, port = url.removeprefix("http://").split("/", 1)[0].split(":")
    path = "/" + url.removeprefix("http://").split("/", 1)[1]
    return asyncio.run(_open_loop(host, int(port), path, lines, rate, timeout=10))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]
