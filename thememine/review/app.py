"""The review page: a small Starlette app with server-rendered pages over one run folder.

Every action is an HTML form posted to the server, which applies it as a
:class:`~thememine.themes.decisions.Decision` through the same
:func:`~thememine.themes.decisions.apply_in_folder` as ``thememine theme …``: it is saved and
logged at once, under the folder's lock, and ``themes.yaml`` is written again, so the page, the
command line and the file never disagree. The page then redirects (post/redirect/get), so a
reload never repeats an action.

Safety: the server answers only requests addressed to 127.0.0.1 or localhost (no DNS
rebinding). Every action needs two proofs that it comes from a page of this server: the form's
token, which only this server's pages carry (error pages never do, so a page that reaches the
server under another name cannot read it from one), and the browser's word that the request is
same-origin (``Origin`` or ``Referer``, or ``Sec-Fetch-Site: same-origin``), which a page on another
site cannot forge. A Content-Security-Policy allows only this page's own inline script and style.
The page reads the run folder only: the pseudonymised statements, never the key.
"""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from thememine import __version__
from thememine.errors import InputError, ThememineError
from thememine.review import i18n
from thememine.runfolder import STATE_FILE, load_run, parse_statement_id
from thememine.themes import history
from thememine.themes.decisions import (
    CONFIRM,
    DELETE,
    MERGE,
    MOVE,
    RENAME,
    SPLIT,
    Decision,
    apply_all,
    apply_in_folder,
    apply_themes_file,
    load_codes,
    no_pending,
    pending_decisions,
    summary,
)
from thememine.themes.model import INTERVIEWER, UNASSIGNED, Theme, ThemeRun, Unit

MAX_SHOWN = 200  # statements listed on a theme page before "show all"
MAX_K = 12  # the largest split offered
MAX_FORM = 64 * 1024  # bytes; a review form is a few hundred
COOKIE = "thememine-lang"
READ_ONLY = frozenset({"GET", "HEAD"})  # every other method changes the run and must be same-origin


