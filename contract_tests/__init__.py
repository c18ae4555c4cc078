"""The contract suite: the same tests against the emulator or a real Tesla Energy Gateway.

``pytest contract_tests`` tests a fresh in-process emulator in both firmware profiles;
``pytest contract_tests --gateway-url https://192.168.1.50 --gateway-password ...`` tests
a real gateway, read-only unless told otherwise. ``teg-emulator verify`` runs it and
writes a report. Tests know a *target* (its URL, the firmware facts it speaks by and its capabilities), never
the emulator's internals; what an endpoint answers comes from openapi.yaml and schemas/.
"""
