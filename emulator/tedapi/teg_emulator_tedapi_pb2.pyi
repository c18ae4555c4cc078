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
    __slots__ = ("delivery_channel", "sender", "recipient", "common", "teg", "authorization", "filestore", "graphql")
    DELIVERY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    COMMON_FIELD_NUMBER: _ClassVar[int]
    TEG_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZATION_FIELD_NUMBER: _ClassVar[int]
    FILESTORE_FIELD_NUMBER: _ClassVar[int]
    GRAPHQL_FIELD_NUMBER: _ClassVar[int]
    delivery_channel: int
    sender: Participant
    recipient: Participant
    common: CommonMessages
    teg: TegMessages
    authorization: AuthorizationMessages
    filestore: FileStoreMessages
    graphql: GraphQLMessages
    def __init__(self, delivery_channel: _Optional[int] = ..., sender: _Optional[_Union[Participant, _Mapping]] = ..., recipient: _Optional[_Union[Participant, _Mapping]] = ..., common: _Optional[_Union[CommonMessages, _Mapping]] = ..., teg: _Optional[_Union[TegMessages, _Mapping]] = ..., authorization: _Optional[_Union[AuthorizationMessages, _Mapping]] = ..., filestore: _Optional[_Union[FileStoreMessages, _Mapping]] = ..., graphql: _Optional[_Union[GraphQLMessages, _Mapping]] = ...) -> None: ...

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

class Timestamp(_message.Message):
    __slots__ = ("seconds", "nanos")
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    NANOS_FIELD_NUMBER: _ClassVar[int]
    seconds: int
    nanos: int
    def __init__(self, seconds: _Optional[int] = ..., nanos: _Optional[int] = ...) -> None: ...

