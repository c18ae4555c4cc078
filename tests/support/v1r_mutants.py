"""TEDAPI v1r's signature checks broken, as a firmware bug would break them: each a rewrite of the request.

The served gateway's own checks stay as they are; the mutant changes what reaches them. It knows the
private keys the test registered (``keys``, by public key DER), so where a broken gateway would accept a
request, the mutant signs it again so the real checks accept it too:

* ``accepts a bad signature``: a request by a registered key whose signature does not verify is signed
  again, right (the same expiry);
* ``ignores expiry``: a rightly signed request whose expiry is past (or too far ahead) is signed again with a
  fresh one;
* ``ignores the DIN``: a request signed for the DIN its envelope names rather than this gateway's -- the
  gateway trusts the DIN the request brings -- is signed again for this gateway;
* ``answers an unverified key``: a registered key not yet verified is verified before its request is read;
* ``ignores the config.json hash``: a rightly signed config.json write gets the file's current hash (and is
  signed again), so a stale one no longer refuses it;

and the commands acknowledged but not carried out, each rewritten into one that changes nothing (and signed
again), so the gateway still answers the member the client waits for:

* ``acks island mode without actuating`` (a documented field failure): island mode 6 becomes mode 1, which a
  site on the grid acknowledges and stays on it;
* ``acks a setpoint without acting``: a battery setpoint becomes a resume;
* ``resume keeps the setpoint``: a resume becomes the active setpoint again, for the time it had left;
* ``keeps a removed key``: a removal names no key of the table (acknowledged, as a removal always is);

and the commands refused where the clients need them acknowledged, each rewritten into a malformed one the
gateway refuses (``common.error_response``) without a change:

* ``refuses a cancel with nothing scheduled``: pypowerwall requires the cancel's acknowledgement then too;
* ``refuses a resume with no setpoint``: both clients require the resume's acknowledgement then too.

A request by a key the mutant does not know (the suite's unknown key) is never changed.
"""

from __future__ import annotations

import math
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from google.protobuf.message import DecodeError

from emulator.contract.v1r import TTL_S, SigningKey, personalization
from emulator.device.authorized_clients import KeyState
from emulator.device.gateway import Gateway
from emulator.tedapi import signed
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi import teg_emulator_v1r_pb2 as v1r
from emulator.tedapi.commands.reads import blob_hash, config_blob
from emulator.tedapi.dispatch import V1R, Call, site_of

BAD_SIGNATURE = "accepts a bad signature"
EXPIRY = "ignores expiry"
DIN = "ignores the DIN"
UNVERIFIED = "answers an unverified key"
STALE_HASH = "ignores the config.json hash"
ISLAND_NOT_ACTUATED = "acks island mode without actuating"
SETPOINT_IGNORED = "acks a setpoint without acting"
RESUME_KEEPS = "resume keeps the setpoint"
KEY_KEPT = "keeps a removed key"
CANCEL_NOTHING_REFUSED = "refuses a cancel with nothing scheduled"
RESUME_NOTHING_REFUSED = "refuses a resume with no setpoint"


def rewrite(kind: str, body: bytes, gateway: Gateway, keys: dict[bytes, SigningKey]) -> bytes:
    """``body`` as the mutant ``kind`` lets it through to the gateway's own checks."""
    message = v1r.RoutableMessage()
    try:
        message.ParseFromString(body)
    except DecodeError:
        return body
    signer = bytes(message.signature_data.signer_identity.public_key)
    if kind == UNVERIFIED:
        client = gateway.authorized_clients.find(signer)
        if client is not None and gateway.authorized_clients.state(client) is not KeyState.VERIFIED:
            gateway.authorized_clients.add(client.key, verified=True)
        return body
    key = keys.get(signer)
    if key is None or message.signature_data.WhichOneof("sig_type") != "rsa_data":
        return body
    rsa_data = message.signature_data.rsa_data
    din = site_of(gateway, gateway.snapshot()).din
    envelope = message.protobuf_message_as_bytes
    good = _verifies(key, rsa_data.signature, personalization(din, rsa_data.expires_at, envelope))
    now = time.time()
    if kind == BAD_SIGNATURE and not good:
        _sign(message, key, din, rsa_data.expires_at)
    elif kind == EXPIRY and good and not now - signed.EXPIRY_SKEW_S <= rsa_data.expires_at <= now + signed.MAX_TTL_S:
        _sign(message, key, din, int(now) + TTL_S)
    elif kind == DIN and not good:
        named = _recipient(envelope)
        if named and _verifies(key, rsa_data.signature, personalization(named, rsa_data.expires_at, envelope)):
            _sign(message, key, din, rsa_data.expires_at)
    elif kind == STALE_HASH and good:
        unlocked = _unlocked(envelope, gateway)
        if unlocked is not None:
            message.protobuf_message_as_bytes = unlocked
            _sign(message, key, din, rsa_data.expires_at)
    elif kind in _NOT_CARRIED_OUT and good:
        changed = _command_changed(kind, envelope, gateway)
        if changed is not None:
            message.protobuf_message_as_bytes = changed
            _sign(message, key, din, rsa_data.expires_at)
    data: bytes = message.SerializeToString()
    return data


