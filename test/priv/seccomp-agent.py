#!/usr/bin/env python3
"""A minimal seccomp agent: accept one connection on the listener socket, receive the container process
state (JSON) and the notify fd, report both, then close the fd (the kernel then fails notified calls)."""
import array, json, os, socket, sys

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1])
srv.listen(1)
print("listening", flush=True)
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4 * 4))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - (len(data) % 4)])
state = json.loads(msg)
print(json.dumps({"state": state, "nfds": len(fds), "fd": os.readlink("/proc/self/fd/%d" % fds[0])}), flush=True)
os.close(fds[0])
