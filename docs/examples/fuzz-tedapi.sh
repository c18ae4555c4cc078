export TEG_V1R_KEY=tedapi_rsa_private.pem    # TEDAPI v1r (25.10.1): a key the gateway holds verified (serve --authorized-key)
export TEG_V1R_DIN=$(curl -sk -u Tesla_Energy_Device:$GW_PASSWORD $URL/tedapi/din)   # the DIN v1r signs for
SCHEMATHESIS_HOOKS=emulator.tedapi.schemathesis_hooks schemathesis run $URL/_emulator/openapi.yaml --checks all \
        --include-tag tedapi --auth Tesla_Energy_Device:$GW_PASSWORD --tls-verify false --max-examples 10 --seed 1