class BadRequest(HTTPException):
    """A malformed request: answered with 400 and what was wrong."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


@dataclass(frozen=True)
class Context:
    """A statement in context: the turn before it and its own turn (which holds the statement)."""

    before: list[Unit]
    turn: list[Unit]


class Review:
    """The review page's state: the run folder, the language choice and the form token."""

    def __init__(self, folder: Path, lang: str = "auto", token: str | None = None) -> None:
        self.folder = folder
        self.lang = lang
        self.token = token or secrets.token_urlsafe(24)
        self._cached: tuple[tuple[int, int, int], ThemeRun] | None = None
        self.env = Environment(
            loader=PackageLoader("thememine.review", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # ----- reading -----------------------------------------------------------------------------
    def load(self) -> ThemeRun:
        """The run as saved now; read again only when its state file changed (pages only read it)."""
        state = (self.folder / STATE_FILE).stat()
        stamp = (state.st_mtime_ns, state.st_size, state.st_ino)
        if self._cached is None or self._cached[0] != stamp:
            self._cached = (stamp, load_run(self.folder))
        return self._cached[1]

    def language(self, request: Request) -> str:
        return i18n.choose(self.lang, request.cookies.get(COOKIE), request.headers.get("accept-language"))

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        """A page of the review: with the form token, the folder's name and the last decision."""
        try:
            last = history.last_snapshot(self.folder)
        except InputError:
            last = None
        lang = self.language(request)
        return self._page(
            request,
            template,
            status,
            token=self.token,
            folder=self.folder.name,
            undo_what=i18n.message(summary(last.messages) if last else "", lang),
            flash=i18n.message(request.query_params.get("msg", ""), lang),
            **values,
        )

    def error_page(self, request: Request, status: int, message: str) -> HTMLResponse:
        """A plain error page: the message and a link home, without the form token or the folder.

        An error page answers requests the server refuses (a wrong Host, a foreign origin), which
        may come from a page on another site that reached the server by DNS rebinding; it must
        not hand that page the token that every action needs.
        """
        return self._page(
            request,
            "error.html",
            status,
            token="",
            folder="",
            undo_what="",
            flash="",
            pending=0,
            message=message,
        )

    def _page(self, request: Request, template: str, status: int, **values: Any) -> HTMLResponse:
        lang = self.language(request)
        nonce = secrets.token_urlsafe(16)
        html = self.env.get_template(template).render(
            t=i18n.STRINGS[lang],
            lang=lang,
            nonce=nonce,
            version=__version__,
            path=request.url.path,
            **values,
        )
        response = HTMLResponse(html, status_code=status)
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        # the browser names this page as the Origin and Referer of its own forms (the server checks
        # them), and names no page at all to any other site
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    # ----- pages -------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        run = await run_in_threadpool(self.load)
        pending = await run_in_threadpool(self._pending, run)
        unassigned = sum(
            1 for t, u in zip(run.assignment, run.units, strict=True) if t == UNASSIGNED and not u.filler
        )
        interviewer = sum(
            1
            for t, u in zip(run.assignment, run.units, strict=True)
            if t == UNASSIGNED and not u.filler and u.role == INTERVIEWER
        )
        return self.render(
            request,
            "index.html",
            themes=_sorted(run),
            unassigned=unassigned,
            interviewer=interviewer,
            unassigned_share=f"{run.unassigned_share:.0%}",
            pending=pending,
        )

    async def theme(self, request: Request) -> Response:
        theme_id = _path_id(request)
        run = await run_in_threadpool(self.load)
        if theme_id != UNASSIGNED and theme_id not in run.themes:
            raise HTTPException(
                404, f"There is no theme {theme_id} in this run (it may have been merged or deleted)."
            )
        rows = [r for r in run.members(theme_id) if not (theme_id == UNASSIGNED and run.units[r].filler)]
        if theme_id != UNASSIGNED:  # the most typical statements first
            rows.sort(key=lambda r: -run.scores[r])
        show_all = request.query_params.get("all") == "1"
        shown = rows if show_all else rows[:MAX_SHOWN]
        contexts = _contexts(run, shown)
        themes = _sorted(run)
        ids = [t.id for t in themes]
        position = ids.index(theme_id) if theme_id in ids else -1
        return self.render(
            request,
            "theme.html",
            theme=run.themes.get(theme_id),
            theme_id=theme_id,
            statements=[(run.units[r], run.scores[r], contexts[r]) for r in shown],
            total=len(rows),
            themes=themes,
            previous=ids[position - 1] if position > 0 else None,
            next=ids[position + 1] if 0 <= position < len(ids) - 1 else None,
            max_k=max(2, min(MAX_K, len(rows))),
            pending=await run_in_threadpool(self._pending, run),
        )

    async def split_preview(self, request: Request) -> Response:
        theme_id = _path_id(request)
        k = _whole(request.query_params.get("k"), "k")
        run = await run_in_threadpool(self.load)
        if theme_id not in run.themes:
            raise HTTPException(
                404, f"There is no theme {theme_id} in this run (it may have been merged or deleted)."
            )
        label = run.themes[theme_id].label
        preview = await run_in_threadpool(_preview_split, self.folder, run, theme_id, k)
        return self.render(
            request,
            "split.html",
            theme_id=theme_id,
            label=label,
            k=k,
            parts=preview,
            members=_members_digest(run, theme_id),
        )

    # ----- actions -----------------------------------------------------------------------------
    async def confirm(self, request: Request) -> Response:
        theme_id = _path_id(request)
        await self._form(request)
        return await self._decide(request, [Decision(CONFIRM, theme_id)], f"/theme/{theme_id}")

    async def rename(self, request: Request) -> Response:
        theme_id = _path_id(request)
        form = await self._form(request)
        label = _text(form, "label")
        if not label:
            raise BadRequest("The new label is empty. Write a label.")
        return await self._decide(request, [Decision(RENAME, theme_id, label)], f"/theme/{theme_id}")

    async def delete(self, request: Request) -> Response:
        theme_id = _path_id(request)
        await self._form(request)
        return await self._decide(request, [Decision(DELETE, theme_id)], "/")

    async def split(self, request: Request) -> Response:
        theme_id = _path_id(request)
        form = await self._form(request)
        k = _whole(_text(form, "k"), "k")
        members = _text(form, "members")

        def unchanged(run: ThemeRun) -> None:
            no_pending(self.folder)(run)
            if theme_id in run.themes and _members_digest(run, theme_id) != members:
                raise InputError(
                    self.folder,
                    f"theme {theme_id} has changed since the preview",
                    "Look at the preview again before you split",
                )

        return await self._decide(request, [Decision(SPLIT, theme_id, k=k)], "/", guard=unchanged)

    async def merge(self, request: Request) -> Response:
        form = await self._form(request)
        chosen = [_whole(v, "themes") for v in form.getlist("themes") if isinstance(v, str)]
        if len(chosen) < 2:
            raise BadRequest("Select at least two themes to merge.")
        into_text = _text(form, "into")
        into = _whole(into_text, "into") if into_text else chosen[0]
        others = tuple(t for t in dict.fromkeys(chosen) if t != into)
        if not others:
            raise BadRequest("Select at least one theme besides the one to merge into.")
        label = _text(form, "label")
        return await self._decide(request, [Decision(MERGE, into, label, others=others)], f"/theme/{into}")

    async def move(self, request: Request) -> Response:
        form = await self._form(request)
        statement = _text(form, "statement")
        if not statement:
            raise BadRequest("Which statement? The form sent no statement id.")
        target = _whole(_text(form, "to"), "to")
        back = _back(_text(form, "back"))
        return await self._decide(request, [Decision(MOVE, target, statement=statement)], back)

    async def undo(self, request: Request) -> Response:
        form = await self._form(request)
        back = _back(_text(form, "back"))
        try:
            said = await run_in_threadpool(history.undo, self.folder, no_pending(self.folder))
        except ThememineError as err:
            return self._refused(request, err)
        return _redirect(await self._landing(back), summary([said]))

    async def apply_file(self, request: Request) -> Response:
        await self._form(request)
        try:
            messages = await run_in_threadpool(apply_themes_file, self.folder)
        except ThememineError as err:
            return self._refused(request, err)
        return _redirect("/", summary(messages) if messages else "")

    # ----- helpers -----------------------------------------------------------------------------
    async def _form(self, request: Request) -> FormData:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_FORM):
            raise HTTPException(413, "The request is too large for a review form.")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise BadRequest("Send the page's form (application/x-www-form-urlencoded).")
        try:
            form = await request.form(max_files=0, max_fields=200)
        except Exception as err:  # the form parser's own errors are of several kinds
            raise BadRequest(f"The form could not be read: {err}") from None
        if not secrets.compare_digest(str(form.get("token", "")), self.token):
            raise HTTPException(
                403, "This form does not come from the review page. Reload the page and try again."
            )
        return form

    async def _decide(
        self,
        request: Request,
        decisions: Sequence[Decision],
        back: str,
        guard: Callable[[ThemeRun], None] | None = None,
    ) -> Response:
        try:
            messages = await run_in_threadpool(
                apply_in_folder, self.folder, decisions, "review page", guard or no_pending(self.folder)
            )
        except ThememineError as err:
            return self._refused(request, err)
        return _redirect(await self._landing(back), summary(messages))

    async def _landing(self, back: str) -> str:
        """``back``, unless it is the page of a theme that is gone (merged away, split, emptied)."""
        if back.startswith("/theme/"):
            wanted = int(back.removeprefix("/theme/"))
            run = await run_in_threadpool(self.load)
            if wanted != UNASSIGNED and wanted not in run.themes:
                return "/"
        return back

    def _refused(self, request: Request, err: ThememineError) -> Response:
        """A decision that cannot be applied as the run is now (another tab changed it): 409.

        The theme list, one click away, offers to apply decisions pending in themes.yaml."""
        reason = err.reason if isinstance(err, InputError) else str(err)
        return self.error_page(request, 409, reason[:1].upper() + reason[1:])

    def _pending(self, run: ThemeRun) -> int:
        try:
            return len(pending_decisions(self.folder, run))
        except InputError:
            return 1  # an unreadable themes.yaml holds something the researcher wrote

    async def language_choice(self, request: Request) -> Response:
        lang = request.path_params["lang"]
        if lang not in i18n.LANGUAGES:
            raise HTTPException(404, f"No page language {lang!r}; use one of {', '.join(i18n.LANGUAGES)}.")
        response = RedirectResponse(_back(request.query_params.get("back", "/")), status_code=303)
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="strict")
        return response


