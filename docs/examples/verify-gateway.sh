test -d .venv || python3 -m venv --without-pip .venv && python3 -m pip --python .venv/bin/python install -e .  # from a clone
. .venv/bin/activate
read -rs TEG_PASSWORD && export TEG_PASSWORD   # your customer password, kept out of shell history
read -rs TEG_GW_PASSWORD && export TEG_GW_PASSWORD   # optional (a Powerwall 3's Wi-Fi TEDAPI): the QR sticker's password
export TEG_RSA_KEY=tedapi_rsa_private.pem   # optional (a Powerwall 3 on 25.10+): the key `pypowerwall register` made
teg-emulator verify --gateway-url https://192.168.1.50 --email you@example.com \
                    --report report.md --junit report.xml
