"""The review server's web application: routes, pages, sign-in, the actions, and :func:`serve`.

Starlette, because it is small, typed, maintained and ASGI (uvicorn serves
it), with no ORM or admin to carry; its templates are the Jinja2 the site
build already uses, autoescaped. Handlers are thin: each async endpoint reads
the form, then runs the real work (store, catalogs, rendering) in Starlette's
threadpool, so one slow catalog never blocks the event loop.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from workflow import findings, poformat
from workflow.config import CONFIG_PATH, Config, Reviewer
from workflow.errors import ConfigError, LocumError
from workflow.render import escaping_gettext
from workflow.server import actions, auth, keys, views
from workflow.server.auth import CookiePolicy, client_ip, origin_allowed, same_token
from workflow.server.cache import SegmentsCache, ViewCache, spliced
from workflow.server.i18n import LANGUAGE_NAMES, LANGUAGES, N_, TEMPLATES, negotiate, translations
from workflow.sshsig import parse_public_key

if TYPE_CHECKING:
    from workflow.server.store import Store

HERE = Path(__file__).parent
STATIC = HERE / "static"
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
YEAR = 365 * 24 * 3600
ENTRY_TEXTS = 20_000     # PO entries whose text and check results the server keeps: each batch of approvals
                         # rewrites a whole catalog, and the view made after it checks the approved ones again

WRONG_LOGIN = N_("Wrong e-mail address or password.")
THROTTLED = N_("Too many failed attempts: sign-in is paused for this account. Try again in 15 minutes.")
NOT_YOURS = N_("You may not review the catalog %(catalog)s: ask the project to declare you for it in "
               "locales/locum.toml.")
NOT_FOUND = N_("There is no such page.")
NO_TOKEN = N_("This form is out of date or did not come from this site. Reload the page and try again.")
SIGNED_OUT = N_("You are signed out. Sign in again.")
UNREADABLE = N_("The project's files cannot be read now; tell the project's maintainers what follows.")


@dataclass
class Context:
    """What every request needs: the project, the store, the cookie policy, one Jinja environment per
    interface language."""

    config: Config
    store: Store
    cookies: CookiePolicy
    environments: dict[str, Environment]
    views: ViewCache = field(default_factory=ViewCache)
    segments: SegmentsCache = field(default_factory=SegmentsCache)


def environments() -> dict[str, Environment]:
    """A Jinja2 environment per interface language: autoescape on, StrictUndefined, escaped gettext; templates
    are not checked for changes on every page (they ship with the code: a stat per render cost 4 % of a busy
    server)."""
    made = {}
    for language, translation in translations().items():
        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                          extensions=["jinja2.ext.i18n"], auto_reload=False)
        gettext_, ngettext_, pgettext_, npgettext_ = escaping_gettext(translation)
        env.install_gettext_callables(gettext_, ngettext_, newstyle=True, pgettext=pgettext_,
                                      npgettext=npgettext_)
        made[language] = env
    return made


def create_app(config: Config, store: Store, secure_cookies: bool = True) -> Starlette:
    """The review application for ``config``'s project, its accounts and audit log in ``store``."""
    routes = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", dashboard_page, methods=["GET"]),
        Route("/c/{catalog}/{slug}", article_page, methods=["GET"]),
        Route("/c/{catalog}/{slug}/{action}", act, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(auth.SecurityHeaders)],
                    exception_handlers={HTTPException: http_error})
    app.state.review = Context(config, store, CookiePolicy(secure_cookies), environments())
    return app


def context(request: Request) -> Context:
    return request.app.state.review


# ---- rendering ----------------------------------------------------------------------------------------------

def language(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.cookies.get(auth.LANG_COOKIE),
                     request.headers.get("accept-language"))


