#!/usr/bin/env python3
"""A child subreaper, as the containerd shim and conmon are: run a command, then report the parent pid of the
process whose pid the command wrote to a pid file (it must be us once the runtime has exited)."""
import ctypes, os, subprocess, sys, time

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl failed")
pidfile, cmd = sys.argv[1], sys.argv[2:]
rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
pid = int(open(pidfile).read())
ppid = None
for _ in range(100):
    with open("/proc/%d/stat" % pid) as f:
        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
    if ppid == os.getpid():
        break
    time.sleep(0.02)
print("rc=%d me=%d ppid=%d" % (rc, os.getpid(), ppid))
os.kill(pid, 9)
os.waitpid(pid, 0)