# ---------------------------------------------------------------------------------------------


def _sorted(run: ThemeRun) -> list[Theme]:
    return sorted(run.themes.values(), key=lambda t: t.id)


def _path_id(request: Request) -> int:
    return _whole(request.path_params["theme"], "theme")


def _whole(value: str | None, name: str) -> int:
    if value is None or not re.fullmatch(r"-?\d{1,9}", value.strip()):
        raise BadRequest(f"`{name}` must be a whole number, not {value!r}.")
    return int(value.strip())


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    if not isinstance(value, str):
        raise BadRequest(f"`{name}` must be text.")
    return value.strip()


def _back(value: str | None) -> str:
    """A local path to return to; anything else goes to the theme list."""
    if value and re.fullmatch(r"/(theme/-?\d+)?", value):
        return value
    return "/"


def _redirect(path: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'msg': message})}" if message else path, status_code=303)


def _members_digest(run: ThemeRun, theme_id: int) -> str:
    digest = hashlib.sha256()
    for row in run.members(theme_id):
        digest.update(run.units[row].id.encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]


def _preview_split(folder: Path, run: ThemeRun, theme_id: int, k: int) -> list[Theme]:
    """The themes a split would make, computed on a copy: nothing is saved."""
    trial = copy.copy(run)
    trial.assignment, trial.scores = list(run.assignment), list(run.scores)
    trial.themes, trial.settings = copy.deepcopy(run.themes), copy.deepcopy(run.settings)
    code_vectors, code_names = load_codes(folder, run)
    try:
        apply_all(trial, [Decision(SPLIT, theme_id, k=k)], code_vectors, code_names, "review page")
    except InputError as err:
        raise BadRequest(err.reason) from None
    return sorted(
        (t for t in trial.themes.values() if theme_id in t.parents and t.id not in run.themes),
        key=lambda t: t.id,
    )


