/* main -- flags (blackbox_exporter's names), start-up, signals, and the worker threads. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "net/dnsclient.h"
#include "lib/errors.h"
#include "web/exporter.h"
#include "web/http.h"
#include "net/listener.h"
#include "lib/log.h"
#include "net/loop.h"
#include "web/webauth.h"
#include "web/webconfig.h"

#define MAX_LISTEN 8
#define MAX_WORKERS 64

typedef struct options {
	const char *config_file;
	bool config_check;
	const char *listen[MAX_LISTEN];
	size_t nlisten;
	double timeout_offset;
	unsigned long history_limit;
	const char *log_level;
	const char *log_prober;         /* --log.prober; NULL: blackbox 0.23's probe logs */
	const char *log_format;
	const char *resolver;
	const char *web_config_file;
	const char *external_url;
	const char *route_prefix;
	bool auto_reload;               /* --config.enable-auto-reload */
	unsigned long auto_reload_s;    /* --config.auto-reload-interval, seconds (0: never) */
	bool systemd_socket;            /* --web.systemd-socket: serve the sockets systemd passed */
	long workers;
	/* derived */
	char prefix[256];               /* route prefix without its trailing slash ("" for "/") */
	char external[512];
} options_t;

/* On SIGTERM, probes in flight get this long to finish on their own; then they are answered as
 * failed, so a stop never waits for a 2-minute probe (systemd would kill us first). */
#define STOP_GRACE_NS (5 * 1000000000LL)

typedef struct worker {
	pthread_t thread;
	int64_t stop_at;                /* when the stop request came */
	loop_t *loop;
	dnsclient_t *dns;
	http_server_t *http;
	int stopfd;
	loop_timer_t drain;
	bool started;
} worker_t;

static const char usage[] =
	"usage: nsprobe [<flags>]\n"
	"\n"
	"A DNS prober that drops in where Prometheus' blackbox_exporter runs: GET /probe?module=M&target=T\n"
	"sends one DNS query to nameserver T as module M of the config describes and answers with\n"
	"Prometheus metrics.\n"
	"\n"
	"Flags:\n"
	"  -h, --help                   Show this help and exit.\n"
	"      --config.file=\"blackbox.yml\"\n"
	"                               Blackbox exporter configuration file.\n"
	"      --config.check           If true validate the config file and then exit.\n"
	"      --config.enable-auto-reload\n"
	"                               When enabled, nsprobe reloads its configuration file when its\n"
	"                               checksum changes, checked every --config.auto-reload-interval.\n"
	"      --config.auto-reload-interval=30\n"
	"                               Specifies the interval in seconds for checking and automatically\n"
	"                               reloading configuration file upon detecting changes.\n"
	"      --web.listen-address=:9115 ...\n"
	"                               Addresses on which to expose metrics and web interface.\n"
	"                               Repeatable for multiple addresses.\n"
	"      --timeout-offset=0.5     Offset to subtract from timeout in seconds.\n"
	"      --history.limit=100      The maximum amount of items to keep in the history.\n"
	"      --log.level=info         Only log messages with the given severity or above. One of:\n"
	"                               [debug, info, warn, error]\n"
	"      --log.prober=info        Log level for probe request logs (blackbox 0.28). One of: [debug,\n"
	"                               info, warn, error]. Given, probe log lines at or above it go to\n"
	"                               the process log at their own level whatever --log.level says,\n"
	"                               and lines below it are not kept for debug=true or /logs either.\n"
	"                               Not given, probe logs are blackbox 0.23's: all kept, and written\n"
	"                               (as level=debug) only with --log.level=debug.\n"
	"      --log.format=logfmt      Output format of log messages. One of: [logfmt, json]\n"
	"      --web.external-url=<url>  The URL under which nsprobe is externally reachable (e.g. behind\n"
	"                               a reverse proxy); its path prefixes every endpoint.\n"
	"      --web.route-prefix=<path> Prefix for the internal routes of web endpoints. Defaults to\n"
	"                               the path of --web.external-url.\n"
	"      --target.resolver=\"\"     DNS servers (\"ip[:port],...\") used to resolve target host\n"
	"                               names. Default: the system's resolver (/etc/hosts,\n"
	"                               /etc/resolv.conf).\n"
	"      --web.config.file=\"\"     [EXPERIMENTAL] Path to configuration file that can enable TLS or\n"
	"                               authentication (exporter-toolkit format). Re-read within a\n"
	"                               second of a change; TLS changes apply at restart only.\n"
	"      --web.systemd-socket     Use systemd socket activation listeners instead of port listeners\n"
	"                               (Linux only). --web.listen-address is then ignored, and\n"
	"                               --web.external-url is required.\n"
	"      --workers=0              Worker threads, each with its own event loop (0: one per CPU).\n"
	"      --version                Show application version.\n";

