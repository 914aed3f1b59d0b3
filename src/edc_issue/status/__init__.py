"""Bitstring Status Lists (W3C v1.0): encode and decode, create lists, allocate, revoke, check.

See: <https://www.w3.org/TR/vc-bitstring-status-list/>

::

    from edc_issue.status import FileStatusListStore, StatusList, check_status
    store = FileStatusListStore("revocation-list.json")
    status_list = StatusList(store)
    [index] = status_list.allocate(1)                  # never handed out twice
    credential["credentialStatus"] = status_list.entry(index)
    status_list.revoke([index], sign=key)          # any Signer, or a signing function
    checks = check_status(credential, lists=[store.load_credential()])
"""

from __future__ import annotations

from .bitstring import (
    MAX_DECODED_BYTES,
    MIN_BITSTRING_LENGTH,
    Bitstring,
    decode_bitstring,
    encode_bitstring,
)
from .check import (
    REVOCATION_LIST_1EDTECH,
    STATUS_LIST_2021_ENTRY,
    StatusFetcher,
    StatusLists,
    StatusListSet,
    StatusListSource,
    check_status,
    fetch_status_list,
    read_status_list,
)
from .lists import (
    BITSTRING_STATUS_LIST,
    BITSTRING_STATUS_LIST_CREDENTIAL,
    BITSTRING_STATUS_LIST_ENTRY,
    CREDENTIALS_V2,
    STATUS_PURPOSES,
    STATUS_V1,
    AllocationRecord,
    FileStatusListStore,
    ListSigner,
    ListSigning,
    MemoryStatusListStore,
    ParsedStatusList,
    StatusList,
    StatusListStore,
    StatusPurpose,
    attach_status,
    create_status_list_credential,
    parse_status_list_credential,
    status_entry,
)

__all__ = [
    "BITSTRING_STATUS_LIST",
    "BITSTRING_STATUS_LIST_CREDENTIAL",
    "BITSTRING_STATUS_LIST_ENTRY",
    "CREDENTIALS_V2",
    "MAX_DECODED_BYTES",
    "MIN_BITSTRING_LENGTH",
    "REVOCATION_LIST_1EDTECH",
    "STATUS_LIST_2021_ENTRY",
    "STATUS_PURPOSES",
    "STATUS_V1",
    "AllocationRecord",
    "Bitstring",
    "FileStatusListStore",
    "ListSigner",
    "ListSigning",
    "MemoryStatusListStore",
    "ParsedStatusList",
    "StatusFetcher",
    "StatusList",
    "StatusListSet",
    "StatusListSource",
    "StatusListStore",
    "StatusLists",
    "StatusPurpose",
    "attach_status",
    "check_status",
    "create_status_list_credential",
    "decode_bitstring",
    "encode_bitstring",
    "fetch_status_list",
    "parse_status_list_credential",
    "read_status_list",
    "status_entry",
]


def __dir__() -> list[str]:
    return __all__
