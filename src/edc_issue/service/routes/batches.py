"""Batch jobs over HTTP: a template and a spreadsheet in, a job that issues one credential
per row (``edc-issue issue`` on the server), its state, its report and its outputs.

- ``POST /instance/{tenant}/batches`` (``write:/batches``): a multipart form with the
  parts ``template`` (the JSON template) and ``data`` (a ``.csv``, ``.xlsx`` or ``.jsonl``
  file), and optional fields ``mode`` (``sign``, the default, or ``seal`` for EDCs),
  ``suite``, ``keyColumn``, ``nameFrom``, ``sheet``, ``delimiter``, ``validate``
  (``false`` to skip the data-model check) → 202 with ``Location`` and the job's state.
  The template and the data's header are checked before the job is queued (400 naming
  the part).
- ``GET /instance/{tenant}/batches/{id}`` (``read:/batches``): the state (``queued``,
  ``running``, ``done``, ``failed``), the counts, the links;
  ``GET .../{id}/report``: ``report.json`` of the job; ``GET .../{id}/outputs``: a zip of
  the credentials with ``report.csv`` and ``report.json`` (409 until the job is done).
- The EU issuer's ``POST /api/v1/public/credentials/seal_batch`` (HTTP Basic or a bearer
  token with ``write:/credentials/seal``): a multipart ``_file`` (or a JSON body) holding
  an array of uploads ``{credential, deliveryDetails}`` → 202 with the job; each is sealed
  with the tenant's e-seal as ``/credentials/seal`` seals one.

Jobs are run by :mod:`edc_issue.service._jobs` (persisted, claimed by one process,
resumed after a restart).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...errors import EdcIssueError
from .. import _jobs
from .._errors import ServiceError
from .._http import parse_json
from .._service import Service
from ._common import PROBLEM, bad_request, register, service_of

__all__ = ["router", "start_runner"]

router = APIRouter()

_DATA_SUFFIXES = (".csv", ".xlsx", ".jsonl")
_OPTIONS = ("mode", "suite", "keyColumn", "nameFrom", "sheet", "delimiter", "validate")

_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object",
    "properties": {
        "template": {"type": "string", "format": "binary",
                     "description": "the credential template (JSON with {{column}})"},
        "data": {"type": "string", "format": "binary",
                 "description": "the rows: a .csv, .xlsx or .jsonl file"},
        "mode": {"type": "string", "enum": ["sign", "seal"]},
        "suite": {"type": "string", "enum": ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc-jwt"]},
        "keyColumn": {"type": "string"}, "nameFrom": {"type": "string"},
        "sheet": {"type": "string"}, "delimiter": {"type": "string"},
        "validate": {"type": "string", "enum": ["true", "false"]},
    },
    "required": ["template", "data"]}}}}}

_JOB: dict[int | str, dict[str, Any]] = {
    202: {"description": "The job, queued (its URL in Location)"}}


def start_runner(service: Service) -> _jobs.JobRunner:
    """Start this process's batch runner (called at start-up, after the migrations)."""
    from .. import _core

    if not _core._TENANTS:  # the runner seals here when the work pool is in processes
        _core.init_worker(service._keys)
    runner = _jobs.JobRunner(
        service.engine, service.config.data_dir, service._keys, status=service.status,
        purposes=lambda tenant: service.tenant(tenant).config.status_purposes,
        processes=1 if service.config.limits.pool_workers > 0 else 0)
    runner.start()
    return runner


def _wake(request: Request) -> None:
    runner = getattr(request.app.state, "batch_runner", None)
    if runner is not None:
        runner.wake()


def _accepted(request: Request, service: Service, tenant: str, job_id: str) -> Response:
    row = _jobs.job_state(service.engine, tenant, job_id)
    assert row is not None
    body = _jobs.job_json(row, service.tenant_url(tenant))
    return JSONResponse(body, status_code=202, headers={
        "Location": f"/instance/{tenant}/batches/{job_id}"})


async def _form(request: Request, max_bytes: int) -> Any:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ServiceError("a batch is a multipart/form-data upload (template, data)",
                           code="service.unsupported_media_type", status=415)
    try:
        return await request.form(max_files=4, max_fields=20, max_part_size=max_bytes)
    except Exception as exc:  # the multipart parser's errors: a malformed form
        raise bad_request(f"the multipart form cannot be read ({type(exc).__name__})",
                          "/data") from None


async def _part(form: Any, name: str) -> tuple[str, bytes]:
    part = form.get(name)
    if isinstance(part, UploadFile):
        return part.filename or name, await part.read()
    if isinstance(part, str) and part:
        return name, part.encode("utf-8")
    raise bad_request(f"the form has no part {name!r}", f"/{name}")