static int die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "nsprobe: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, ", try --help\n");
	return 1;
}

/* The flags that take a value, by name (blackbox_exporter's names; the booleans are parsed before). */
typedef enum value_flag {
	F_CONFIG_FILE, F_LISTEN, F_TIMEOUT_OFFSET, F_RELOAD_INTERVAL, F_HISTORY, F_LOG_LEVEL, F_LOG_PROBER,
	F_LOG_FORMAT, F_RESOLVER, F_EXTERNAL_URL, F_ROUTE_PREFIX, F_WEB_CONFIG, F_WORKERS, F__COUNT
} value_flag_t;

static const char *const value_flags[F__COUNT] = {
	[F_CONFIG_FILE] = "config.file", [F_LISTEN] = "web.listen-address",
	[F_TIMEOUT_OFFSET] = "timeout-offset", [F_RELOAD_INTERVAL] = "config.auto-reload-interval",
	[F_HISTORY] = "history.limit", [F_LOG_LEVEL] = "log.level", [F_LOG_PROBER] = "log.prober",
	[F_LOG_FORMAT] = "log.format", [F_RESOLVER] = "target.resolver", [F_EXTERNAL_URL] = "web.external-url",
	[F_ROUTE_PREFIX] = "web.route-prefix", [F_WEB_CONFIG] = "web.config.file", [F_WORKERS] = "workers",
};

/* The boolean flags, by name, and where each lands in options_t. */
static const struct {
	const char *name;
	size_t at;
} bool_flags[] = {
	{ "config.check", offsetof(options_t, config_check) },
	{ "config.enable-auto-reload", offsetof(options_t, auto_reload) },
	{ "web.systemd-socket", offsetof(options_t, systemd_socket) },
};

/* Kingpin-style flags: --name=value or --name value; booleans also --no-name. Returns 0, 1 (error) or
 * 2 (exit 0, e.g. --help). */
