#!/usr/bin/env python3
"""A console-socket peer as conmon and the containerd shim are: accept one connection, receive the pty
master (SCM_RIGHTS, payload = pty name), write the name on line 1, send stdin to the pty, copy its output."""
import array, os, select, socket, sys

path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
print("listening", flush=True)
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(4))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - (len(data) % 4)])
master = fds[0]
print("name", msg.decode(), flush=True)
if len(sys.argv) > 2:
    os.write(master, sys.argv[2].encode())
out = b""
while True:
    r, _, _ = select.select([master], [], [], 10)
    if not r:
        break
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
sys.stdout.write("output " + repr(out.decode(errors="replace")) + "\n")
