"""`kcjs serve`: the local web page (FastAPI + Jinja2; CSS and JS served from the package, nothing from the network).

Routes: GET / (the page), POST /check (one document: HTML, or the result fragment with ?partial=1),
POST /api/check (JSON), GET /download/{token}, GET /template (a blank form), POST /audit (a zip, for staff).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kcjs.pipeline import __version__
from kcjs.pipeline.web.service import MEDIA, Service, Settings, UserError

HERE = Path(__file__).resolve().parent
log = logging.getLogger("kcjs.web")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
HEADERS = {"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                      "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
           "Cache-Control": "no-store"}


class BodyLimit:
    """ASGI middleware: refuse a request body larger than `limit` bytes (declared or streamed) with 413."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            return await _too_large(send, self.limit)
        seen, started = 0, False

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send, limit: int) -> None:
    body = f"上传内容超过 {limit / 2**20:.0f} MB 的上限".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings | None = None, loopback_only: bool = True) -> FastAPI:
    """The app; `loopback_only` also refuses requests whose Host is not localhost (DNS rebinding)."""
    settings = settings or Settings()
    service = Service(settings)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    app = FastAPI(title="kcjs", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(name: str, status: int = 200, **context) -> HTMLResponse:
        context = {"view": None, "batch": None, "tab": "self", "message": None, **context}
        html = env.get_template(name).render(version=__version__, choices=service.choices(), settings=settings, **context)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def problem(request: Request, message: str, status: int = 400):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status, headers=HEADERS)
        partial = request.query_params.get("partial") == "1"
        return page("_message.html" if partial else "message.html", status, message=message)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = (request.headers.get("host") or "").rsplit(":", 1)[0] if not (request.headers.get("host") or "").startswith("[") \
            else (request.headers.get("host") or "").split("]")[0] + "]"
        if loopback_only and host not in LOOPBACK:
            return Response("只接受本机访问（localhost）", status_code=421, media_type="text/plain; charset=utf-8")
        try:
            response = await call_next(request)
        except Exception:  # never a traceback on the page: a Chinese message, and the details in the log
            log.exception("request %s %s failed", request.method, request.url.path)
            return problem(request, "服务器处理时出错，请稍后重试；如反复出现，请把文件交给维护人员。", 500)
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    @app.exception_handler(UserError)
    async def user_error(request: Request, e: UserError):
        return problem(request, str(e), 400)

    @app.exception_handler(RequestValidationError)
    async def bad_form(request: Request, e: RequestValidationError):
        return problem(request, "请求不完整：请选择要上传的文件后再提交", 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        messages = {404: "页面或下载不存在（下载链接一小时后失效，请重新检查）", 405: "不支持这种请求方式"}
        return problem(request, messages.get(e.status_code, "请求无法处理"), e.status_code)

    @app.exception_handler(Exception)
    async def crash(request: Request, e: Exception):
        log.exception("request %s %s failed", request.method, request.url.path)
        return problem(request, "服务器处理时出错，请稍后重试；如反复出现，请把文件交给维护人员。", 500)

    @app.get("/", response_class=HTMLResponse)
    def index():
        return page("index.html", view=None)

    @app.post("/check", response_class=HTMLResponse)
    def check(request: Request, file: UploadFile = File(...), subprogram: str = Form(""), kind: str = Form(""),
              direction: str = Form("")):
        view = service.check(file.file, file.filename, subprogram or None, kind or None, direction or None)
        if request.query_params.get("partial") == "1":
            return page("_result.html", view=view)
        return page("index.html", view=view)

    @app.post("/api/check")
    def api_check(file: UploadFile = File(...), subprogram: str = Form(""), kind: str = Form(""), direction: str = Form("")):
        view = service.check(file.file, file.filename, subprogram or None, kind or None, direction or None)
        out = dict(view["raw"])
        out["annotated"] = ({"name": view["annotated"]["name"], "url": f"/download/{view['annotated']['token']}"}
                            if view["annotated"] else None)
        out["seconds"] = view["seconds"]
        return Response(json.dumps(out, ensure_ascii=False), media_type="application/json", headers=HEADERS)

    @app.get("/download/{token}")
    def download(token: str):
        d = service.downloads.get(token)
        if d is None:
            raise StarletteHTTPException(404)
        return Response(d.data, media_type=d.media_type, headers={**HEADERS, "Content-Disposition": attachment(d.name)})

    @app.get("/template")
    def template(subprogram: str = "", kind: str = "", direction: str = ""):
        name, data = service.form(subprogram, kind or None, direction or None)
        return Response(data, media_type=MEDIA["docx"], headers={**HEADERS, "Content-Disposition": attachment(name)})

    @app.post("/audit", response_class=HTMLResponse)
    def audit(request: Request, file: UploadFile = File(...), stage: str = Form("application")):
        batch = service.audit(file.file, file.filename, stage)
        if request.query_params.get("partial") == "1":
            return page("_audit.html", batch=batch)
        return page("index.html", view=None, batch=batch, tab="staff")

    return app


def attachment(name: str) -> str:
    """Content-Disposition for a download: an ASCII fallback and the real (Chinese) name, RFC 6266/5987."""
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def serve(host: str = "127.0.0.1", port: int = 8000, settings: Settings | None = None) -> None:
    """Run the page with uvicorn until interrupted; only localhost may reach it unless `host` says otherwise."""
    import uvicorn
    settings = settings or Settings()
    app = create_app(settings, loopback_only=host in LOOPBACK)
    limit = int(max(settings.max_zip_mb, settings.max_file_mb) * 2**20) + 2**20
    uvicorn.run(BodyLimit(app, limit), host=host, port=port, log_level="info")