static int parse_flags(int argc, char **argv, options_t *o)
{
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 2;
		}
		if (strcmp(a, "--version") == 0) {
			printf("nsprobe, version %s (blackbox_exporter-compatible DNS prober)\n", NSPROBE_VERSION);
			return 2;
		}
		if (strncmp(a, "--", 2) != 0)
			return die_usage("unexpected %s", a);
		char name[64];
		const char *val = NULL;
		const char *eq = strchr(a, '=');
		size_t nl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (nl >= sizeof(name))
			return die_usage("unknown long flag '%s'", a);
		memcpy(name, a + 2, nl);
		name[nl] = '\0';
		if (eq)
			val = eq + 1;
		/* booleans: --name or --no-name */
		bool on = strncmp(name, "no-", 3) != 0;
		const char *bare = on ? name : name + 3;
		size_t b = 0;
		while (b < sizeof bool_flags / sizeof bool_flags[0] && strcmp(bare, bool_flags[b].name) != 0)
			b++;
		if (b < sizeof bool_flags / sizeof bool_flags[0]) {
			*(bool *)((char *)o + bool_flags[b].at) = on;
			continue;
		}
		/* kingpin names an unknown flag before it asks for an argument */
		size_t f = 0;
		while (f < F__COUNT && strcmp(name, value_flags[f]) != 0)
			f++;
		if (f == F__COUNT)
			return die_usage("unknown long flag '--%s'", name);
		if (!val) {
			if (i + 1 >= argc)
				return die_usage("expected argument for flag '--%s'", name);
			val = argv[++i];
		}
		char *end;
		switch ((value_flag_t)f) {
		case F_CONFIG_FILE:
			o->config_file = val;
			break;
		case F_LISTEN:
			if (o->nlisten == MAX_LISTEN)
				return die_usage("too many listen addresses (%s)", val);
			o->listen[o->nlisten++] = val;
			break;
		case F_TIMEOUT_OFFSET:
			o->timeout_offset = strtod(val, &end);
			if (*end || end == val)
				return die_usage("invalid --timeout-offset '%s'", val);
			break;
		case F_RELOAD_INTERVAL:
			/* kingpin's Uint: whole seconds, no unit */
			o->auto_reload_s = strtoul(val, &end, 10);
			if (*end || end == val || val[0] == '-' || o->auto_reload_s > 100000000UL)
				return die_usage("invalid --config.auto-reload-interval '%s'", val);
			break;
		case F_HISTORY:
			o->history_limit = strtoul(val, &end, 10);
			if (*end || end == val || val[0] == '-')
				return die_usage("invalid --history.limit '%s'", val);
			break;
		case F_LOG_LEVEL:
			o->log_level = val;
			break;
		case F_LOG_PROBER:
			o->log_prober = val;
			break;
		case F_LOG_FORMAT:
			o->log_format = val;
			break;
		case F_RESOLVER:
			o->resolver = val[0] ? val : NULL;
			break;
		case F_EXTERNAL_URL:
			o->external_url = val;
			break;
		case F_ROUTE_PREFIX:
			o->route_prefix = val;
			break;
		case F_WEB_CONFIG:
			o->web_config_file = val[0] ? val : NULL;
			break;
		case F_WORKERS:
			o->workers = strtol(val, &end, 10);
			if (*end || end == val || o->workers < 0 || o->workers > MAX_WORKERS)
				return die_usage("invalid --workers '%s'", val);
			break;
		case F__COUNT:
			break;
		}
	}
	return 0;
}

/* blackbox main.go computeExternalURL and the route prefix rules: the external URL defaults to
 * http://<hostname>:<port of the first listen address>, its path (without a trailing slash) is the
 * default prefix, and the prefix is "/" + trimmed of slashes. */
static int compute_routes(options_t *o, char *err, size_t errlen)
{
	const char *u = o->external_url;
	if (!u || !u[0]) {
		char host[256] = "localhost";
		gethostname(host, sizeof(host) - 1);
		const char *colon = strrchr(o->listen[0], ':');
		snprintf(o->external, sizeof(o->external), "http://%s:%s", host, colon ? colon + 1 : "9115");
	} else {
		size_t n = strlen(u);
		if (n && (u[0] == '"' || u[0] == '\'' || u[n - 1] == '"' || u[n - 1] == '\'')) {
			snprintf(err, errlen, "URL must not begin or end with quotes");
			return NSP_EINVAL;
		}
		snprintf(o->external, sizeof(o->external), "%s", u);
	}
	/* The path part loses its trailing slashes (it is the default prefix). */
	const char *scheme = strstr(o->external, "://");
	char *path = strchr(scheme ? scheme + 3 : o->external, '/');
	size_t el = strlen(o->external);
	while (path && o->external + el > path && o->external[el - 1] == '/')
		o->external[--el] = '\0';
	if (path && !*path)
		path = NULL;
	const char *rp = o->route_prefix && o->route_prefix[0] ? o->route_prefix : (path ? path : "");
	while (*rp == '/')
		rp++;
	size_t rl = strlen(rp);
	while (rl > 0 && rp[rl - 1] == '/')
		rl--;
	if (rl == 0)
		o->prefix[0] = '\0';
	else
		snprintf(o->prefix, sizeof(o->prefix), "/%.*s", (int)rl, rp);
	return 0;
}

