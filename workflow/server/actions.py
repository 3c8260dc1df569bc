"""The four review actions of the interface (approve, accept a suggestion, reject, edit), each through the
same locked compare-and-swap path as the command line (``workflow.review``), signed with the server's key.

:func:`perform` never raises for what a reviewer can cause: it returns an
:class:`Outcome` saying what happened (done, conflict, refused), and the
store's audit log gets every attempt with the client's address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workflow import review
from workflow.config import Config
from workflow.errors import ConflictError, LocumError
from workflow.server.commit import GroupCommit
from workflow.server.i18n import N_

ACTIONS = ("approve", "accept", "reject", "edit")
VIA = "review-server"
SEGMENT_ID = re.compile(r"^[0-9a-f]{8}$")
MAX_TEXT = 20_000       # characters in one submitted field: a segment, not a file

# The server's actions queue here before the project lock, and those queued for one article while a batch is
# written are done together in the next (one read, one write): a thread blocked on a lock is woken when it
# is free, where the project lock (an flock, shared with other Locum commands) is polled every 50 ms.
_BATCHES = GroupCommit()

# What the page says after an action; ids are hexadecimal, so they need no escaping (escaped anyway).
DONE = {
    "approve": N_("Segment %(id)s approved and signed by the review server."),
    "accept": N_("Suggestion %(id)s accepted as it is and approved."),
    "reject": N_("Segment %(id)s rejected; the translator sees your reason."),
    "edit": N_("Your edit of %(id)s was saved and checked again; approve it when it is right."),
}
CONFLICT = N_("Someone saved this catalog after you opened the page: segment %(id)s now reads as shown "
              "below. Nothing was written; read it again and decide.")
BAD_REQUEST = N_("The form was incomplete: reload the page and try again.")
REFUSED = N_("Not done:")
EMPTY_REASON = N_("Say why you reject it: the translator needs a reason to act on.")


@dataclass
class Outcome:
    """What an action did: ``done`` (303 back with a flash), ``conflict`` (409), ``refused`` (422) or
    ``invalid`` (400). ``message`` is a msgid with ``%(id)s``; ``detail`` is the library's own text."""

    kind: str
    action: str
    segment: str
    message: str
    detail: str = ""
    args: dict = field(default_factory=dict)

    @property
    def status(self) -> int:
        return {"done": 303, "conflict": 409, "refused": 422, "invalid": 400}[self.kind]


def fields(form) -> tuple[str, str, str, list[str]]:
    """(segment id, seen digest, reason, msgstrs) from a submitted form; browsers send CRLF in textareas."""
    def text(name: str) -> str:
        return str(form.get(name, ""))[:MAX_TEXT].replace("\r\n", "\n")

    if "msgstr" in form:
        msgstrs = [text("msgstr")]
    else:
        msgstrs = [text(f"msgstr{n}") for n in range(10) if f"msgstr{n}" in form]
    return text("id"), text("seen"), text("reason"), msgstrs


def perform(config: Config, store, email: str, ip: str, catalog: str, slug: str, action: str, form,
            known: dict | None = None) -> Outcome:
    """Run ``action`` for the signed-in reviewer ``email`` on one segment of ``catalog``/``slug``; ``known``:
    parsed catalogs shared with the views (see :func:`workflow.catalogs.read_catalog`)."""
    segment, seen, reason, msgstrs = fields(form)
    if not SEGMENT_ID.match(segment) or not seen or (action == "edit" and not msgstrs):
        outcome = Outcome("invalid", action, segment[:8], BAD_REQUEST)
    elif action == "reject" and not reason.strip():
        outcome = Outcome("refused", action, segment, EMPTY_REASON)
    else:
        return _attempt(config, store, ip, catalog, slug, known,
                        review.Action(action, email, segment, seen, reason, tuple(msgstrs)))
    outcome.args = {"id": outcome.segment}
    store.audit(**audit_line(email, ip, catalog, slug, outcome, reason))
    return outcome


def audit_line(email: str, ip: str, catalog: str, slug: str, outcome: Outcome, reason: str) -> dict:
    """The audit log's line for an attempt (the arguments of :meth:`Store.audit`)."""
    detail = reason if outcome.action == "reject" and outcome.kind == "done" else outcome.detail
    return {"email": email, "action": outcome.action if outcome.kind == "done" else f"{outcome.action}-{outcome.kind}",
            "ip": ip, "catalog": catalog, "article": slug, "segment": outcome.segment, "detail": detail[:500]}


@dataclass(frozen=True)
class _Job:
    action: review.Action
    ip: str


def _attempt(config: Config, store, ip: str, catalog: str, slug: str, known: dict | None,
             action: review.Action) -> Outcome:
    """``action`` done in the next batch for its article, its audit line written with the batch's (one disk
    flush for all of them, before anyone is answered)."""
    def run(jobs: list[_Job]) -> list[Outcome]:
        try:
            errors = review.apply_actions(config, catalog, slug, [job.action for job in jobs],
                                          signer=store.server_signer(), via=VIA, known=known)
        except LocumError as exc:       # the lock held too long, the catalog unreadable: each action is told
            errors = [exc] * len(jobs)
        outcomes = [_outcome(job.action, error) for job, error in zip(jobs, errors)]
        store.audit_all([audit_line(job.action.email, job.ip, catalog, slug, outcome, job.action.reason)
                         for job, outcome in zip(jobs, outcomes)])
        return outcomes

    return _BATCHES.submit((catalog, slug), _Job(action, ip), run)


def _outcome(action: review.Action, error: LocumError | None) -> Outcome:
    kind, segment = action.kind, action.segment
    if isinstance(error, ConflictError):       # review.Conflict, or a translator's save inside the write itself
        outcome = Outcome("conflict", kind, segment, CONFLICT, detail=str(error))
    elif isinstance(error, LocumError):        # not clean, not translated, unknown id, not declared…
        outcome = Outcome("refused", kind, segment, REFUSED, detail=str(error))
    else:
        outcome = Outcome("done", kind, segment, DONE[kind])
    outcome.args = {"id": segment}
    return outcome


def flash_value(outcome: Outcome) -> str:
    """The flash cookie's value: the action and the segment id, nothing a user typed."""
    return f"{outcome.action}.{outcome.segment}"


def flash_message(value: str | None) -> tuple[str, dict] | None:
    """The message (msgid, arguments) a flash cookie asks for, or None if it is not one of ours.

    >>> flash_message("approve.0a1b2c3d")[1], flash_message("approve.<script>"), flash_message(None)
    ({'id': '0a1b2c3d'}, None, None)
    """
    action, _, segment = (value or "").partition(".")
    if action in DONE and SEGMENT_ID.match(segment):
        return DONE[action], {"id": segment}
    return None
