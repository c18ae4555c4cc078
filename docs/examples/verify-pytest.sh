# --gateway-password defaults to $TEG_PASSWORD and --gateway-gw-password to $TEG_GW_PASSWORD; the rest are optional
pytest contract_tests --gateway-url https://192.168.1.50 --gateway-password "$TEG_PASSWORD" \
       --gateway-gw-password "$TEG_GW_PASSWORD" --gateway-email you@example.com \
       --pace 1 --max-requests 2000 --gateway-timeout 10 --sample-gap 2
# --firmware 24.4.0 skips the detection; --allow-writes and --allow-disruptive add those tiers, as with verify