/* ---- workers ---- */

static void on_drain(void *ctx)
{
	worker_t *w = ctx;
	if (http_server_active(w->http) == 0) {
		loop_stop(w->loop);
		return;
	}
	if (loop_now_ns() - w->stop_at > STOP_GRACE_NS) {
		/* Past the grace: end what still runs (a probe started on a kept-alive connection just
		 * before the stop included), and leave once nothing is suspended; the daemons then close
		 * idle and stalled connections. */
		http_server_abort_probes(w->http, "nsprobe is stopping");
		if (http_server_suspended(w->http) == 0) {
			loop_stop(w->loop);
			return;
		}
	}
	loop_timer_start(w->loop, &w->drain, loop_now_ns() + 20 * 1000000LL);
}

static void on_stop_request(void *ctx, int fd, uint32_t events)
{
	(void)events;
	worker_t *w = ctx;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	loop_unwatch(w->loop, fd);
	/* Stop accepting; probes in flight finish (within STOP_GRACE_NS), then the loop ends. */
	w->stop_at = loop_now_ns();
	http_server_quiesce(w->http);
	on_drain(w);
}

static void *worker_main(void *arg)
{
	worker_t *w = arg;
	if (loop_run(w->loop) != 0)
		log_error("event loop failed", "err", strerror(errno));
	return NULL;
}

static void worker_free(worker_t *w)
{
	http_server_free(w->http);
	dnsclient_free(w->dns);
	if (w->stopfd >= 0)
		close(w->stopfd);
	loop_free(w->loop);
	memset(w, 0, sizeof(*w));
	w->stopfd = -1;
}

/* What every worker's HTTP server shares: the web config and the password verifier pool. */
typedef struct web {
	webconfig_live_t *config; /* owned; NULL without --web.config.file */
	webauth_pool_t *auth;     /* owned; NULL without basic_auth_users */
} web_t;

static int worker_init(worker_t *w, exporter_t *ex, const options_t *o, const http_listen_t *addrs, size_t n,
                       size_t max_conns, const web_t *web)
{
	char err[512];
	memset(w, 0, sizeof(*w));
	w->stopfd = -1;
	w->loop = loop_new();
	if (!w->loop) {
		log_error("cannot create event loop", "err", strerror(errno));
		return NSP_ESYSTEM;
	}
	loop_timer_init(&w->drain, on_drain, w);
	w->dns = dnsclient_new(w->loop, o->resolver, err, sizeof(err));
	if (!w->dns) {
		log_error("cannot start the DNS client", "err", err);
		worker_free(w);
		return NSP_ELIB;
	}
	w->http = http_server_new(w->loop, w->dns, ex, addrs, n, max_conns, web->config, web->auth, err,
	                          sizeof(err));
	if (w->http)
		http_server_set_routes(w->http, o->prefix, o->external);
	if (!w->http) {
		log_error("Error starting HTTP server", "err", err);
		worker_free(w);
		return NSP_ESYSTEM;
	}
	w->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->stopfd < 0 || loop_watch(w->loop, w->stopfd, EPOLLIN, on_stop_request, w) != 0) {
		log_error("cannot create eventfd", "err", strerror(errno));
		worker_free(w);
		return NSP_ESYSTEM;
	}
	return 0;
}

/* Every waiting probe holds an HTTP connection; thousands must fit. As Go does at start since 1.19
 * (os/rlimit.go), the soft RLIMIT_NOFILE goes up to the hard one; the soft 1024 is a relic of
 * select(2), which nothing here uses. Returns the soft limit in force (*hard: the hard one). */
