/*
 * checker: run inside a container, print one JSON object describing what the
 * process sees (identity, namespaces, capabilities, fds, rlimits, mounts...).
 *
 *   checker            print the JSON object on stdout, exit 0
 *   checker exit N     exit with status N, print nothing
 *   checker sleep N    sleep N seconds, then exit 0, print nothing
 *
 * Built static (see Makefile) so it runs in any rootfs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

/* ---- JSON output ---- */

static int need_comma;

static void json_str(const char *s)
{
	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			(*p < 0x20 || *p == 0x7f) ? printf("\\u%04x", *p) : putchar(*p);
		}
	}
	putchar('"');
}

/* Start a member "name": inside an object (or an element when name is NULL). */
static void key(const char *name)
{
	if (need_comma)
		putchar(',');
	need_comma = 1;
	if (name) {
		json_str(name);
		putchar(':');
	}
}

static void open_(const char *name, char bracket) { key(name); putchar(bracket); need_comma = 0; }
static void close_(char bracket) { putchar(bracket); need_comma = 1; }
static void kv_str(const char *name, const char *v) { key(name); json_str(v); }
static void kv_int(const char *name, long long v) { key(name); printf("%lld", v); }
static void kv_null(const char *name) { key(name); fputs("null", stdout); }

/* ---- /proc helpers ---- */

/* Read a whole small file into a malloc'd, NUL-terminated buffer (NULL on error). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Value of a "Name:\tvalue" line of /proc/self/status (copied into out). */
static int status_field(const char *status, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name);
	for (const char *line = status; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *v = line + nlen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t l = strcspn(v, "\n");
			if (l >= outlen)
				l = outlen - 1;
			memcpy(out, v, l);
			out[l] = '\0';
			return 0;
		}
	}
	return -1;
}

/* Decode the \ooo escapes that mountinfo uses for spaces etc., in place. */
static char *unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return s;
}

/* ---- sections ---- */

static void print_namespaces(void)
{
	static const char *const names[] = { "mnt", "pid", "net", "ipc", "uts", "user", "cgroup", "time" };
	open_("namespaces", '{');
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
		if (stat(path, &st) == 0)
			kv_int(names[i], (long long)st.st_ino);
		else
			kv_null(names[i]);
	}
	close_('}');
}

static void print_status(const char *status)
{
	static const char *const caps[][2] = {
		{ "inh", "CapInh" }, { "prm", "CapPrm" }, { "eff", "CapEff" }, { "bnd", "CapBnd" }, { "amb", "CapAmb" },
	};
	char v[256];
	open_("caps", '{');
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
		kv_str(caps[i][0], status && status_field(status, caps[i][1], v, sizeof v) == 0 ? v : NULL);
	close_('}');
	static const char *const nums[][2] = { { "seccomp", "Seccomp" }, { "seccompFilters", "Seccomp_filters" } };
	for (size_t i = 0; i < 2; i++) {
		if (status && status_field(status, nums[i][1], v, sizeof v) == 0)
			kv_int(nums[i][0], atoll(v));
		else
			kv_null(nums[i][0]);
	}
}

static void print_fds(void)
{
	open_("fds", '[');
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		char path[64], target[PATH_MAX];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof target - 1);
		target[n < 0 ? 0 : n] = '\0';
		open_(NULL, '{');
		kv_int("fd", fd);
		kv_str("target", n < 0 ? NULL : target);
		close_('}');
	}
	if (d)
		closedir(d);
	close_(']');
}

static void print_rlimits(void)
{
#define L(x) { #x, RLIMIT_##x }
	static const struct { const char *name; int res; } lims[] = {
		L(AS), L(CORE), L(CPU), L(DATA), L(FSIZE), L(LOCKS), L(MEMLOCK), L(MSGQUEUE),
		L(NICE), L(NOFILE), L(NPROC), L(RSS), L(RTPRIO), L(RTTIME), L(SIGPENDING), L(STACK),
	};
#undef L
	open_("rlimits", '{');
	for (size_t i = 0; i < sizeof lims / sizeof lims[0]; i++) {
		struct rlimit rl;
		if (getrlimit(lims[i].res, &rl) != 0) {
			kv_null(lims[i].name);
			continue;
		}
		key(lims[i].name);
		printf("[%lld,%lld]",
		       rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur,
		       rl.rlim_max == RLIM_INFINITY ? -1LL : (long long)rl.rlim_max);
	}
	close_('}');
}

static void print_lines(const char *name, const char *path)
{
	char *text = slurp(path);
	if (!text) {
		kv_null(name);
		return;
	}
	open_(name, '[');
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		kv_str(NULL, line);
	close_(']');
	free(text);
}

/* mountinfo: id parent maj:min root mountpoint options [optional...] - fstype source superoptions */
static void print_mounts(void)
{
	char *text = slurp("/proc/self/mountinfo");
	if (!text) {
		kv_null("mounts");
		return;
	}
	open_("mounts", '[');
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[32];
		int n = 0;
		for (char *s2 = NULL, *tok = strtok_r(line, " ", &s2); tok && n < 32; tok = strtok_r(NULL, " ", &s2))
			f[n++] = tok;
		int sep = 6;
		while (sep < n && strcmp(f[sep], "-") != 0)
			sep++;
		if (sep + 3 >= n)
			continue;
		open_(NULL, '{');
		kv_str("mountpoint", unescape(f[4]));
		kv_str("root", unescape(f[3]));
		kv_str("fstype", f[sep + 1]);
		kv_str("source", unescape(f[sep + 2]));
		kv_str("options", f[5]);
		kv_str("superOptions", f[sep + 3]);
		close_('}');
	}
	close_(']');
	free(text);
}

static void print_all(void)
{
	struct utsname u;
	char buf[PATH_MAX];

	open_(NULL, '{');
	if (uname(&u) == 0) {
		kv_str("hostname", u.nodename);
		kv_str("domainname", u.domainname);
	} else {
		kv_null("hostname");
		kv_null("domainname");
	}
	kv_int("uid", getuid());
	kv_int("gid", getgid());
	kv_int("euid", geteuid());
	kv_int("egid", getegid());

	gid_t groups[NGROUPS_MAX];
	int ng = getgroups(NGROUPS_MAX, groups);
	open_("groups", '[');
	for (int i = 0; i < ng; i++)
		kv_int(NULL, groups[i]);
	close_(']');

	mode_t mask = umask(0);
	umask(mask);
	kv_int("umask", mask);
	kv_str("cwd", getcwd(buf, sizeof buf));
	kv_int("pid", getpid());
	kv_int("ppid", getppid());

	print_namespaces();
	char *status = slurp("/proc/self/status");
	print_status(status);
	free(status);
	int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	key("noNewPrivs");
	fputs(nnp < 0 ? "null" : nnp ? "true" : "false", stdout);
	print_fds();
	print_rlimits();
	print_lines("cgroup", "/proc/self/cgroup");
	print_mounts();

	open_("env", '[');
	for (char **e = environ; *e; e++)
		kv_str(NULL, *e);
	close_(']');
	close_('}');
	putchar('\n');
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "sleep") == 0) {
		sleep((unsigned)atoi(argv[2]));
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: checker [exit N | sleep N]\n");
		return 2;
	}
	print_all();
	return fflush(stdout) == 0 ? 0 : 1;
}