def page(request: Request, template: str, status: int = 200, user: Reviewer | None = None, csrf: str = "",
         **values) -> HTMLResponse:
    """Render ``template`` in the reviewer's interface language; remember a ``?lang=`` choice."""
    ctx = context(request)
    lang = language(request)
    here = request.url.path if request.method == "GET" else values.get("base", "/")     # never a POST's URL
    switch = [{"code": code, "name": LANGUAGE_NAMES[code], "href": f"{here}?lang={code}",
               "current": code == lang} for code in LANGUAGES]
    html = ctx.environments[lang].get_template(template).render(
        lang=lang, switch=switch, user=user, csrf=csrf, site_name=ctx.config.site_name, **values)
    segments = values.get("segments")
    if isinstance(segments, Segments):          # spliced in as bytes: see Segments
        before, _, after = html.encode("utf-8").partition(segments.slot)
        response = HTMLResponse(spliced(before, segments.parts, segments.token, after), status_code=status)
    else:
        response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        ctx.cookies.set(response, auth.LANG_COOKIE, request.query_params["lang"], max_age=YEAR)
    return response


def message_page(request: Request, status: int, message: str, args: dict | None = None,
                 user: Reviewer | None = None, csrf: str = "", detail: str = "") -> HTMLResponse:
    """A page saying one thing (403, 404, an unreadable file): ``message`` is a msgid, ``detail`` plain text."""
    return page(request, "message.html", status, user=user, csrf=csrf, message=message, args=args or {},
                status_code=status, detail=detail)


async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    if status == 404:
        return await run_in_threadpool(message_page, request, 404, NOT_FOUND)
    return Response(status_code=status, headers=getattr(exc, "headers", None))


# ---- who is signed in -----------------------------------------------------------------------------------------

def declared(config: Config, email: str) -> Reviewer | None:
    """The reviewer declared in locum.toml with this e-mail (case-insensitive), or None."""
    return next((r for r in config.reviewers if r.email.lower() == email.lower()), None)


def signed_in(request: Request):
    """(reviewer, session) of a valid session cookie whose reviewer is still declared, else (None, None)."""
    ctx = context(request)
    token = request.cookies.get(auth.SESSION_COOKIE)
    session = ctx.store.session(token) if token else None
    reviewer = declared(ctx.config, session.email) if session else None
    return (reviewer, session) if reviewer else (None, None)


def to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


# ---- sign-in and sign-out -------------------------------------------------------------------------------------

async def login_page(request: Request) -> Response:
    return await run_in_threadpool(_login_page, request)


def _login_page(request: Request, status: int = 200, alert: str = "", email: str = "") -> Response:
    if status == 200 and signed_in(request)[0]:
        return RedirectResponse("/", status_code=303)
    token = request.cookies.get(auth.LOGIN_COOKIE) or auth.new_token()
    response = page(request, "login.html", status, csrf=token, alert=alert, email=email)
    context(request).cookies.set(response, auth.LOGIN_COOKIE, token, max_age=3600)
    return response


async def login(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_login, request, form)


def _login(request: Request, form) -> Response:
    ctx = context(request)
    ip = client_ip(request)
    email = str(form.get("email", "")).strip()[:254]
    if not origin_allowed(request) or not same_token(str(form.get("csrf", "")), request.cookies.get(auth.LOGIN_COOKIE)):
        ctx.store.audit(email, "login-refused", ip, detail="login CSRF token or Origin missing or wrong")
        return message_page(request, 403, NO_TOKEN)
    result = ctx.store.check_password(email, str(form.get("password", "")), ip)
    if result == "ok" and declared(ctx.config, email) is None:
        result = "wrong"            # a password left over for someone no longer declared
    if result != "ok":
        ctx.store.audit(email, "login-throttled" if result == "throttled" else "login-failed", ip)
        status, alert = (429, THROTTLED) if result == "throttled" else (401, WRONG_LOGIN)
        return _login_page(request, status, alert, email)
    token, _csrf = ctx.store.open_session(email)
    ctx.store.audit(email, "login", ip)
    response = RedirectResponse("/", status_code=303)
    ctx.cookies.set(response, auth.SESSION_COOKIE, token)     # gone when the browser closes; the store expires it
    ctx.cookies.clear(response, auth.LOGIN_COOKIE)
    return response


async def logout(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_logout, request, form)