static uint64_t raise_fd_limit(uint64_t *hard)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		*hard = 1024;
		return 1024;
	}
	*hard = (uint64_t)rl.rlim_max;
	if (rl.rlim_cur < rl.rlim_max) {
		char from[24], to[24];
		snprintf(from, sizeof(from), "%llu", (unsigned long long)rl.rlim_cur);
		snprintf(to, sizeof(to), "%llu", (unsigned long long)rl.rlim_max);
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			/* e.g. a seccomp filter without setrlimit, or an unlimited hard limit above nr_open */
			log_warn("cannot raise the descriptor limit", "from", from, "to", to, "err", strerror(errno));
			rl.rlim_cur = was;
		} else {
			log_debug("Raised the descriptor limit", "from", from, "to", to);
		}
	}
	return (uint64_t)rl.rlim_cur;
}

/* Descriptors open before nsprobe opened any beyond stdio: inherited from a careless parent or passed
 * by systemd (sockets, a journal stream). They count against RLIMIT_NOFILE like our own, so the
 * connection budget leaves them out. */
static uint64_t inherited_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	uint64_t n = 0;
	int self = dirfd(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (e->d_name[0] != '.' && *end == '\0' && fd > STDERR_FILENO && fd != self)
			n++;
	}
	closedir(d);
	return n;
}

/* ---- signals on the main thread ---- */

typedef struct mainctx {
	loop_t *loop;
	exporter_t *ex;
	int64_t reload_every_ns;        /* --config.enable-auto-reload: the check's period (0: off) */
	loop_timer_t auto_reload;
	webconfig_live_t *web;          /* --web.config.file, looked at every second */
	loop_timer_t web_check;
	int sigfd;
	int interrupts;
	bool stopping;
} mainctx_t;

/* blackbox 0.28's auto-reload tick: a reload only when the checksum changed, with a SIGHUP's lines
 * after its own (0.28 also writes "Configuration checksum check passed. No changes detected." and
 * "Reloaded config file" on every unchanged tick; that stays at debug here, and the reload metrics
 * move only with a reload). A broken file is tried again every tick until it loads. */
static void on_auto_reload(void *ctx)
{
	mainctx_t *m = ctx;
	char err[CONFIG_ERRLEN];
	bool changed = false;
	int r = exporter_reload_if_changed(m->ex, &changed, err, sizeof(err));
	if (!changed) {
		log_debug("Configuration checksum check passed. No changes detected.");
	} else {
		log_info("Configuration file change detected, reloading the configuration.");
		if (r != 0)
			log_error("Error reloading config", "err", err);
		else
			log_info("Reloaded config file");
	}
	if (loop_timer_start(m->loop, &m->auto_reload, loop_now_ns() + m->reload_every_ns) != 0)
		log_error("cannot arm the auto-reload timer; automatic reloads stop");
}

#define WEB_CHECK_NS 1000000000LL

/* exporter-toolkit re-reads the web config per request; here a changed file (inode, size, mtime,
 * ctime) is loaded within a second. A broken one is logged with exporter-toolkit's text and the last
 * good one keeps serving (exporter-toolkit answers 500 then). */
static void on_web_check(void *ctx)
{
	mainctx_t *m = ctx;
	char err[1024];
	int r = webconfig_live_check(m->web, err, sizeof(err));
	if (r == WEBCONFIG_RELOADED)
		log_info("Reloaded web config file");
	else if (r == WEBCONFIG_BROKEN)
		log_error("Unable to parse configuration", "err", err, "action", "keeping the last good web config");
	if (loop_timer_start(m->loop, &m->web_check, loop_now_ns() + WEB_CHECK_NS) != 0)
		log_error("cannot arm the web config timer; changes to it are no longer read");
}

