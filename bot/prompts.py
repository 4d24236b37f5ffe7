"""Every text the bot says or speaks lives in `prompts/<lang>/<key>.txt`, rendered by one helper.

Keys are stable paths such as `sms/advice/parcel` or `voice/menu`. SMS texts are plain text, so
autoescape is off; whatever comes from a reporter must be sanitised before it reaches a template.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from bot.domain.language import DEFAULT_LANGUAGE, LANGUAGES, Language
from bot.settings import get_settings


class PromptNotFound(LookupError):
    pass


@lru_cache(maxsize=4)
def _environment(prompts_dir: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(prompts_dir)),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        # Plain-text SMS and <Say> bodies: the TwiML builder escapes XML; nothing here is HTML.
        autoescape=False,  # noqa: S701
    )


def prompt_path(key: str, lang: Language) -> str:
    return f"{lang}/{key}.txt"


def has_prompt(key: str, lang: Language) -> bool:
    return (get_settings().prompts_dir / prompt_path(key, lang)).is_file()


def render(key: str, lang: Language = DEFAULT_LANGUAGE, **context: Any) -> str:
    """Render one prompt; lines join with spaces, a blank line in the template starts a new one."""
    env = _environment(get_settings().prompts_dir)
    try:
        template = env.get_template(prompt_path(key, lang))
    except TemplateNotFound as exc:
        raise PromptNotFound(f"no prompt {key!r} in {lang!r}") from exc
    text = template.render(**context)
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return "\n".join(p for p in paragraphs if p)


def all_prompt_keys() -> dict[Language, list[str]]:
    root = get_settings().prompts_dir
    keys: dict[Language, list[str]] = {}
    for lang in LANGUAGES:
        base = root / lang
        keys[lang] = sorted(str(p.relative_to(base).with_suffix("")) for p in base.rglob("*.txt"))
    return keys
