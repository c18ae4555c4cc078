# --gateway-password defaults to $TEG_PASSWORD, --gateway-gw-password to $TEG_GW_PASSWORD and --gateway-rsa-key to
# $TEG_RSA_KEY (a Powerwall 3's TEDAPI v1r: the owner's registered key); the rest are optional
pytest contract_tests --gateway-url https://192.168.1.50 --gateway-password "$TEG_PASSWORD" \
       --gateway-gw-password "$TEG_GW_PASSWORD" --gateway-rsa-key tedapi_rsa_private.pem \
       --gateway-email you@example.com --pace 1 --max-requests 2000 --gateway-timeout 10 --sample-gap 2
# --firmware 24.4.0 skips the detection; --allow-writes and --allow-disruptive add those tiers, as with verify;
# --gateway-unverified-rsa-key names a key registered but never verified, to check it is answered "not verified";
# --gateway-spare-rsa-key a throwaway registered key the writes tier removes for good; --transition-timeout 120
# bounds how long islanding, reconnecting or a battery setpoint may take to show
