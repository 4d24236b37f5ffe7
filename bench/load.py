"""The load generator: wrk (C, so that the client takes little of the 2 cores) with a Lua
script that posts pre-signed Twilio forms, and an open-loop asyncio client for fixed rates."""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
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

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


async def _post_each(
    host: str, port: int, path: str, lines: list[tuple[str, str]], connections: int
) -> PostAll:
    """Post every form once over `connections` keep-alive connections, each as soon as the
    previous answer came. A request whose connection broke is posted again on a new one, as
    Twilio retries (intake is idempotent on the SID). Plain asyncio streams, not httpx: at
    thousands of requests a second the client must leave the CPU to the server."""
    pending = iter(enumerate(lines))
    answered = failed = retried = 0

    async def connection() -> None:
        nonlocal answered, failed, retried
        reader, writer = await asyncio.open_connection(host, port)
        for _, (signature, body) in pending:
            data = body.encode()
            request = (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"X-Twilio-Signature: {signature}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode() + data
            for _attempt in range(5):
                try:
                    writer.write(request)
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = int(head.split(b" ", 2)[1])
                    length = 0
                    for header in head.split(b"\r\n"):
                        if header.lower().startswith(b"content-length:"):
                            length = int(header.split(b":", 1)[1])
                    await reader.readexactly(length)
                    break
                except (OSError, asyncio.IncompleteReadError):
                    retried += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
            else:
                status = 0
            answered += 1
            if status != 200:
                failed += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return PostAll(answered, failed, retried, time.perf_counter() - started)


def post_each(base: str, path: str, posts: SignedPosts, connections: int) -> PostAll:
    host, port = base.removeprefix("http://").split(":")
    return asyncio.run(_post_each(host, int(port), path, posts.lines, connections))


async def _open_loop(
    url: str, lines: list[tuple[str, str]], rate: float, timeout: float
) -> list[float]:
    """Send at fixed times whatever the answers do; latency counts from the planned send time,
    so a slow answer delays no later request (no coordinated omission)."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        # Warm the pool so that connection set-up is not counted as server latency.
        await asyncio.gather(*(client.get(url.rsplit("/", 2)[0] + "/healthz") for _ in range(20)))
        start = time.perf_counter() + 0.05

        async def one(i: int, signature: str, body: str) -> None:
            planned = start + i / rate
            delay = planned - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                response = await client.post(
                    url,
                    content=body,
                    headers={
                        "X-Twilio-Signature": signature,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
            except httpx.HTTPError:
                # No answer within the timeout (or no free connection): as bad as it gets.
                latencies.append(float("inf"))
                return
            if response.status_code == 200:
                latencies.append(time.perf_counter() - planned)
            else:
                latencies.append(float("inf"))

        await asyncio.gather(*(one(i, s, b) for i, (s, b) in enumerate(lines)))
    return latencies


def fixed_rate(url: str, lines: list[tuple[str, str]], rate: float) -> list[float]:
    return asyncio.run(_open_loop(url, lines, rate, timeout=10))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]
