/* A minimal systemd-notify for the busybox fixture (the notify-socket tests compile it with gcc -static):
 * sends its arguments, one per line, as one datagram to $NOTIFY_SOCKET ("@name" is an abstract name). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path) { fprintf(stderr, "sdnotify: NOTIFY_SOCKET is not set\n"); return 2; }
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    size_t len = strlen(path);
    if (len >= sizeof sa.sun_path) { fprintf(stderr, "sdnotify: path too long\n"); return 2; }
    memcpy(sa.sun_path, path, len);
    if (sa.sun_path[0] == '@') sa.sun_path[0] = '\0';
    socklen_t salen = offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '@' ? 0 : 1);

    char msg[4096];
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        size_t l = strlen(argv[i]);
        if (n + l + 2 > sizeof msg) { fprintf(stderr, "sdnotify: message too long\n"); return 2; }
        if (i > 1) msg[n++] = '\n';
        memcpy(msg + n, argv[i], l);
        n += l;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("sdnotify: socket"); return 1; }
    if (sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0) { perror("sdnotify: sendto"); return 1; }
    close(fd);
    return 0;
}
