SCHEMATHESIS_HOOKS=emulator.tedapi.schemathesis_hooks schemathesis run $URL/_emulator/openapi.yaml --checks all \
        --include-tag tedapi --auth Tesla_Energy_Device:$GW_PASSWORD --tls-verify false --max-examples 10 --seed 1