def _sign(message: v1r.RoutableMessage, key: SigningKey, din: str, expires_at: int) -> None:
    rsa_data = message.signature_data.rsa_data
    rsa_data.expires_at = expires_at
    rsa_data.signature = key.sign(personalization(din, expires_at, message.protobuf_message_as_bytes))


def _verifies(key: SigningKey, signature: bytes, data: bytes) -> bool:
    try:
        key.private.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA512())
    except InvalidSignature:
        return False
    return True


def _unlocked(envelope: bytes, gateway: Gateway) -> bytes | None:
    """A config.json write carrying the hash of the file as it is now, whatever hash it came with; None otherwise."""
    parsed = pb.Envelope()
    try:
        parsed.ParseFromString(envelope)
    except DecodeError:
        return None
    if parsed.WhichOneof("payload") != "filestore" or parsed.filestore.WhichOneof("message") != "update_file_request":
        return None
    snap = gateway.snapshot()
    site = site_of(gateway, snap)
    parsed.filestore.update_file_request.hash = blob_hash(config_blob(Call(gateway, snap, site, site.din, V1R)))
    data: bytes = parsed.SerializeToString()
    return data


def _command_changed(kind: str, envelope: bytes, gateway: Gateway) -> bytes | None:
    """The command ``envelope`` carries, as ``kind`` carries it out (None: a command it leaves alone)."""
    parsed = pb.Envelope()
    try:
        parsed.ParseFromString(envelope)
    except DecodeError:
        return None
    teg, authorization = parsed.teg, parsed.authorization
    member = getattr(parsed, parsed.WhichOneof("payload") or "teg").WhichOneof("message")
    dispatch = teg.dispatch_battery_power_request
    if kind == ISLAND_NOT_ACTUATED and member == "set_island_mode_request" and teg.set_island_mode_request.mode == 6:
        teg.set_island_mode_request.mode = 1
    elif kind == SETPOINT_IGNORED and member == "dispatch_battery_power_request" and dispatch.HasField("real_power"):
        dispatch.resume_device_mode.SetInParent()
    elif (
        kind == RESUME_KEEPS and member == "dispatch_battery_power_request" and dispatch.HasField("resume_device_mode")
    ):
        snap = gateway.snapshot()
        setpoint = snap.site_controls.setpoint
        if setpoint is None or setpoint.until <= snap.t:
            return None
        dispatch.real_power.power_watts = setpoint.power_w
        dispatch.real_power.duration_seconds = math.ceil(setpoint.until - snap.t)
    elif kind == KEY_KEPT and member == "remove_authorized_client_request":
        authorization.remove_authorized_client_request.public_key = b"no key of the table"
    elif kind == CANCEL_NOTHING_REFUSED and member == "cancel_manual_backup_event_request":
        if gateway.snapshot().site_controls.backup_event is not None:
            return None
        teg.schedule_manual_backup_event_request.scheduling_info.duration_seconds = 0  # refused: lasts 0 s
    elif kind == RESUME_NOTHING_REFUSED and member == "dispatch_battery_power_request":
        snap = gateway.snapshot()
        setpoint = snap.site_controls.setpoint
        if not dispatch.HasField("resume_device_mode") or (setpoint is not None and setpoint.until > snap.t):
            return None
        dispatch.Clear()  # refused: a dispatch names a setpoint or a resume
        dispatch.SetInParent()
    else:
        return None
    data: bytes = parsed.SerializeToString()
    return data


_NOT_CARRIED_OUT = (
    ISLAND_NOT_ACTUATED,
    SETPOINT_IGNORED,
    RESUME_KEEPS,
    KEY_KEPT,
    CANCEL_NOTHING_REFUSED,
    RESUME_NOTHING_REFUSED,
)


def _recipient(envelope: bytes) -> str:
    parsed = pb.Envelope()
    try:
        parsed.ParseFromString(envelope)
    except DecodeError:
        return ""
    return parsed.recipient.din if parsed.recipient.WhichOneof("id") == "din" else ""
