"""The pure row function: one planned credential in, its files (or its errors) out.

:func:`issue_row` reads a credential through its data model and hands it to the output
step; it writes nothing and touches no journal, so it runs the same inline, in a worker
process, or on another machine. What to do with the files (write them, record them) is
the caller's: the batch runner writes them through a :class:`~edc_issue.batch.Sink`.

::

    from edc_issue.batch import RowTask, SignStep, issue_row
    outcome = issue_row(RowTask(2, credential), SignStep("issuer-key.json"))
    outcome.files[0].data if outcome.ok else outcome.errors
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .._types import JsonObject
from ..errors import BatchError, EdcIssueError
from .outputs import OutputFile, OutputStep
from .sources import RowError

__all__ = ["RowOutcome", "RowTask", "RowWork", "issue_row", "issue_rows",
           "validate_with_models"]

@dataclass(frozen=True)
class RowTask:
    """One planned credential: its row number, the credential, and which column filled
    which JSON path (so that a model error can name the column)."""

    row: int
    credential: JsonObject
    columns_by_path: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RowOutcome:
    """The files made for a row (one per suffix of the step), or why it failed."""

    row: int
    files: tuple[OutputFile, ...] = ()
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the row has its files and no error."""
        return not self.errors


def validate_with_models(credential: JsonObject) -> None:
    """Read *credential* through its data model, if it has one: an EDC, an Open Badge
    (an achievement or an endorsement) or a CLR, recognised as
    :func:`edc_issue.formats.detect.kind_of` recognises them.

    Other credentials pass unchecked.

    :raises ModelError: with each problem and its JSON path.
    """
    from ..formats.detect import kind_of

    kind = kind_of(credential)
    if kind == "edc":
        from ..models.edc import EuropeanDigitalCredential

        EuropeanDigitalCredential.model_validate(credential)
    elif kind == "ob3":
        from ..models.ob3 import AchievementCredential, EndorsementCredential

        value = credential.get("type")
        types = value if isinstance(value, list) else [value]
        if "AchievementCredential" in types or "OpenBadgeCredential" in types:
            AchievementCredential.model_validate(credential)
        else:
            EndorsementCredential.model_validate(credential)
    elif kind == "clr":
        from ..models.clr import ClrCredential

        ClrCredential.model_validate(credential)


def _column_for(path: str, columns_by_path: Mapping[str, str]) -> str | None:
    probe = path
    while probe:
        if probe in columns_by_path:
            return columns_by_path[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return None


def _errors_from(exc: EdcIssueError, task: RowTask) -> tuple[RowError, ...]:
    problems = exc.problems or ([(exc.pointer, exc.message)] if exc.pointer else [])
    if not problems:
        return (RowError(task.row, None, str(exc), exc.code),)
    errors = []
    for path, message in problems:
        column = _column_for(path, task.columns_by_path) if path else None
        reason = message if column else (f"{path}: {message}" if path else message)
        errors.append(RowError(task.row, column, reason, exc.code))
    return tuple(errors)


def _internal(task: RowTask, exc: Exception) -> RowOutcome:
    return RowOutcome(task.row, errors=(RowError(
        task.row, None, f"internal error: {type(exc).__name__}: {exc}", "batch.internal"),))


def _checked(task: RowTask, files: Sequence[OutputFile], outputs: OutputStep) -> RowOutcome:
    expected = len(outputs.suffixes)
    if len(files) != expected:
        raise BatchError(f"the output step returned {len(files)} files, expected {expected}",
                         code="batch.signer_output")
    return RowOutcome(task.row, files=tuple(files))


def issue_row(task: RowTask, outputs: OutputStep, *, validate: bool = True) -> RowOutcome:
    """Make the files of one row; write nothing.

    :param outputs: the step that signs, seals or bakes (:class:`~edc_issue.batch.SignStep`...).
    :param validate: read the credential through its data model first (EDC, Open Badges).
    :returns: the files, or the row's errors (each naming its column where one filled the
        path at fault). It never raises for a bad row: one bad row never stops a batch.
    """
    try:
        if validate:
            validate_with_models(task.credential)
        return _checked(task, outputs(task.credential), outputs)
    except EdcIssueError as exc:
        return RowOutcome(task.row, errors=_errors_from(exc, task))
    except Exception as exc:  # one bad row must never stop the batch
        return _internal(task, exc)


def issue_rows(tasks: Sequence[RowTask], outputs: OutputStep, *,
               validate: bool = True) -> list[RowOutcome]:
    """Make the files of several rows, in order; like :func:`issue_row` for each.

    A step with ``call_group`` (:class:`~edc_issue.batch.GroupOutputStep`) gets the
    credentials that passed validation in one call.
    """
    call_group = getattr(outputs, "call_group", None)
    if call_group is None:
        return [issue_row(task, outputs, validate=validate) for task in tasks]
    outcomes: list[RowOutcome | None] = [None] * len(tasks)
    ready: list[int] = []
    for position, task in enumerate(tasks):
        try:
            if validate:
                validate_with_models(task.credential)
            ready.append(position)
        except EdcIssueError as exc:
            outcomes[position] = RowOutcome(task.row, errors=_errors_from(exc, task))
        except Exception as exc:
            outcomes[position] = _internal(task, exc)
    if ready:
        try:
            results = call_group([tasks[p].credential for p in ready])
            if len(results) != len(ready):
                raise BatchError(f"the output step returned {len(results)} results for "
                                 f"{len(ready)} credentials", code="batch.signer_output")
        except Exception as exc:  # the group call failed: each of its rows fails with it
            results = [exc] * len(ready)
        for position, result in zip(ready, results, strict=True):
            task = tasks[position]
            try:
                if isinstance(result, BaseException):
                    raise result
                outcomes[position] = _checked(task, result, outputs)
            except EdcIssueError as exc:
                outcomes[position] = RowOutcome(task.row, errors=_errors_from(exc, task))
            except Exception as exc:
                outcomes[position] = _internal(task, exc)
    return [o for o in outcomes if o is not None]


@dataclass(frozen=True)
class RowWork:
    """What every chunk of a batch needs (sent once to each worker): the step and options."""

    outputs: OutputStep
    validate: bool = True

    def run(self, tasks: Sequence[RowTask]) -> list[RowOutcome]:
        """:func:`issue_rows` for one chunk."""
        return issue_rows(tasks, self.outputs, validate=self.validate)
