test -d .venv || python3 -m venv --without-pip .venv && python3 -m pip --python .venv/bin/python install -e .  # from a clone
. .venv/bin/activate
read -rs TEG_PASSWORD && export TEG_PASSWORD   # your customer password, kept out of shell history
read -rs TEG_GW_PASSWORD && export TEG_GW_PASSWORD   # optional (needed on a Powerwall 3): the QR sticker's password
teg-emulator verify --gateway-url https://192.168.1.50 --email you@example.com \
                    --report report.md --junit report.xml