def _check(template_text: bytes, data_name: str, data: bytes, options: dict[str, Any],
           max_depth: int) -> str:
    """Check the template and the data's header; return the template as JSON text."""
    from ...batch import Template, open_rows

    document = parse_json(template_text, max_depth=max_depth, what="the template part")
    if not isinstance(document, dict):
        raise bad_request("the template must be a JSON object", "/template")
    try:
        template = Template(document, key_column=options.get("keyColumn"))
    except EdcIssueError as exc:
        raise bad_request(f"the template cannot be used: {exc.message} [{exc.code}]",
                          "/template") from None
    suffix = Path(data_name).suffix.lower()
    if suffix not in _DATA_SUFFIXES:
        raise bad_request(f"the data file must be .csv, .xlsx or .jsonl, found "
                          f"{data_name[:80]!r}", "/data")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"data{suffix}"
        path.write_bytes(data)
        try:
            rows = open_rows(path, sheet=options.get("sheet"),
                             delimiter=options.get("delimiter"))
            columns = rows.columns
            template.check_columns(columns, data_source="the data part")
            for option in ("nameFrom",):
                if options.get(option) and options[option] not in columns:
                    raise bad_request(f"{option} {options[option]!r} is not a column of the "
                                      "data", f"/{option}")
        except EdcIssueError as exc:
            if isinstance(exc, ServiceError):
                raise
            raise bad_request(f"the data cannot be used: {exc.message} [{exc.code}]",
                              "/data") from None
        finally:
            close = getattr(locals().get("rows"), "close", None)
            if callable(close):
                close()
    return json.dumps(document, ensure_ascii=False)


async def submit_batch(request: Request, tenant: str) -> Response:
    """Queue a batch job: a template and a CSV/XLSX/JSONL upload → 202 with ``Location``."""
    service = service_of(request)
    principal = service.authorize(request, tenant, "write:/batches")
    limits = service.config.limits
    form = await _form(request, limits.max_body_bytes)
    try:
        _, template_text = await _part(form, "template")
        data_name, data = await _part(form, "data")
        options: dict[str, Any] = {}
        for name in _OPTIONS:
            value = form.get(name)
            if isinstance(value, str) and value:
                options[name] = value
    finally:
        await form.close()
    if options.get("mode", "sign") not in ("sign", "seal"):
        raise bad_request("mode is sign or seal", "/mode")
    if options.get("validate") not in (None, "true", "false"):
        raise bad_request("validate is true or false", "/validate")
    options["validate"] = options.get("validate", "true") == "true"
    if options.get("delimiter") is not None and len(options["delimiter"]) != 1:
        raise bad_request("delimiter is one character", "/delimiter")
    config = service.tenant(tenant)
    if options.get("mode") == "seal" and not config.has_seal:
        raise ServiceError(f"the tenant {tenant!r} has no e-seal configured",
                           code="service.no_seal", status=409)
    text = await anyio.to_thread.run_sync(
        lambda: _check(template_text, data_name, data, options, limits.max_json_depth))
    job_id = await anyio.to_thread.run_sync(lambda: _jobs.new_job(
        service.engine, tenant=tenant, kind="batch", template=text, data_name=data_name,
        data=data, options=options, actor=principal.actor if principal else None))
    _wake(request)
    return _accepted(request, service, tenant, job_id)


def _job_or_404(service: Service, tenant: str, job_id: str) -> dict[str, Any]:
    row = _jobs.job_state(service.read_engine, tenant, job_id)
    if row is None:
        raise ServiceError(f"there is no batch job {job_id[:40]!r}", code="service.not_found",
                           status=404)
    return row


def _job_id(request: Request) -> str:
    return str(request.path_params["job_id"])


async def get_batch(request: Request, tenant: str) -> Response:
    """A batch job's state: ``queued``, ``running``, ``done`` or ``failed``, with its counts."""
    service = service_of(request)
    service.authorize(request, tenant, "read:/batches")
    job_id = _job_id(request)
    row = await anyio.to_thread.run_sync(lambda: _job_or_404(service, tenant, job_id))
    return JSONResponse(_jobs.job_json(row, service.tenant_url(tenant)),
                        headers={"Cache-Control": "no-store"})


async def _finished(request: Request, tenant: str, column: str) -> Any:
    service = service_of(request)
    service.authorize(request, tenant, "read:/batches")
    job_id = _job_id(request)
    found = await anyio.to_thread.run_sync(
        lambda: _jobs.job_blob(service.read_engine, tenant, job_id, column))
    if found is None:
        raise ServiceError(f"there is no batch job {job_id[:40]!r}", code="service.not_found",
                           status=404)
    state, value = found
    if state != "done" or value is None:
        raise ServiceError(f"the batch job is {state}; its {column} is there when it is done",
                           code="service.batch_not_finished", status=409)
    return value