def _logout(request: Request, form) -> Response:
    ctx = context(request)
    reviewer, session = signed_in(request)
    if reviewer is None:
        return to_login()
    if not origin_allowed(request) or not same_token(str(form.get("csrf", "")), session.csrf):
        return message_page(request, 403, NO_TOKEN, user=reviewer, csrf=session.csrf)
    ctx.store.close_session(request.cookies[auth.SESSION_COOKIE])
    ctx.store.audit(reviewer.email, "logout", client_ip(request))
    response = to_login()
    ctx.cookies.clear(response, auth.SESSION_COOKIE)
    return response


# ---- pages --------------------------------------------------------------------------------------------------

async def dashboard_page(request: Request) -> Response:
    return await run_in_threadpool(_dashboard_page, request)


def _dashboard_page(request: Request) -> Response:
    reviewer, session = signed_in(request)
    if reviewer is None:
        return to_login()
    try:
        summaries = views.dashboard(context(request).config, reviewer.email)
    except LocumError as exc:
        return message_page(request, 500, UNREADABLE, user=reviewer, csrf=session.csrf, detail=str(exc))
    return page(request, "dashboard.html", user=reviewer, csrf=session.csrf, catalogs=summaries)


def _guard(request: Request, catalog: str, slug: str, reviewer: Reviewer, csrf: str) -> Response | None:
    """A 404 page for an unknown catalog or article, a 403 for a catalog this reviewer may not approve."""
    config = context(request).config
    if catalog not in config.catalogs or not SLUG.match(slug):
        return message_page(request, 404, NOT_FOUND, user=reviewer, csrf=csrf)
    if catalog not in reviewer.catalogs:
        context(request).store.audit(reviewer.email, "forbidden", client_ip(request), catalog=catalog,
                                     article=slug)
        return message_page(request, 403, NOT_YOURS, {"catalog": catalog}, user=reviewer, csrf=csrf)
    # The catalog's own path, not a listing of its folder: the same answer for a slug (it starts with no dot
    # and names a .po there), at the cost of one stat instead of a Path per article of the project.
    if not os.path.lexists(config.po_path(catalog, slug)):
        return message_page(request, 404, NOT_FOUND, user=reviewer, csrf=csrf)
    return None


async def article_page(request: Request) -> Response:
    return await run_in_threadpool(_article_page, request)


def _article_page(request: Request) -> Response:
    reviewer, session = signed_in(request)
    if reviewer is None:
        return to_login()
    catalog, slug = request.path_params["catalog"], request.path_params["slug"]
    refused = _guard(request, catalog, slug, reviewer, session.csrf)
    if refused is not None:
        return refused
    flash = actions.flash_message(request.cookies.get(auth.FLASH_COOKIE))
    response = article(request, reviewer, session.csrf, catalog, slug, flash=flash)
    if auth.FLASH_COOKIE in request.cookies:
        context(request).cookies.clear(response, auth.FLASH_COOKIE)
    return response


def article(request: Request, reviewer: Reviewer, csrf: str, catalog: str, slug: str, status: int = 200,
            flash: tuple[str, dict] | None = None, outcome: actions.Outcome | None = None) -> HTMLResponse:
    """The article view, with a flash after a redirect or the alert of a conflict or a refusal."""
    ctx = context(request)
    try:
        view = ctx.views.article(ctx.config, catalog, slug)
    except LocumError as exc:       # a catalog a translator broke by hand, the lock held too long…
        return message_page(request, 500, UNREADABLE, user=reviewer, csrf=csrf, detail=str(exc))
    base = f"/c/{catalog}/{slug}"
    return page(request, "article.html", status, user=reviewer, csrf=csrf, view=view, flash=flash,
                outcome=outcome, base=base, segments=segments(request, view, base, csrf, outcome))


@dataclass(frozen=True)
class Segments:
    """The segments of an article page as UTF-8 bytes (``parts``, to be joined with the session's escaped
    ``token``: see :func:`spliced`), put where the template shows ``slot``.

    The segments are 440 KB for 200 of them: going through the page
    template, they were escaped-checked, copied and encoded again on every
    request, for a fifth of a busy server's time.
    """

    parts: tuple[bytes, ...]
    token: str
    slot: bytes = SegmentsCache.SEGMENTS.encode()

    def __html__(self) -> str:
        return SegmentsCache.SEGMENTS


