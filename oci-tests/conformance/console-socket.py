#!/usr/bin/python3
# A --console-socket receiver, as containerd's shim and conmon implement it: listen on a unix
# socket, accept one connection, receive one message whose payload is the pty name and whose
# SCM_RIGHTS fd is the pty master; then copy the master's output until EOF/EIO (every slave fd
# closed) or the timeout. Optionally writes INPUT to the master first.
#
#   console-socket.py SOCKET_PATH [TIMEOUT_S] [INPUT]
# Prints one JSON line: {"name": "...", "fdMode": "...", "output": "...", "error": null}
import json
import os
import socket
import stat
import sys
import time

path = sys.argv[1]
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
text_in = sys.argv[3] if len(sys.argv) > 3 else ''
result = {'name': None, 'fdMode': None, 'output': '', 'error': None}
deadline = time.monotonic() + timeout
try:
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(timeout)
    conn, _ = srv.accept()
    conn.settimeout(timeout)
    msg, fds, _flags, _addr = socket.recv_fds(conn, 4096, 1)
    result['name'] = msg.decode('utf-8', 'replace')
    if len(fds) != 1:
        raise RuntimeError(f'expected 1 fd, got {len(fds)}')
    master = fds[0]
    result['fdMode'] = 'chr' if stat.S_ISCHR(os.fstat(master).st_mode) else 'other'
    if text_in:
        os.write(master, text_in.encode())
    out = b''
    os.set_blocking(master, False)
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            out += chunk
        except BlockingIOError:
            time.sleep(0.02)
        except OSError:  # EIO: the last slave fd was closed
            break
    result['output'] = out.decode('utf-8', 'replace')
except Exception as e:  # noqa: BLE001 - reported to the test
    result['error'] = f'{type(e).__name__}: {e}'
print(json.dumps(result), flush=True)