def _contexts(run: ThemeRun, rows: Sequence[int]) -> dict[int, Context]:
    """Each statement with its own turn and the turn before it (statement ids are doc:turn:index)."""
    turns: dict[tuple[str, int], list[Unit]] = {}
    for unit in run.units:
        ref = parse_statement_id(unit.id)
        if ref is not None and ref.doc_id == unit.doc_id:
            turns.setdefault((unit.doc_id, ref.turn), []).append(unit)
    found: dict[int, Context] = {}
    for row in rows:
        unit = run.units[row]
        ref = parse_statement_id(unit.id)
        if ref is None or ref.doc_id != unit.doc_id:
            found[row] = Context([], [unit])
            continue
        turn = ref.turn
        previous = max((t for d, t in turns if d == unit.doc_id and t < turn), default=None)
        before = turns[(unit.doc_id, previous)] if previous is not None else []
        found[row] = Context(before, turns[(unit.doc_id, turn)])
    return found


def same_origin(request: Request) -> bool:
    """Whether the browser says that ``request`` comes from a page of this server.

    Browsers send ``Origin`` with every POST (and ``Referer``, under this page's referrer policy),
    and newer ones ``Sec-Fetch-Site``; a page cannot forge these for a request to another site.
    Each header that is present must name this server, and one at least must be present: a
    request that says nothing of where it comes from is refused. ``Origin: null`` (a sandboxed
    or privacy-stripped request) names no page, so it counts as absent, never as proof.
    """
    own = f"http://{request.headers.get('host', '')}".lower()
    said: list[bool] = []
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        said.append(origin.lower() == own)
    referer = request.headers.get("referer")
    if referer is not None:
        parts = urlsplit(referer)
        said.append(f"{parts.scheme}://{parts.netloc}".lower() == own)
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        said.append(site == "same-origin")
    return bool(said) and all(said)


def create_app(folder: Path, lang: str = "auto", token: str | None = None) -> Starlette:
    """The review page for the run in ``folder`` (checked before the app is made)."""
    load_run(folder)  # a folder without a run fails here, with the reason, not on the first page
    review = Review(folder, lang, token)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return review.error_page(request, exc.status_code, exc.detail)

    async def on_error(request: Request, exc: Exception) -> Response:
        return review.error_page(
            request,
            500,
            f"Something went wrong inside thememine ({type(exc).__name__}); nothing was changed. "
            "Reload the page; if it happens again, report it with the terminal's output.",
        )

    def guarded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            host = (request.headers.get("host") or "").rsplit(":", 1)[0]
            if host not in ("127.0.0.1", "localhost"):
                raise BadRequest("The review page answers only at 127.0.0.1 or localhost.")
            if request.method not in READ_ONLY and not same_origin(request):
                raise HTTPException(
                    403,
                    "This request does not come from the review page itself (the browser named another "
                    "site as its origin, or none). Open the review page and try again from there.",
                )
            return await handler(request)

        return endpoint

    routes = [
        Route("/", guarded(review.index)),
        Route("/theme/{theme}", guarded(review.theme)),
        Route("/theme/{theme}/split", guarded(review.split_preview), methods=["GET"]),
        Route("/theme/{theme}/split", guarded(review.split), methods=["POST"]),
        Route("/theme/{theme}/confirm", guarded(review.confirm), methods=["POST"]),
        Route("/theme/{theme}/rename", guarded(review.rename), methods=["POST"]),
        Route("/theme/{theme}/delete", guarded(review.delete), methods=["POST"]),
        Route("/merge", guarded(review.merge), methods=["POST"]),
        Route("/move", guarded(review.move), methods=["POST"]),
        Route("/undo", guarded(review.undo), methods=["POST"]),
        Route("/apply-file", guarded(review.apply_file), methods=["POST"]),
        Route("/lang/{lang}", guarded(review.language_choice)),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: on_http_error, Exception: on_error})
    return app
