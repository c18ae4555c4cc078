"""emulator.running() without pytest: a context manager, a decorator, or start()/stop()."""

import httpx

import emulator

# --8<-- [start:with]
with emulator.running(firmware="1.15.0", grid="down", speed=0) as gw:
    status = httpx.get(f"{gw.url}/api/system_status/grid_status").json()
    assert status["grid_status"] == "SystemIslandedActive"  # 1.15.0 reads are open: no login
    gw.set_grid(True)
    gw.assert_requested("GET", "/api/system_status/grid_status", count=1)
# --8<-- [end:with]


# --8<-- [start:decorator]
@emulator.running(soe=15)  # 24.4.0 over HTTPS, the default
def check_low_battery(gw):
    with httpx.Client(base_url=gw.url, verify=False) as http:  # the certificate is self-signed
        http.post("/api/login/Basic", json={"username": "customer", "password": gw.password, "email": ""})
        assert http.get("/api/system_status/soe").json()["percentage"] < 20


check_low_battery()  # the handle is passed as the last argument
# --8<-- [end:decorator]

# --8<-- [start:start-stop]
gw = emulator.running(firmware="25.10.1").start()
try:
    print(gw.url, gw.password, gw.gw_password)  # the TEDAPI's Basic password is gw.gw_password
finally:
    gw.stop()
# --8<-- [end:start-stop]
