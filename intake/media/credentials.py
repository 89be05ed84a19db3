"""Content credentials (C2PA): read and validated with ``c2pa-python`` in a decoder process.

The manifest store a camera, an editor or a generator embedded is checked (the claim's
signature, the hashes binding it to the pictures, the signer's certificate against the
newsroom's trust anchors: nothing is fetched, neither OCSP nor remote manifests) and
summed up in plain data: ``status`` (``valid``, ``broken`` or ``unknown_signer``), who
signed and with what tool, when, the recorded actions (with whether an AI model
generated the content), the ingredients and the failure codes.
"""

from __future__ import annotations

import json
from typing import Any

import c2pa

READABLE = {
    "image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "image/gif",
    "video/mp4", "video/x-m4v", "video/quicktime",
}  # fmt: skip
AI_SOURCE_TYPES = {
    "trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia",
    "algorithmicMedia", "compositeSynthetic", "trainedAlgorithmicData",
}  # fmt: skip
"""IPTC digital source types meaning a model made (part of) the content."""
UNTRUSTED = {"signingCredential.untrusted", "signingCredential.invalid"}
"""Failures that say only that the signer is not one the newsroom trusts."""
CAPTURE_ACTIONS = {"c2pa.created"}
MAX_LISTED = 20


def _context(trust_anchors: str) -> c2pa.Context:
    settings: dict[str, Any] = {
        "verify": {"verify_trust": True, "ocsp_fetch": False, "remote_manifest_fetch": False},
    }
    if trust_anchors:
        settings["trust"] = {"trust_anchors": trust_anchors}
    return c2pa.Context.from_dict(settings)


def _tool(manifest: dict[str, Any]) -> str:
    infos = manifest.get("claim_generator_info") or []
    for info in infos:
        if isinstance(info, dict) and info.get("name"):
            version = info.get("version")
            return f"{info['name']} {version}" if version else str(info["name"])
    return str(manifest.get("claim_generator", ""))


def _source_type(action: dict[str, Any]) -> str:
    value = str(action.get("digitalSourceType", ""))
    return value.rstrip("/").rsplit("/", 1)[-1]


def _agent(action: dict[str, Any]) -> str:
    agent = action.get("softwareAgent")
    if isinstance(agent, dict):
        return str(agent.get("name", ""))
    return str(agent or "")


def _actions(manifest: dict[str, Any]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            entry = {"action": str(action.get("action", "")).removeprefix("c2pa.")}
            if agent := _agent(action):
                entry["software"] = agent
            if source := _source_type(action):
                entry["digital_source_type"] = source
            if when := action.get("when"):
                entry["when"] = str(when)
            found.append(entry)
    return found[:MAX_LISTED]


def _status(store: dict[str, Any]) -> tuple[str, list[str]]:
    results = (store.get("validation_results") or {}).get("activeManifest") or {}
    failures = [str(f.get("code", "")) for f in results.get("failure") or []]
    if not results:
        failures = [str(f.get("code", "")) for f in store.get("validation_status") or []]
    if store.get("validation_state") == "Trusted" and not failures:
        return "valid", failures
    if failures and all(code in UNTRUSTED for code in failures):
        return "unknown_signer", failures
    return ("broken" if failures else "unknown_signer"), failures


def summarize(store: dict[str, Any]) -> dict[str, Any]:
    """The manifest store (``Reader.json()``) in the words moderators need."""
    manifest = (store.get("manifests") or {}).get(store.get("active_manifest", "")) or {}
    status, failures = _status(store)
    signature = manifest.get("signature_info") or {}
    actions = _actions(manifest)
    credentials: dict[str, Any] = {
        "status": status,
        "signer": str(signature.get("common_name") or signature.get("issuer") or ""),
        "issuer": str(signature.get("issuer", "")),
        "tool": _tool(manifest),
        "actions": actions,
        "ai_generated": any(a.get("digital_source_type") in AI_SOURCE_TYPES for a in actions),
        "ingredients": [
            {"title": str(i.get("title", "")), "relationship": str(i.get("relationship", ""))}
            for i in (manifest.get("ingredients") or [])[:MAX_LISTED]
        ],
        "failures": failures[:MAX_LISTED],
    }
    if signed_at := signature.get("time"):
        credentials["signed_at"] = str(signed_at)
    captured = [a.get("when", "") for a in actions if "c2pa." + a["action"] in CAPTURE_ACTIONS]
    if captured and captured[0]:
        credentials["captured_at"] = captured[0]
    return credentials


def read_credentials(path: str, mime: str, trust_anchors: str) -> dict[str, Any] | None:
    """The file's content credentials, or ``None`` when it carries none. A manifest that
    cannot even be parsed is ``broken``."""
    if mime not in READABLE:
        return None
    try:
        with open(path, "rb") as stream:
            reader = c2pa.Reader.try_create(mime, stream, context=_context(trust_anchors))
            if reader is None:
                return None
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError as exc:
        return {"status": "broken", "signer": "", "issuer": "", "tool": "", "actions": [],
                "ai_generated": False, "ingredients": [],
                "failures": [f"{type(exc).__name__}: {exc}"[:200]]}  # fmt: skip
    return summarize(store)
