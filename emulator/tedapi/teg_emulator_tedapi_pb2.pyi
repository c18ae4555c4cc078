from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Frame(_message.Message):
    __slots__ = ("envelope", "tail")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    TAIL_FIELD_NUMBER: _ClassVar[int]
    envelope: Envelope
    tail: Tail
    def __init__(self, envelope: _Optional[_Union[Envelope, _Mapping]] = ..., tail: _Optional[_Union[Tail, _Mapping]] = ...) -> None: ...

class Tail(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: int
    def __init__(self, value: _Optional[int] = ...) -> None: ...

class Envelope(_message.Message):
    __slots__ = ("delivery_channel", "sender", "recipient", "system", "file", "query")
    DELIVERY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    delivery_channel: int
    sender: Participant
    recipient: Participant
    system: SystemMessages
    file: FileMessages
    query: QueryMessages
    def __init__(self, delivery_channel: _Optional[int] = ..., sender: _Optional[_Union[Participant, _Mapping]] = ..., recipient: _Optional[_Union[Participant, _Mapping]] = ..., system: _Optional[_Union[SystemMessages, _Mapping]] = ..., file: _Optional[_Union[FileMessages, _Mapping]] = ..., query: _Optional[_Union[QueryMessages, _Mapping]] = ...) -> None: ...

class Participant(_message.Message):
    __slots__ = ("din", "tesla_service", "local", "authorized_client")
    DIN_FIELD_NUMBER: _ClassVar[int]
    TESLA_SERVICE_FIELD_NUMBER: _ClassVar[int]
    LOCAL_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZED_CLIENT_FIELD_NUMBER: _ClassVar[int]
    din: str
    tesla_service: int
    local: int
    authorized_client: int
    def __init__(self, din: _Optional[str] = ..., tesla_service: _Optional[int] = ..., local: _Optional[int] = ..., authorized_client: _Optional[int] = ...) -> None: ...

class SystemMessages(_message.Message):
    __slots__ = ("info_request", "info")
    INFO_REQUEST_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    info_request: InfoRequest
    info: SystemInfo
    def __init__(self, info_request: _Optional[_Union[InfoRequest, _Mapping]] = ..., info: _Optional[_Union[SystemInfo, _Mapping]] = ...) -> None: ...

class InfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SystemInfo(_message.Message):
    __slots__ = ("device", "din", "version", "update", "device_type", "radios", "installed_firmware_signature", "offline_firmware_signature")
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    DIN_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RADIOS_FIELD_NUMBER: _ClassVar[int]
    INSTALLED_FIRMWARE_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    OFFLINE_FIRMWARE_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    device: EcuId
    din: str
    version: FirmwareVersion
    update: SystemUpdate
    device_type: int
    radios: Radios
    installed_firmware_signature: bytes
    offline_firmware_signature: bytes
    def __init__(self, device: _Optional[_Union[EcuId, _Mapping]] = ..., din: _Optional[str] = ..., version: _Optional[_Union[FirmwareVersion, _Mapping]] = ..., update: _Optional[_Union[SystemUpdate, _Mapping]] = ..., device_type: _Optional[int] = ..., radios: _Optional[_Union[Radios, _Mapping]] = ..., installed_firmware_signature: _Optional[bytes] = ..., offline_firmware_signature: _Optional[bytes] = ...) -> None: ...

class EcuId(_message.Message):
    __slots__ = ("part_number", "serial_number")
    PART_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    part_number: str
    serial_number: str
    def __init__(self, part_number: _Optional[str] = ..., serial_number: _Optional[str] = ...) -> None: ...

class FirmwareVersion(_message.Message):
    __slots__ = ("text", "githash")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    GITHASH_FIELD_NUMBER: _ClassVar[int]
    text: str
    githash: bytes
    def __init__(self, text: _Optional[str] = ..., githash: _Optional[bytes] = ...) -> None: ...

class SystemUpdate(_message.Message):
    __slots__ = ("handshake_result", "update_status", "staged_version", "total_bytes", "bytes_offset")
    HANDSHAKE_RESULT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_STATUS_FIELD_NUMBER: _ClassVar[int]
    STAGED_VERSION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    BYTES_OFFSET_FIELD_NUMBER: _ClassVar[int]
    handshake_result: int
    update_status: int
    staged_version: FirmwareVersion
    total_bytes: int
    bytes_offset: int
    def __init__(self, handshake_result: _Optional[int] = ..., update_status: _Optional[int] = ..., staged_version: _Optional[_Union[FirmwareVersion, _Mapping]] = ..., total_bytes: _Optional[int] = ..., bytes_offset: _Optional[int] = ...) -> None: ...

class Radios(_message.Message):
    __slots__ = ("radio",)
    RADIO_FIELD_NUMBER: _ClassVar[int]
    radio: _containers.RepeatedCompositeFieldContainer[Radio]
    def __init__(self, radio: _Optional[_Iterable[_Union[Radio, _Mapping]]] = ...) -> None: ...

class Radio(_message.Message):
    __slots__ = ("company", "model", "fcc_id", "ic_id")
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    FCC_ID_FIELD_NUMBER: _ClassVar[int]
    IC_ID_FIELD_NUMBER: _ClassVar[int]
    company: Text
    model: Text
    fcc_id: Text
    ic_id: Text
    def __init__(self, company: _Optional[_Union[Text, _Mapping]] = ..., model: _Optional[_Union[Text, _Mapping]] = ..., fcc_id: _Optional[_Union[Text, _Mapping]] = ..., ic_id: _Optional[_Union[Text, _Mapping]] = ...) -> None: ...

class Text(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: str
    def __init__(self, value: _Optional[str] = ...) -> None: ...

class FileMessages(_message.Message):
    __slots__ = ("read", "content")
    READ_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    read: FileRead
    content: FileContent
    def __init__(self, read: _Optional[_Union[FileRead, _Mapping]] = ..., content: _Optional[_Union[FileContent, _Mapping]] = ...) -> None: ...

class FileRead(_message.Message):
    __slots__ = ("domain", "name")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    domain: int
    name: str
    def __init__(self, domain: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class FileContent(_message.Message):
    __slots__ = ("file", "hash")
    FILE_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    file: File
    hash: bytes
    def __init__(self, file: _Optional[_Union[File, _Mapping]] = ..., hash: _Optional[bytes] = ...) -> None: ...

class File(_message.Message):
    __slots__ = ("name", "text")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    name: str
    text: str
    def __init__(self, name: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class QueryMessages(_message.Message):
    __slots__ = ("request", "response")
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    request: QueryRequest
    response: QueryResponse
    def __init__(self, request: _Optional[_Union[QueryRequest, _Mapping]] = ..., response: _Optional[_Union[QueryResponse, _Mapping]] = ...) -> None: ...

class QueryRequest(_message.Message):
    __slots__ = ("format", "signed", "signature", "variables")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SIGNED_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    format: int
    signed: bytes
    signature: bytes
    variables: Text
    def __init__(self, format: _Optional[int] = ..., signed: _Optional[bytes] = ..., signature: _Optional[bytes] = ..., variables: _Optional[_Union[Text, _Mapping]] = ...) -> None: ...

class SignedQuery(_message.Message):
    __slots__ = ("version", "text")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    version: int
    text: bytes
    def __init__(self, version: _Optional[int] = ..., text: _Optional[bytes] = ...) -> None: ...

class QueryResponse(_message.Message):
    __slots__ = ("status", "data", "errors")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    status: int
    data: str
    errors: _containers.RepeatedCompositeFieldContainer[QueryError]
    def __init__(self, status: _Optional[int] = ..., data: _Optional[str] = ..., errors: _Optional[_Iterable[_Union[QueryError, _Mapping]]] = ...) -> None: ...

class QueryError(_message.Message):
    __slots__ = ("path", "code", "message")
    PATH_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    path: _containers.RepeatedScalarFieldContainer[str]
    code: int
    message: str
    def __init__(self, path: _Optional[_Iterable[str]] = ..., code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...
