#!/usr/bin/env python3
"""How long the page takes to show its first frame, in real time (not a test: tests never assert
timings). Drives headless Chromium over its DevTools pipe (no virtual time), opens URL, and
prints the page's own record of its first frame (web/index.html: ms since the page was asked
for). Usage: time_to_stage.py URL [RUNS]"""
import json
import os
import subprocess
import sys
import time


def main():
    url, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for _ in range(runs):
        first, runtime = measure(url)
        print(f"first frame after {first} ms (the WebAssembly and data loaded after {runtime} ms)")


def measure(url):
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    os.set_inheritable(to_chrome_r, True)
    os.set_inheritable(from_chrome_w, True)
    profile = f"/tmp/convstep-time-{os.getpid()}"
    chrome = subprocess.Popen(
        ["chromium", "--headless=new", "--no-sandbox", "--use-angle=swiftshader",
         "--enable-unsafe-swiftshader", "--window-size=1600,900", "--remote-debugging-pipe",
         f"--user-data-dir={profile}", "about:blank"],
        # Chromium reads fd 3 and writes fd 4; the descriptors the child keeps are closed after
        # preexec_fn has moved the pipes there, so 3 and 4 are kept too.
        pass_fds=(to_chrome_r, from_chrome_w, 3, 4), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: (os.dup2(to_chrome_r, 3), os.dup2(from_chrome_w, 4)))
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    reader = os.fdopen(from_chrome_r, "rb")
    ids = iter(range(1, 10**6))
    buffer = b""

    def call(method, session=None, **params):
        nonlocal buffer
        message = {"id": next(ids), "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(to_chrome_w, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in buffer:
                buffer += reader.read1(65536)
            raw, buffer = buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == message["id"]:
                return reply.get("result", {})

    try:
        target = call("Target.createTarget", url="about:blank")["targetId"]
        session = call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        call("Page.navigate", session, url=url)
        deadline = time.time() + 30
        while time.time() < deadline:
            value = call("Runtime.evaluate", session, expression=(
                "(s => s && s.dataset.firstFrameMs ? s.dataset.firstFrameMs + ' ' +"
                " s.dataset.runtimeMs : '')(document.getElementById('state'))"))
            ms = value.get("result", {}).get("value", "")
            if ms:
                return tuple(int(v) for v in ms.split())
            time.sleep(0.05)
        return None, None
    finally:
        chrome.kill()
        chrome.wait()
        # Its helper processes may still be writing the profile for a moment.
        for _ in range(20):
            if subprocess.run(["rm", "-rf", profile], stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.1)


if __name__ == "__main__":
    main()
