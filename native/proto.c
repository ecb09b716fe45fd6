/* Plan decoding and the message socket. The layout is described in src/plan/codec.ts. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "tsrun-init.h"

struct reader { const uint8_t *p, *end; };

static int need(struct reader *r, size_t n) { return (size_t)(r->end - r->p) >= n ? 0 : -1; }

static int rd_u32(struct reader *r, uint32_t *v) {
  if (need(r, 4)) return -1;
  memcpy(v, r->p, 4); r->p += 4; return 0;
}

static int rd_str(struct reader *r, const char **s) {
  uint32_t n;
  if (rd_u32(r, &n)) return -1;
  if (n == 0xffffffffu) { *s = NULL; return 0; }
  if (need(r, (size_t)n + 1) || r->p[n] != 0) return -1;
  *s = (const char *)r->p; r->p += n + 1; return 0;
}

static int rd_field(struct reader *r, char kind, union arg *a) {
  uint32_t n;
  switch (kind) {
  case 'u': case 'i': case 'f': return rd_u32(r, &a->u);
  case 'q': if (need(r, 8)) return -1; memcpy(&a->q, r->p, 8); r->p += 8; return 0;
  case 's': return rd_str(r, &a->s);
  case 'b':
    if (rd_u32(r, &n) || need(r, n)) return -1;
    a->b.n = n; a->b.p = r->p; r->p += n; return 0;
  case 'v':
    if (rd_u32(r, &n) || n > 1u << 20) return -1;
    a->sv.n = n; a->sv.v = calloc(n + 1, sizeof(char *));
    if (!a->sv.v) return -1;
    for (uint32_t i = 0; i < n; i++) if (rd_str(r, &a->sv.v[i]) || !a->sv.v[i]) return -1;
    return 0;
  case 'a':
    if (rd_u32(r, &n) || n > 1u << 16 || need(r, (size_t)n * 4)) return -1;
    a->av.n = n; a->av.p = calloc(n + 1, 4);
    if (!a->av.p) return -1;
    memcpy(a->av.p, r->p, (size_t)n * 4); r->p += (size_t)n * 4; return 0;
  }
  return -1;
}

int plan_decode(const uint8_t *buf, size_t len, struct plan *out) {
  struct reader r = { buf, buf + len };
  uint32_t version, count;
  if (rd_u32(&r, &version) || version != TSRUN_PLAN_VERSION || rd_u32(&r, &count) || count > 1u << 16) goto bad;
  out->count = count;
  out->ops = calloc(count ? count : 1, sizeof(struct op));
  if (!out->ops) goto bad;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t code, blen;
    if (rd_u32(&r, &code) || rd_u32(&r, &blen) || code == 0 || code > TSRUN_MAX_OP || !tsrun_op_fields[code]) goto bad;
    const uint8_t *end = r.p + blen;
    if (need(&r, blen)) goto bad;
    out->ops[i].code = code;
    const char *kinds = tsrun_op_fields[code];
    for (int f = 0; kinds[f]; f++) if (rd_field(&r, kinds[f], &out->ops[i].a[f])) goto bad;
    if (r.p != end) goto bad;
  }
  if (r.p != r.end) goto bad;
  return 0;
bad:
  errno = EPROTO;
  return -1;
}

static void print_json_str(FILE *f, const char *s) {
  if (!s) { fputs("null", f); return; }
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p == '\n') fputs("\\n", f);
    else if (*p == '\t') fputs("\\t", f);
    else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

/* Same text as listPlan() in src/plan/format.ts, so a test can compare both sides. */
void plan_print(const struct plan *p, FILE *f) {
  for (uint32_t i = 0; i < p->count; i++) {
    const struct op *op = &p->ops[i];
    const char *kinds = tsrun_op_fields[op->code];
    if (i) fputc('\n', f);
    fprintf(f, "%u %s", i, tsrun_op_names[op->code]);
    for (int k = 0; kinds[k]; k++) {
      const union arg *a = &op->a[k];
      fprintf(f, " %s=", tsrun_op_field_names[op->code][k]);
      switch (kinds[k]) {
      case 'u': fprintf(f, "%" PRIu32, a->u); break;
      case 'i': case 'f': fprintf(f, "%" PRId32, a->i); break;
      case 'q': fprintf(f, "0x%" PRIx64, a->q); break;
      case 's': print_json_str(f, a->s); break;
      case 'b': fprintf(f, "<%u bytes>", a->b.n); break;
      case 'v':
        fputc('[', f);
        for (uint32_t j = 0; j < a->sv.n; j++) { if (j) fputc(',', f); print_json_str(f, a->sv.v[j]); }
        fputc(']', f);
        break;
      case 'a':
        fputc('[', f);
        for (uint32_t j = 0; j < a->av.n; j++) fprintf(f, "%s%" PRIu32, j ? "," : "", a->av.p[j]);
        fputc(']', f);
        break;
      }
    }
  }
  fputc('\n', f);
}

int msg_send(int sock, uint32_t type, uint32_t a, uint32_t b) {
  uint32_t m[3] = { type, a, b };
  return send(sock, m, sizeof m, MSG_NOSIGNAL) == (ssize_t)sizeof m ? 0 : -1;
}

int msg_send_fd(int sock, uint32_t type, int fd) {
  uint32_t m[3] = { type, 0, 0 };
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = { m, sizeof m };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof m ? 0 : -1;
}

int msg_recv(int sock, uint32_t *type, uint32_t *a, uint32_t *b) {
  uint32_t m[3];
  ssize_t n;
  do n = recv(sock, m, sizeof m, 0); while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof m) { if (n >= 0) errno = EPROTO; return -1; }
  *type = m[0]; if (a) *a = m[1]; if (b) *b = m[2];
  return 0;
}

ssize_t msg_recv_plan(int sock, uint8_t *buf, size_t cap, int *fds, int *nfds) {
  char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
  struct iovec iov = { buf, cap };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  ssize_t n;
  do n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
  if (n < 0) return -1;
  if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) { errno = EMSGSIZE; return -1; }
  *nfds = 0;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    memcpy(fds + *nfds, CMSG_DATA(cm), sizeof(int) * (size_t)k);
    *nfds += k;
  }
  return n;
}