def segments(request: Request, view: views.ArticleView, base: str, csrf: str,
             outcome: actions.Outcome | None) -> Markup | Segments:
    """The HTML of the view's segments: kept per interface language, the session's token put in; rendered
    afresh after an action that was not done (its segment is flagged and its form open)."""
    ctx, lang = context(request), language(request)
    template = ctx.environments[lang].get_template("segment.html")

    def render(row: views.Row, token: str, shown: actions.Outcome | None = None) -> str:
        return template.render(row=row, view=view, lang=lang, source_lang=ctx.config.source_language,
                               base=base, csrf=token, outcome=shown)

    if outcome is not None:
        return Markup("\n".join(render(row, csrf, outcome) for row in view.rows))
    parts = ctx.segments.joined((lang, view.catalog, view.slug, base), view,
                                lambda row: render(row, SegmentsCache.SLOT))
    return Segments(parts, str(escape(csrf)))


# ---- actions ------------------------------------------------------------------------------------------------

async def act(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_act, request, form)


def _act(request: Request, form) -> Response:
    ctx = context(request)
    reviewer, session = signed_in(request)
    if reviewer is None:
        return message_page(request, 403, SIGNED_OUT)
    if not origin_allowed(request) or not same_token(str(form.get("csrf", "")), session.csrf):
        ctx.store.audit(reviewer.email, "csrf-refused", client_ip(request), detail=request.url.path[:200])
        return message_page(request, 403, NO_TOKEN, user=reviewer, csrf=session.csrf)
    catalog, slug, action = (request.path_params[k] for k in ("catalog", "slug", "action"))
    if action not in actions.ACTIONS:
        return message_page(request, 404, NOT_FOUND, user=reviewer, csrf=session.csrf)
    refused = _guard(request, catalog, slug, reviewer, session.csrf)
    if refused is not None:
        return refused
    outcome = actions.perform(ctx.config, ctx.store, reviewer.email, client_ip(request), catalog, slug,
                              action, form, ctx.views.catalogs)
    if outcome.kind != "done":
        return article(request, reviewer, session.csrf, catalog, slug, outcome.status, outcome=outcome)
    response = RedirectResponse(f"/c/{catalog}/{slug}#seg-{outcome.segment}", status_code=303)
    ctx.cookies.set(response, auth.FLASH_COOKIE, actions.flash_value(outcome), max_age=120)
    return response


# ---- start-up -----------------------------------------------------------------------------------------------

def check_server_key(config: Config, store: Store) -> None:
    """Raise a :class:`ConfigError` naming the line to add unless locum.toml declares the store's server key."""
    try:
        signer = store.server_signer()
    except (OSError, LocumError, ValueError) as exc:
        raise ConfigError(f"the review server has no signing key in its store ({exc}): run "
                          "'locum review server-key' and add the line it prints to locales/locum.toml") from None
    if signer.key in {parse_public_key(line) for line in config.server_keys}:
        return
    line = keys.public_line(signer)
    raise ConfigError("the review server's key is not the one declared in locales/locum.toml, so its approvals "
                      f"would not verify: put this line under [review_server] there:\n  key = \"{line}\"",
                      path=CONFIG_PATH.as_posix())


def serve(config: Config, store_dir: Path, host: str = "127.0.0.1", port: int = 8400,
          secure_cookies: bool = True) -> None:
    """Serve the review interface with uvicorn until interrupted; refuses to start unless the store's server
    key is the one ``[review_server]`` in locales/locum.toml declares (else approvals would not verify)."""
    import uvicorn

    from workflow.server.store import Store

    store = Store(store_dir)
    check_server_key(config, store)
    poformat.keep_entry_texts(ENTRY_TEXTS)
    findings.keep_check_results(ENTRY_TEXTS)
    app = create_app(config, store, secure_cookies)
    if not any(store.has_password(reviewer.email) for reviewer in config.reviewers):
        print("No reviewer can sign in yet: set their passwords with 'locum review passwd EMAIL'.", flush=True)
    shown = f"[{host}]" if ":" in host else host
    print(f"Locum review server: http://{shown}:{port}/ (Ctrl-C stops it; for a team, put it behind a TLS "
          "reverse proxy)", flush=True)
    uvicorn.run(app, host=host, port=port, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                server_header=False, log_level="info")