async def get_report(request: Request, tenant: str) -> Response:
    """The job's ``report.json``: one entry per row (issued, skipped, failed) and the summary."""
    text = await _finished(request, tenant, "report")
    return Response(str(text).encode("utf-8"), media_type="application/json")


async def get_outputs(request: Request, tenant: str) -> Response:
    """The job's credentials with ``report.csv`` and ``report.json``, as a zip."""
    data = await _finished(request, tenant, "outputs")
    job_id = _job_id(request)
    return Response(bytes(data), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="batch-{job_id}.zip"'})


register(router, "/batches", submit_batch, methods=["POST"], name="submitBatch",
         summary="Queue a batch job (template and CSV/XLSX/JSONL)", status_code=202,
         tags=["Batches"], openapi_extra=_FORM, responses=_JOB, default_too=True)
# the handlers read job_id from the path themselves (register's handlers take the tenant)
_JOB_ID: dict[str, Any] = {"parameters": [{"name": "job_id", "in": "path", "required": True,
                                           "schema": {"type": "string"}}]}
register(router, "/batches/{job_id}", get_batch, methods=["GET"], name="getBatch",
         summary="A batch job's state", tags=["Batches"], openapi_extra=_JOB_ID)
register(router, "/batches/{job_id}/report", get_report, methods=["GET"], name="getBatchReport",
         summary="A batch job's report", tags=["Batches"], openapi_extra=_JOB_ID)
register(router, "/batches/{job_id}/outputs", get_outputs, methods=["GET"],
         name="getBatchOutputs", summary="A batch job's outputs (zip)", tags=["Batches"],
         openapi_extra=_JOB_ID,
         responses={200: {"description": "The credentials and the report",
                          "content": {"application/zip": {}}}})


# ---- the EU issuer's seal_batch --------------------------------------------------------


async def seal_batch(request: Request) -> Response:
    """Seal many EDCs as a job (EU issuer API): 202 with the job."""
    from .eu import _read_upload

    service = service_of(request)
    principal = service.principal(request, basic=True)
    if principal is None:
        raise ServiceError("sealing needs HTTP Basic credentials or a bearer token",
                           code="service.unauthorized", status=401,
                           headers={"WWW-Authenticate": 'Basic realm="edc-issue"'})
    tenant = service.seal_tenant(principal)
    service.authorize(request, tenant.name, "write:/credentials/seal", basic=True)
    if not tenant.has_seal:
        raise ServiceError(f"the tenant {tenant.name!r} has no e-seal configured",
                           code="service.no_seal", status=409)
    seal = tenant.config.seal
    if seal is not None and seal.password_env is None and request.query_params.get("password"):
        raise bad_request("a batch is sealed after the request, and a password given with a "
                          "request is never stored: hold the seal's password on the server "
                          "(seal.password_env)", "/password")
    limits = service.config.limits
    document = await _read_upload(request, limits.max_json_depth, limits.max_body_bytes)
    items = document if isinstance(document, list) else (
        document.get("credentials") if isinstance(document, dict) else None)
    if not isinstance(items, list) or not items:
        raise bad_request("the file must hold a JSON array of {credential, deliveryDetails}",
                          "/_file")
    for i, item in enumerate(items):
        if not isinstance(item, dict) or (
                "credential" in item and not isinstance(item["credential"], dict)):
            raise bad_request("each entry is an object {credential, deliveryDetails}",
                              f"/_file/{i}")
    data = json.dumps(items, ensure_ascii=False).encode("utf-8")
    job_id = await anyio.to_thread.run_sync(lambda: _jobs.new_job(
        service.engine, tenant=tenant.name, kind="seal_batch", template="{}",
        data_name="seal_batch.json", data=data, options={},
        actor=principal.actor if principal else None))
    _wake(request)
    return _accepted(request, service, tenant.name, job_id)


router.add_api_route("/api/v1/public/credentials/seal_batch", seal_batch, methods=["POST"],
                     operation_id="euSealBatchV1", summary="Seal EDCs as a job (EU issuer API)",
                     tags=["EDC sealing"], response_class=Response, status_code=202,
                     openapi_extra={"requestBody": {"required": True, "content": {
                         "multipart/form-data": {"schema": {"type": "object", "properties": {
                             "_file": {"type": "string", "format": "binary"}},
                             "required": ["_file"]}},
                         "application/json": {"schema": {"type": "array",
                                                         "items": {"type": "object"}}}}}},
                     responses={**PROBLEM, **_JOB})