class Text(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: str
    def __init__(self, value: _Optional[str] = ...) -> None: ...

class CommonMessages(_message.Message):
    __slots__ = ("error_response", "get_system_info_request", "get_system_info_response")
    ERROR_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    GET_SYSTEM_INFO_REQUEST_FIELD_NUMBER: _ClassVar[int]
    GET_SYSTEM_INFO_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    error_response: ErrorResponse
    get_system_info_request: SystemInfoRequest
    get_system_info_response: SystemInfo
    def __init__(self, error_response: _Optional[_Union[ErrorResponse, _Mapping]] = ..., get_system_info_request: _Optional[_Union[SystemInfoRequest, _Mapping]] = ..., get_system_info_response: _Optional[_Union[SystemInfo, _Mapping]] = ...) -> None: ...

class ErrorResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: Status
    def __init__(self, status: _Optional[_Union[Status, _Mapping]] = ...) -> None: ...

class Status(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class SystemInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SystemInfo(_message.Message):
    __slots__ = ("device_id", "din", "firmware_version", "system_update", "device_type", "compliance_information", "installed_firmware_signature", "offline_firmware_signature")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DIN_FIELD_NUMBER: _ClassVar[int]
    FIRMWARE_VERSION_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_UPDATE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_INFORMATION_FIELD_NUMBER: _ClassVar[int]
    INSTALLED_FIRMWARE_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    OFFLINE_FIRMWARE_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    device_id: EcuId
    din: str
    firmware_version: FirmwareVersion
    system_update: SystemUpdate
    device_type: int
    compliance_information: ComplianceInformation
    installed_firmware_signature: bytes
    offline_firmware_signature: bytes
    def __init__(self, device_id: _Optional[_Union[EcuId, _Mapping]] = ..., din: _Optional[str] = ..., firmware_version: _Optional[_Union[FirmwareVersion, _Mapping]] = ..., system_update: _Optional[_Union[SystemUpdate, _Mapping]] = ..., device_type: _Optional[int] = ..., compliance_information: _Optional[_Union[ComplianceInformation, _Mapping]] = ..., installed_firmware_signature: _Optional[bytes] = ..., offline_firmware_signature: _Optional[bytes] = ...) -> None: ...

class EcuId(_message.Message):
    __slots__ = ("part_number", "serial_number")
    PART_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    part_number: str
    serial_number: str
    def __init__(self, part_number: _Optional[str] = ..., serial_number: _Optional[str] = ...) -> None: ...

class FirmwareVersion(_message.Message):
    __slots__ = ("version", "githash")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    GITHASH_FIELD_NUMBER: _ClassVar[int]
    version: str
    githash: bytes
    def __init__(self, version: _Optional[str] = ..., githash: _Optional[bytes] = ...) -> None: ...

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

class ComplianceInformation(_message.Message):
    __slots__ = ("radio_legal_information",)
    RADIO_LEGAL_INFORMATION_FIELD_NUMBER: _ClassVar[int]
    radio_legal_information: _containers.RepeatedCompositeFieldContainer[RadioLegalInformation]
    def __init__(self, radio_legal_information: _Optional[_Iterable[_Union[RadioLegalInformation, _Mapping]]] = ...) -> None: ...

class RadioLegalInformation(_message.Message):
    __slots__ = ("manufacturer", "model", "fcc_id", "ic_id")
    MANUFACTURER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    FCC_ID_FIELD_NUMBER: _ClassVar[int]
    IC_ID_FIELD_NUMBER: _ClassVar[int]
    manufacturer: Text
    model: Text
    fcc_id: Text
    ic_id: Text
    def __init__(self, manufacturer: _Optional[_Union[Text, _Mapping]] = ..., model: _Optional[_Union[Text, _Mapping]] = ..., fcc_id: _Optional[_Union[Text, _Mapping]] = ..., ic_id: _Optional[_Union[Text, _Mapping]] = ...) -> None: ...

class FileStoreMessages(_message.Message):
    __slots__ = ("read_file_request", "read_file_response", "update_file_request", "update_file_response")
    READ_FILE_REQUEST_FIELD_NUMBER: _ClassVar[int]
    READ_FILE_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FILE_REQUEST_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FILE_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    read_file_request: FileReadRequest
    read_file_response: FileContent
    update_file_request: FileUpdateRequest
    update_file_response: FileContent
    def __init__(self, read_file_request: _Optional[_Union[FileReadRequest, _Mapping]] = ..., read_file_response: _Optional[_Union[FileContent, _Mapping]] = ..., update_file_request: _Optional[_Union[FileUpdateRequest, _Mapping]] = ..., update_file_response: _Optional[_Union[FileContent, _Mapping]] = ...) -> None: ...

class FileReadRequest(_message.Message):
    __slots__ = ("domain", "name", "if_different_hash")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    IF_DIFFERENT_HASH_FIELD_NUMBER: _ClassVar[int]
    domain: int
    name: str
    if_different_hash: bytes
    def __init__(self, domain: _Optional[int] = ..., name: _Optional[str] = ..., if_different_hash: _Optional[bytes] = ...) -> None: ...

class FileUpdateRequest(_message.Message):
    __slots__ = ("domain", "file", "hash")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    domain: int
    file: File
    hash: bytes
    def __init__(self, domain: _Optional[int] = ..., file: _Optional[_Union[File, _Mapping]] = ..., hash: _Optional[bytes] = ...) -> None: ...

class FileContent(_message.Message):
    __slots__ = ("file", "hash")
    FILE_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    file: File
    hash: bytes
    def __init__(self, file: _Optional[_Union[File, _Mapping]] = ..., hash: _Optional[bytes] = ...) -> None: ...

class File(_message.Message):
    __slots__ = ("name", "blob")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BLOB_FIELD_NUMBER: _ClassVar[int]
    name: str
    blob: bytes
    def __init__(self, name: _Optional[str] = ..., blob: _Optional[bytes] = ...) -> None: ...

class GraphQLMessages(_message.Message):
    __slots__ = ("query_request", "query_response")
    QUERY_REQUEST_FIELD_NUMBER: _ClassVar[int]
    QUERY_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    query_request: QueryRequest
    query_response: QueryResponse
    def __init__(self, query_request: _Optional[_Union[QueryRequest, _Mapping]] = ..., query_response: _Optional[_Union[QueryResponse, _Mapping]] = ...) -> None: ...

class QueryRequest(_message.Message):
    __slots__ = ("format", "query", "signature", "variables_json")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_JSON_FIELD_NUMBER: _ClassVar[int]
    format: int
    query: bytes
    signature: bytes
    variables_json: Text
    def __init__(self, format: _Optional[int] = ..., query: _Optional[bytes] = ..., signature: _Optional[bytes] = ..., variables_json: _Optional[_Union[Text, _Mapping]] = ...) -> None: ...

class SignedGraphQLQuery(_message.Message):
    __slots__ = ("version", "query")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    version: int
    query: bytes
    def __init__(self, version: _Optional[int] = ..., query: _Optional[bytes] = ...) -> None: ...

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

class TegMessages(_message.Message):
    __slots__ = ("set_island_mode_request", "set_island_mode_response", "trigger_islanding_black_start_request", "trigger_islanding_black_start_response", "dispatch_battery_power_request", "dispatch_battery_power_response", "schedule_manual_backup_event_request", "schedule_manual_backup_event_response", "cancel_manual_backup_event_request", "cancel_manual_backup_event_response", "get_backup_events_request", "get_backup_events_response", "delay_battery_calibration_request", "delay_battery_calibration_response", "get_delay_battery_calibration_status_request", "get_delay_battery_calibration_status_response")
    SET_ISLAND_MODE_REQUEST_FIELD_NUMBER: _ClassVar[int]
    SET_ISLAND_MODE_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_ISLANDING_BLACK_START_REQUEST_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_ISLANDING_BLACK_START_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    DISPATCH_BATTERY_POWER_REQUEST_FIELD_NUMBER: _ClassVar[int]
    DISPATCH_BATTERY_POWER_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_MANUAL_BACKUP_EVENT_REQUEST_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_MANUAL_BACKUP_EVENT_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    CANCEL_MANUAL_BACKUP_EVENT_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CANCEL_MANUAL_BACKUP_EVENT_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    GET_BACKUP_EVENTS_REQUEST_FIELD_NUMBER: _ClassVar[int]
    GET_BACKUP_EVENTS_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    DELAY_BATTERY_CALIBRATION_REQUEST_FIELD_NUMBER: _ClassVar[int]
    DELAY_BATTERY_CALIBRATION_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    GET_DELAY_BATTERY_CALIBRATION_STATUS_REQUEST_FIELD_NUMBER: _ClassVar[int]
    GET_DELAY_BATTERY_CALIBRATION_STATUS_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    set_island_mode_request: SetIslandModeRequest
    set_island_mode_response: SetIslandModeResponse
    trigger_islanding_black_start_request: Empty
    trigger_islanding_black_start_response: Empty
    dispatch_battery_power_request: DispatchBatteryPowerRequest
    dispatch_battery_power_response: Empty
    schedule_manual_backup_event_request: ScheduleManualBackupEventRequest
    schedule_manual_backup_event_response: Empty
    cancel_manual_backup_event_request: Empty
    cancel_manual_backup_event_response: Empty
    get_backup_events_request: Empty
    get_backup_events_response: BackupEvents
    delay_battery_calibration_request: DelayBatteryCalibrationRequest
    delay_battery_calibration_response: Empty
    get_delay_battery_calibration_status_request: Empty
    get_delay_battery_calibration_status_response: CalibrationDelayStatus
    def __init__(self, set_island_mode_request: _Optional[_Union[SetIslandModeRequest, _Mapping]] = ..., set_island_mode_response: _Optional[_Union[SetIslandModeResponse, _Mapping]] = ..., trigger_islanding_black_start_request: _Optional[_Union[Empty, _Mapping]] = ..., trigger_islanding_black_start_response: _Optional[_Union[Empty, _Mapping]] = ..., dispatch_battery_power_request: _Optional[_Union[DispatchBatteryPowerRequest, _Mapping]] = ..., dispatch_battery_power_response: _Optional[_Union[Empty, _Mapping]] = ..., schedule_manual_backup_event_request: _Optional[_Union[ScheduleManualBackupEventRequest, _Mapping]] = ..., schedule_manual_backup_event_response: _Optional[_Union[Empty, _Mapping]] = ..., cancel_manual_backup_event_request: _Optional[_Union[Empty, _Mapping]] = ..., cancel_manual_backup_event_response: _Optional[_Union[Empty, _Mapping]] = ..., get_backup_events_request: _Optional[_Union[Empty, _Mapping]] = ..., get_backup_events_response: _Optional[_Union[BackupEvents, _Mapping]] = ..., delay_battery_calibration_request: _Optional[_Union[DelayBatteryCalibrationRequest, _Mapping]] = ..., delay_battery_calibration_response: _Optional[_Union[Empty, _Mapping]] = ..., get_delay_battery_calibration_status_request: _Optional[_Union[Empty, _Mapping]] = ..., get_delay_battery_calibration_status_response: _Optional[_Union[CalibrationDelayStatus, _Mapping]] = ...) -> None: ...

class Empty(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetIslandModeRequest(_message.Message):
    __slots__ = ("mode", "force")
    MODE_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    mode: int
    force: bool
    def __init__(self, mode: _Optional[int] = ..., force: _Optional[bool] = ...) -> None: ...

class SetIslandModeResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class DispatchBatteryPowerRequest(_message.Message):
    __slots__ = ("resume_device_mode", "real_power")
    RESUME_DEVICE_MODE_FIELD_NUMBER: _ClassVar[int]
    REAL_POWER_FIELD_NUMBER: _ClassVar[int]
    resume_device_mode: Empty
    real_power: RealPowerCommand
    def __init__(self, resume_device_mode: _Optional[_Union[Empty, _Mapping]] = ..., real_power: _Optional[_Union[RealPowerCommand, _Mapping]] = ...) -> None: ...

class RealPowerCommand(_message.Message):
    __slots__ = ("power_watts", "duration_seconds")
    POWER_WATTS_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    power_watts: float
    duration_seconds: int
    def __init__(self, power_watts: _Optional[float] = ..., duration_seconds: _Optional[int] = ...) -> None: ...

class SchedulingInfo(_message.Message):
    __slots__ = ("start_time", "duration_seconds", "priority")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    start_time: Timestamp
    duration_seconds: int
    priority: int
    def __init__(self, start_time: _Optional[_Union[Timestamp, _Mapping]] = ..., duration_seconds: _Optional[int] = ..., priority: _Optional[int] = ...) -> None: ...

class ScheduleManualBackupEventRequest(_message.Message):
    __slots__ = ("scheduling_info",)
    SCHEDULING_INFO_FIELD_NUMBER: _ClassVar[int]
    scheduling_info: SchedulingInfo
    def __init__(self, scheduling_info: _Optional[_Union[SchedulingInfo, _Mapping]] = ...) -> None: ...

class ManualBackupEvent(_message.Message):
    __slots__ = ("scheduling_info",)
    SCHEDULING_INFO_FIELD_NUMBER: _ClassVar[int]
    scheduling_info: SchedulingInfo
    def __init__(self, scheduling_info: _Optional[_Union[SchedulingInfo, _Mapping]] = ...) -> None: ...

class BackupEvent(_message.Message):
    __slots__ = ("id", "name", "sheduling_info")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHEDULING_INFO_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    sheduling_info: SchedulingInfo
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., sheduling_info: _Optional[_Union[SchedulingInfo, _Mapping]] = ...) -> None: ...

class BackupEvents(_message.Message):
    __slots__ = ("manual_backup_event", "backup_events")
    MANUAL_BACKUP_EVENT_FIELD_NUMBER: _ClassVar[int]
    BACKUP_EVENTS_FIELD_NUMBER: _ClassVar[int]
    manual_backup_event: ManualBackupEvent
    backup_events: _containers.RepeatedCompositeFieldContainer[BackupEvent]
    def __init__(self, manual_backup_event: _Optional[_Union[ManualBackupEvent, _Mapping]] = ..., backup_events: _Optional[_Iterable[_Union[BackupEvent, _Mapping]]] = ...) -> None: ...

class DelayBatteryCalibrationRequest(_message.Message):
    __slots__ = ("delay_hours",)
    DELAY_HOURS_FIELD_NUMBER: _ClassVar[int]
    delay_hours: int
    def __init__(self, delay_hours: _Optional[int] = ...) -> None: ...

class CalibrationDelayStatus(_message.Message):
    __slots__ = ("calibration_delays_left", "calibration_delay_remaining_seconds", "max_calibration_delays")
    CALIBRATION_DELAYS_LEFT_FIELD_NUMBER: _ClassVar[int]
    CALIBRATION_DELAY_REMAINING_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_CALIBRATION_DELAYS_FIELD_NUMBER: _ClassVar[int]
    calibration_delays_left: int
    calibration_delay_remaining_seconds: int
    max_calibration_delays: int
    def __init__(self, calibration_delays_left: _Optional[int] = ..., calibration_delay_remaining_seconds: _Optional[int] = ..., max_calibration_delays: _Optional[int] = ...) -> None: ...

class AuthorizationMessages(_message.Message):
    __slots__ = ("add_authorized_client_request", "add_authorized_client_response", "remove_authorized_client_request", "remove_authorized_client_response", "list_authorized_clients_request", "list_authorized_clients_response")
    ADD_AUTHORIZED_CLIENT_REQUEST_FIELD_NUMBER: _ClassVar[int]
    ADD_AUTHORIZED_CLIENT_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    REMOVE_AUTHORIZED_CLIENT_REQUEST_FIELD_NUMBER: _ClassVar[int]
    REMOVE_AUTHORIZED_CLIENT_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    LIST_AUTHORIZED_CLIENTS_REQUEST_FIELD_NUMBER: _ClassVar[int]
    LIST_AUTHORIZED_CLIENTS_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    add_authorized_client_request: AddAuthorizedClientRequest
    add_authorized_client_response: AuthorizedClientAnswer
    remove_authorized_client_request: RemoveAuthorizedClientRequest
    remove_authorized_client_response: Empty
    list_authorized_clients_request: Empty
    list_authorized_clients_response: AuthorizedClients
    def __init__(self, add_authorized_client_request: _Optional[_Union[AddAuthorizedClientRequest, _Mapping]] = ..., add_authorized_client_response: _Optional[_Union[AuthorizedClientAnswer, _Mapping]] = ..., remove_authorized_client_request: _Optional[_Union[RemoveAuthorizedClientRequest, _Mapping]] = ..., remove_authorized_client_response: _Optional[_Union[Empty, _Mapping]] = ..., list_authorized_clients_request: _Optional[_Union[Empty, _Mapping]] = ..., list_authorized_clients_response: _Optional[_Union[AuthorizedClients, _Mapping]] = ...) -> None: ...

class AddAuthorizedClientRequest(_message.Message):
    __slots__ = ("type", "description", "key_type", "public_key")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    KEY_TYPE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    type: int
    description: str
    key_type: int
    public_key: bytes
    def __init__(self, type: _Optional[int] = ..., description: _Optional[str] = ..., key_type: _Optional[int] = ..., public_key: _Optional[bytes] = ...) -> None: ...

class AuthorizedClientAnswer(_message.Message):
    __slots__ = ("client",)
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    client: AuthorizationRecord
    def __init__(self, client: _Optional[_Union[AuthorizationRecord, _Mapping]] = ...) -> None: ...

class RemoveAuthorizedClientRequest(_message.Message):
    __slots__ = ("public_key",)
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    public_key: bytes
    def __init__(self, public_key: _Optional[bytes] = ...) -> None: ...

class AuthorizedClients(_message.Message):
    __slots__ = ("clients", "enable_line_switch_off")
    CLIENTS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_LINE_SWITCH_OFF_FIELD_NUMBER: _ClassVar[int]
    clients: _containers.RepeatedCompositeFieldContainer[AuthorizationRecord]
    enable_line_switch_off: bool
    def __init__(self, clients: _Optional[_Iterable[_Union[AuthorizationRecord, _Mapping]]] = ..., enable_line_switch_off: _Optional[bool] = ...) -> None: ...

class AuthorizationRecord(_message.Message):
    __slots__ = ("type", "description", "key_type", "public_key", "roles", "state", "verification", "added_time", "identifier", "authorized_by_public_key")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    KEY_TYPE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VERIFICATION_FIELD_NUMBER: _ClassVar[int]
    ADDED_TIME_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZED_BY_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    type: int
    description: str
    key_type: int
    public_key: bytes
    roles: _containers.RepeatedScalarFieldContainer[int]
    state: int
    verification: int
    added_time: Timestamp
    identifier: str
    authorized_by_public_key: bytes
    def __init__(self, type: _Optional[int] = ..., description: _Optional[str] = ..., key_type: _Optional[int] = ..., public_key: _Optional[bytes] = ..., roles: _Optional[_Iterable[int]] = ..., state: _Optional[int] = ..., verification: _Optional[int] = ..., added_time: _Optional[_Union[Timestamp, _Mapping]] = ..., identifier: _Optional[str] = ..., authorized_by_public_key: _Optional[bytes] = ...) -> None: ...
