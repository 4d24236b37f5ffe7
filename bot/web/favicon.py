"""/favicon.ico, which browsers ask for by themselves: the console's icon rather than a 404.

The console's pages also link the icon under /console/static/ (an SVG, and this ICO: the SVG
rendered at 16, 32 and 48 pixels, as PNGs inside the ICO).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from bot.web.console.rendering import STATIC_DIR

router = APIRouter()


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "favicon.ico",
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
