"""The one typed settings object. Code reads configuration only through `get_settings()`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

# Values that ship in the code for development only. Outside development, starting with any of
# them is refused: a leaked default key would let anyone forge webhooks or undo pseudonyms.
DEV_SECRET_KEY = "dev-secret-key-change-me"
DEV_PSEUDONYM_KEY = "dev-pseudonym-key-change-me"
DEV_TWILIO_AUTH_TOKEN = "dev-twilio-auth-token"
PLACEHOLDERS = {DEV_SECRET_KEY, DEV_PSEUDONYM_KEY, DEV_TWILIO_AUTH_TOKEN, "", "changeme", "secret"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"

    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'scamline.db'}"
    redis_url: str = "redis://localhost:6379/0"
    # `scamline run` keeps its own Redis's data (redis/) and its run file (run.json) here.
    var_dir: Path = REPO_ROOT / "var"
    # The bot `scamline simulate` talks to, when not given --url (else the one `scamline run`
    # started, then PUBLIC_BASE_URL, then http://127.0.0.1:8000).
    scamline_url: str = ""
    queue_prefix: str = "scamline"

    twilio_account_sid: str = ""
    twilio_auth_token: str = DEV_TWILIO_AUTH_TOKEN
    # During a rotation only: webhooks signed with the old token are still accepted.
    twilio_previous_auth_token: str = ""
    twilio_sender: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = "https://api.twilio.com"
    public_base_url: str = ""
    # Production refuses to start without Twilio credentials, unless replies are meant to go
    # only to the outbox (a staging copy, a drill).
    outbox_only: bool = False
    # Proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed: the
    # console's sign-in limit and audit then see the client's address, not the proxy's.
    forwarded_allow_ips: str = ""
    # Asked of /metrics scrapers as a bearer token; required in production.
    metrics_token: str = ""
    # prometheus-client's multiprocess mode: where each web process writes its metrics, so that
    # /metrics adds up all of them. `scamline serve` cleans it at start; with --workers above 1
    # and nothing set, it uses a fresh temporary directory.
    prometheus_multiproc_dir: str = ""

    secret_key: str = DEV_SECRET_KEY
    pseudonym_key: str = DEV_PSEUDONYM_KEY

    prompts_dir: Path = REPO_ROOT / "prompts"
    config_dir: Path = REPO_ROOT / "config"
    # The learned classifier: `scamline train` writes it here, workers reload it when it changes.
    classifier_model_dir: Path = REPO_ROOT / "config" / "model"
    # The labelled corpus that `scamline train` learns from and `scamline eval` scores on.
    corpus_dir: Path = REPO_ROOT / "corpus"

    max_body_bytes: int = 16 * 1024
    max_form_fields: int = 64
    max_report_chars: int = 4000
    conversation_ttl_seconds: int = 30 * 60
    sweeper_interval_seconds: float = 5.0
    sweeper_grace_seconds: float = 10.0
    # A claimed reply's lease: while it runs, no other sender takes the reply (one may be talking
    # to Twilio about it); past it, the sweeper gives the reply a job that asks Twilio first.
    # Keep it well above the Twilio client's timeout (workers/twilio_client.py, 10 s).
    stuck_sending_seconds: float = 30.0
    sender_rate_per_second: float = Field(default=10.0, gt=0)
    # Messages a worker keeps in flight to Twilio at once, apart from its job loop, still paced
    # by the shared pacer (workers/in_flight.py): 100 a second with answers 300 ms away needs 30.
    sender_concurrency: int = Field(default=32, ge=1, le=128)
    # Job loops per worker, each taking both queues in turn: while one waits on the database,
    # another goes on with the backlog (workers/job_loops.py). Each is a process.
    worker_loops: int = Field(default=2, ge=1, le=8)
    # Workers yield the CPU to the web process on a shared machine: acknowledging Twilio comes
    # first, a report waits a little longer in a wave (0 = same priority; 19 = the lowest).
    worker_nice: int = Field(default=10, ge=0, le=19)
    reporter_replies_per_hour: int = 20
    # From this many distinct reporters, a reply says how many people reported the number or link.
    crowd_min_reporters: int = Field(default=3, ge=2)
    retention_days: int = Field(default=90, ge=1)
    # The audit log (who saw or did what, search queries included) is kept whole this long,
    # then deleted: 12 months, the CNIL's advice for access logs.
    audit_retention_days: int = Field(default=365, ge=1)
    purge_interval_seconds: float = 24 * 3600
    log_level: str = "INFO"

    # The analysts' console. Sessions die after idle or absolute time, whichever comes first.
    console_session_idle_seconds: int = Field(default=30 * 60, gt=0)
    console_session_absolute_seconds: int = Field(default=12 * 3600, gt=0)
    # Login attempts (moving window, in Redis). Failures per account past the limit lock it.
    console_login_limit_per_account: str = "5/15 minutes"
    console_login_limit_per_address: str = "30/15 minutes"
    console_lockout_seconds: int = Field(default=15 * 60, gt=0)
    # Distinct numbers (or domains) one account may open per hour before its views are locked
    # and the admins alerted: analysts review, they do not harvest.
    console_view_quota_per_hour: int = Field(default=200, gt=0)
    console_export_max_rows: int = Field(default=1000, gt=0)

    # The JSON API, per token (moving windows in Redis): a burst limit and a daily quota.
    api_rate_limit: str = "10/second"
    api_daily_quota: str = "5000/day"

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid) and self.twilio_auth_token not in PLACEHOLDERS

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        """Cookies are `Secure` everywhere but on a developer's or a test's plain-HTTP server."""
        return self.environment == "production"

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment != "development":
            weak = [
                name
                for name in ("secret_key", "pseudonym_key", "twilio_auth_token")
                if getattr(self, name) in PLACEHOLDERS or len(getattr(self, name)) < 16
            ]
            if weak:
                raise ValueError(
                    f"refusing to start in {self.environment} with placeholder or short "
                    "secrets (16 characters at least): " + ", ".join(n.upper() for n in weak)
                )
        if self.environment == "production" and not self.public_base_url:
            raise ValueError("PUBLIC_BASE_URL must be set in production")
        sender = self.twilio_sender or self.twilio_messaging_service_sid
        if self.is_production and not (self.twilio_configured and sender) and not self.outbox_only:
            raise ValueError(
                "production needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_SENDER (or "
                "TWILIO_MESSAGING_SERVICE_SID); set OUTBOX_ONLY=true if replies are meant to "
                "stay in the outbox"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
