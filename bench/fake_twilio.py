"""The fake Twilio of the tests, standalone, plus `GET /bench/stats` for the benchmark.

python -m bench.fake_twilio --port 8099 --max-per-second 10 --latency 0.25

`--latency` is how long each answer takes after the message is stored: Twilio's API answers in
about 150-300 ms across the Atlantic, where a local fake answers in a millisecond.
"""

from __future__ import annotations

import argparse
import time

import uvicorn
from fastapi import FastAPI

from tests.fakes.twilio_api import FakeTwilioState, create_app


def build(state: FakeTwilioState) -> FastAPI:
    app = create_app(state)
    started = time.time()

    @app.get("/bench/stats")
    async def stats() -> dict[str, object]:
        with state.lock:
            times = [m["date_created"].timestamp() for m in state.messages]
            return {
                "started": started,
                "requests": state.requests,
                "rejected_for_rate": state.rejected_for_rate,
                "created": times,
                "to": [m["to"] for m in state.messages],
            }

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--max-per-second", type=float, default=None)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to each answer")
    args = parser.parse_args()
    state = FakeTwilioState(max_per_second=args.max_per_second, answer_delay=args.latency)
    uvicorn.run(build(state), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