static void on_signal(void *ctx, int fd, uint32_t events)
{
	(void)events;
	mainctx_t *m = ctx;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			char err[CONFIG_ERRLEN];
			if (exporter_reload(m->ex, err, sizeof(err)) != 0)
				log_error("Error reloading config", "err", err);
			else
				log_info("Reloaded config file");
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			if (si.ssi_signo == SIGINT && ++m->interrupts > 1) {
				log_warn("Received a second SIGINT, exiting now");
				_exit(1);
			}
			log_info(si.ssi_signo == SIGTERM ? "Received SIGTERM, exiting gracefully..."
			                                 : "Received SIGINT, exiting gracefully...");
			m->stopping = true;
			loop_stop(m->loop);
		}
	}
}

int main(int argc, char **argv)
{
	options_t o = {
		.config_file = "blackbox.yml",
		.timeout_offset = 0.5,
		.history_limit = 100,
		.log_level = "info",
		.log_format = "logfmt",
		.auto_reload_s = 30,
	};
	uint64_t inherited = inherited_fds();
	int pr = parse_flags(argc, argv, &o);
	if (pr)
		return pr == 2 ? 0 : 1;
	if (o.nlisten == 0)
		o.listen[o.nlisten++] = ":9115";
	log_level_t lvl;
	log_format_t fmt;
	if (log_level_from_str(o.log_level, &lvl) != 0)
		return die_usage("invalid --log.level '%s'", o.log_level);
	if (log_format_from_str(o.log_format, &fmt) != 0)
		return die_usage("invalid --log.format '%s'", o.log_format);
	log_setup(lvl, fmt);
	if (o.log_prober) {
		/* promslog's Level.Set (case-insensitive); a bad value warns and keeps info, as 0.28. */
		char low[16] = "";
		size_t n = strlen(o.log_prober);
		for (size_t i = 0; i < n && i < sizeof(low) - 1; i++)
			low[i] = (char)tolower((unsigned char)o.log_prober[i]);
		log_level_t plvl = LOG_INFO;
		if (n >= sizeof(low) || log_level_from_str(low, &plvl) != 0) {
			char why[160];
			snprintf(why, sizeof(why), "unrecognized log level %s", o.log_prober);
			log_warn("Error setting log prober level, log prober level unchanged", "err", why, "current_level",
			         "info");
			plvl = LOG_INFO;
		}
		log_setup_prober(plvl);
	}

	if (o.config_check) {
		char err[CONFIG_ERRLEN];
		config_t *cfg = NULL;
		if (config_load(o.config_file, &cfg, err, sizeof(err)) != 0) {
			log_error("Error loading config", "err", err);
			return 1;
		}
		config_unref(cfg);
		log_info("Config file is ok exiting...");
		return 0;
	}
	log_info("Starting nsprobe", "version", NSPROBE_VERSION);
	if (dnsclient_global_init() != 0) {
		log_error("cannot initialise c-ares or libsodium");
		return 1;
	}
	exporter_t *ex = NULL;
	char err[CONFIG_ERRLEN];
	if (exporter_new(&ex, o.config_file, o.timeout_offset, o.history_limit, err, sizeof(err)) != 0) {
		log_error("Error loading config", "err", err);
		return 1;
	}
	log_info("Loaded config file");

	http_listen_t addrs[MAX_LISTEN * 2];
	size_t naddrs = 0;
	int sd_fds[MAX_LISTEN];
	int nsd = 0;
	if (o.systemd_socket) {
		/* exporter-toolkit's ListenAndServe: the passed sockets instead of --web.listen-address;
		 * blackbox 0.25+ cannot derive the external URL from them. */
		if (!o.external_url || !o.external_url[0]) {
			log_error("Cannot automatically infer external URL with systemd socket listener. Please "
			          "provide --web.external-url");
			exporter_free(ex);
			return 1;
		}
		log_info("Listening on systemd activated listeners instead of port listeners.");
		nsd = listener_systemd_fds(sd_fds, MAX_LISTEN, err, sizeof(err));
		if (nsd == 0)
			snprintf(err, sizeof(err), "no socket activation file descriptors found");
		for (int i = 0; i < nsd; i++) {
			if (http_listen_from_fd(sd_fds[i], &addrs[naddrs], err, sizeof(err)) != 0) {
				nsd = -1;
				break;
			}
			naddrs++;
		}
		if (nsd <= 0) {
			log_error("Error starting HTTP server", "err", err);
			exporter_free(ex);
			return 1;
		}
	} else {
		for (size_t i = 0; i < o.nlisten; i++) {
			int n = http_listen_parse(o.listen[i], addrs + naddrs, MAX_LISTEN * 2 - naddrs, err, sizeof(err));
			if (n < 0) {
				log_error("Error starting HTTP server", "err", err);
				exporter_free(ex);
				return 1;
			}
			naddrs += (size_t)n;
		}
	}
	if (compute_routes(&o, err, sizeof(err)) != 0) {
		log_error("failed to determine external URL", "err", err);
		exporter_free(ex);
		return 1;
	}
	for (size_t i = 0; i < naddrs; i++) {
		if (addrs[i].fd == 0 && http_listen_check(&addrs[i], err, sizeof(err)) != 0) {
			log_error("Error starting HTTP server", "err", err);
			exporter_free(ex);
			return 1;
		}
	}

	/* The web config is read here: a broken file, certificate or hash stops the start. exporter-
	 * toolkit reads it per request; reading files and checking keys on the loops would stall them,
	 * so the main thread looks at it once a second and swaps in a changed one (webconfig_live). */
	web_t web = { 0 };
	bool tls = false;
	if (o.web_config_file) {
		webconfig_t *first = NULL;
		if (webconfig_load(o.web_config_file, &first, err, sizeof(err)) != 0) {
			log_error("Error starting HTTP server", "err", err);
			exporter_free(ex);
			return 1;
		}
		tls = first->tls;
		web.config = webconfig_live_new(o.web_config_file, first);
		if (!web.config) {
			log_error("Error starting HTTP server", "err", "out of memory");
			exporter_free(ex);
			return 1;
		}
	}

	/* Signals go to the main thread's signalfd only: block them before threads inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	uint64_t hard_limit;
	uint64_t fd_limit = raise_fd_limit(&hard_limit);

	/* After the mask: the verifier threads must not take SIGTERM's default action either. */
	if (web.config) {
		/* Also without users: a re-read web config may add them. */
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		web.auth = webauth_pool_new(ncpu > 1 ? 2 : 1);
		if (!web.auth) {
			log_error("cannot start the password verifier threads");
			webconfig_live_free(web.config);
			exporter_free(ex);
			return 1;
		}
	}

	long nworkers = o.workers ? o.workers : sysconf(_SC_NPROCESSORS_ONLN);
	if (nworkers < 1)
		nworkers = 1;
	if (nworkers > MAX_WORKERS)
		nworkers = MAX_WORKERS;
	/* Each worker accepts up to its share of the descriptors; the rest wait in the backlog, and an
	 * accept that still runs out (EMFILE) backs off and says so. */
	size_t max_conns = listener_conn_budget(fd_limit > inherited ? fd_limit - inherited : 0, (size_t)nworkers);
	{
		char lim[24], hard[24], inh[24], nw[24], per[24];
		snprintf(lim, sizeof(lim), "%llu", (unsigned long long)fd_limit);
		snprintf(hard, sizeof(hard), "%llu", (unsigned long long)hard_limit);
		snprintf(inh, sizeof(inh), "%llu", (unsigned long long)inherited);
		snprintf(nw, sizeof(nw), "%ld", nworkers);
		snprintf(per, sizeof(per), "%zu", max_conns);
		log_debug("Connection budget", "descriptor_limit", lim, "hard_limit", hard, "inherited", inh,
		          "workers", nw, "connections_per_worker", per);
		/* Inherited descriptors eat into what is left for clients: say so where it shows. */
		if (inherited > 16)
			log_warn("Descriptors inherited at start reduce the connection budget", "inherited", inh,
			         "descriptor_limit", lim, "connections_per_worker", per);
	}
	worker_t *workers = calloc((size_t)nworkers, sizeof(*workers));
	int rc = 1;
	mainctx_t m = { .ex = ex, .sigfd = -1 };
	if (!workers)
		goto out;
	for (long i = 0; i < nworkers; i++) {
		if (worker_init(&workers[i], ex, &o, addrs, naddrs, max_conns, &web) != 0)
			goto out;
	}
	/* Every worker serves duplicates of the passed sockets now. */
	for (int i = 0; i < nsd; i++)
		close(sd_fds[i]);
	for (size_t i = 0; i < (nsd > 0 ? (size_t)nsd : o.nlisten); i++) {
		char name[128];
		if (nsd > 0)
			http_listen_name(&addrs[i], name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s", o.listen[i]);
		log_info("Listening on", "address", name);
		/* exporter-toolkit's line; nsprobe speaks HTTP/1.1 only, so http2 is always false. */
		log_info(tls ? "TLS is enabled." : "TLS is disabled.", "http2", "false", "address", name);
	}

	m.loop = loop_new();
	m.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (!m.loop || m.sigfd < 0 || loop_watch(m.loop, m.sigfd, EPOLLIN, on_signal, &m) != 0) {
		log_error("cannot set up signal handling", "err", strerror(errno));
		goto out;
	}
	if (web.config) {
		m.web = web.config;
		loop_timer_init(&m.web_check, on_web_check, &m);
		if (loop_timer_start(m.loop, &m.web_check, loop_now_ns() + WEB_CHECK_NS) != 0) {
			log_error("cannot arm the web config timer");
			goto out;
		}
	}
	if (o.auto_reload && o.auto_reload_s > 0) {
		m.reload_every_ns = (int64_t)o.auto_reload_s * 1000000000LL;
		loop_timer_init(&m.auto_reload, on_auto_reload, &m);
		if (loop_timer_start(m.loop, &m.auto_reload, loop_now_ns() + m.reload_every_ns) != 0) {
			log_error("cannot arm the auto-reload timer");
			goto out;
		}
	}
	for (long i = 0; i < nworkers; i++) {
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
			log_error("cannot start worker thread", "err", strerror(errno));
			goto out;
		}
		workers[i].started = true;
	}
	loop_run(m.loop);
	rc = 0;
	/* While the workers drain, a second SIGINT or SIGTERM must still end the process: give both
	 * back their default action and unblock them on this thread. */
	{
		sigset_t stop;
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	}
out:
	for (long i = 0; workers && i < nworkers; i++) {
		if (workers[i].started) {
			uint64_t one = 1;
			if (write(workers[i].stopfd, &one, sizeof(one)) < 0)
				log_warn("cannot signal worker", "err", strerror(errno));
		}
	}
	for (long i = 0; workers && i < nworkers; i++) {
		if (workers[i].started)
			pthread_join(workers[i].thread, NULL);
		if (workers[i].loop)
			worker_free(&workers[i]);
	}
	free(workers);
	/* After the workers: their servers held clients of the pool and borrowed the config. */
	webauth_pool_free(web.auth);
	webconfig_live_free(web.config);
	if (m.sigfd >= 0)
		close(m.sigfd);
	if (m.loop && m.reload_every_ns)
		loop_timer_stop(m.loop, &m.auto_reload);
	if (m.loop && m.web)
		loop_timer_stop(m.loop, &m.web_check);
	loop_free(m.loop);
	exporter_free(ex);
	dnsclient_global_cleanup();
	return rc;
}
