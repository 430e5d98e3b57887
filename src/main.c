/*
 * main.c - sixgated: options, start-up order, signal loop, shutdown.
 *
 * Start-up: parse and validate the configuration (-n stops here), raise
 * the descriptor limit, bind the listeners, drop privileges, detach
 * (unless -d), block signals, start the acceptor; then wait for signals
 * with sigwait: SIGHUP reloads, SIGTERM/SIGINT drain and exit.  Under
 * systemd (Type=notify) each step is reported through notify.c.
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "acceptor.h"
#include "authcache.h"
#include "authpool.h"
#include "config.h"
#include "control.h"
#include "dns_udp.h"
#include "faketable.h"
#include "fdbudget.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "portmap_udp.h"
#include "pipepool.h"
#include "relay.h"
#include "registry.h"
#include "sgio.h"
#include "sock.h"
#include "statekeep.h"
#include "stats.h"

#define DEFAULT_CONFIG	SYSCONFDIR "/sixgate/sixgated.conf"
/* After the cut, how long sessions get to log their access lines. */
#define CUT_WAIT_MS	2000

static void
usage(void)
{
	fprintf(stderr, "usage: sixgated [-dnV] [-v]... [-f file]\n");
	exit(1);
}

/*
 * The configuration named by -f, else the default file, else (only when
 * the default file does not exist) the embedded default.
 */
static struct config *
load_config(const char *path, char *err, size_t errlen)
{
	if (path != NULL)
		return config_load_file(path, err, errlen);
	if (access(DEFAULT_CONFIG, F_OK) == 0)
		return config_load_file(DEFAULT_CONFIG, err, errlen);
	return config_load_default(err, errlen);
}

/* Raise the soft descriptor limit to the hard one; return the limit. */
static long
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit(RLIMIT_NOFILE)");
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)rl.rlim_cur;
}

/*
 * Sessions draw on a budget of descriptors (fdbudget.h); say at start if
 * it cannot hold max_relays CONNECTs.
 */
static void
fd_budget(const struct config *c)
{
	long nofile = raise_nofile();

	fdbudget_init(nofile, c->auth_max_concurrent);
	if (fdbudget_total() / FDBUDGET_CONNECT < c->max_relays)
		log_warnx("limits.max_relays is %d but the descriptor limit "
		    "(%ld) allows about %d relays: requests beyond that are "
		    "refused", c->max_relays, nofile,
		    fdbudget_total() / FDBUDGET_CONNECT);
}

/*
 * setgroups/setgid/setuid to the configured user, with its groups (for
 * pam_unix that includes "shadow"), then prove root cannot come back.
 */
static void
drop_privileges(const char *user)
{
	struct passwd *pw;

	if (user[0] == '\0')
		return;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("user \"%s\" does not exist", user);
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return;
	if (geteuid() != 0)
		fatalx("cannot switch to user \"%s\": not started as root",
		    user);
	if (initgroups(user, pw->pw_gid) == -1)
		fatal("initgroups(%s)", user);
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1)
		fatal("setresgid");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("setresuid");
	if (pw->pw_uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
		fatalx("privileges could be regained after dropping them");
	log_info("running as user %s (uid %u)", user, (unsigned)pw->pw_uid);
}

static void
detach(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_to_syslog();
}

static void
reload(const char *path)
{
	struct config *cur = config_current(), *c;
	char err[CONFIG_ERRLEN];

	if ((c = load_config(path, err, sizeof(err))) == NULL) {
		log_warnx("reload failed: %s; keeping the old configuration",
		    err);
		notify_reload_failed(err);
		control_reload_done(false, err);
		config_release(cur);
		return;
	}
	if (!config_same_listeners(cur, c))
		log_warnx("reload: listen changes take effect only after a "
		    "restart; the old listeners stay open");
	if (!config_same_metrics(cur, c))
		log_warnx("reload: metrics.listen changes (and adding or "
		    "removing the metrics group) take effect only after a "
		    "restart; the metrics listener stays as it is");
	if (strcmp(cur->user, c->user) != 0)
		log_warnx("reload: a new user takes effect only after a "
		    "restart");
	config_release(cur);
	if (fake_configure(c) == -1)
		log_warnx("reload: out of memory for the fake table");
	config_publish(c);
	authcache_shared_flush();	/* logins are checked again */
	if (authpool_set_limit((unsigned)c->auth_max_concurrent) == -1)
		log_warn("reload: cannot start more PAM workers");
	log_info("configuration reloaded from %s", c->source);
	control_reload_done(true, c->source);
}

/*
 * Stop accepting, let relays finish up to the deadline, then cut the
 * rest (their access lines say end=shutdown) and exit.
 */
static void
shut_down(const sigset_t *set)
{
	struct config *c = config_current();
	int grace = c->timeout_shutdown;
	int64_t deadline = sgio_now_ms() + (int64_t)grace * 1000;
	struct timespec tick = { 0, 200 * 1000 * 1000 };
	int left, sig;

	config_release(c);
	notify_stopping();
	acceptor_stop();
	portmap_udp_stop();	/* each flow logs its access line */
	dns_udp_stop();
	left = registry_count();
	if (left > 0)
		log_info("shutting down: waiting up to %d s for %d sessions",
		    grace, left);
	else
		log_info("shutting down");
	while ((left = registry_wait_empty(sgio_now_ms() + 200)) > 0 &&
	    sgio_now_ms() < deadline) {
		/* A second SIGTERM/SIGINT means: now. */
		sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	if (left > 0) {
		/* Cut what is left: each relay still logs its access line. */
		log_info("shutting down: ending %d sessions", left);
		registry_cut_all();
		left = registry_wait_empty(sgio_now_ms() + CUT_WAIT_MS);
	}
	if (left > 0)
		log_info("exiting with %d sessions still open", left);
	/* After the relays: their last bytes are in the counters now. */
	statekeep_stop();
	control_close();
	pipepool_drain();
	exit(0);
}

struct opts {
	const char	*path;		/* -f, or NULL for the default */
	int		 foreground;	/* -d */
	int		 check;		/* -n */
	int		 verbose;	/* -v count */
};

static void
parse_opts(int argc, char *argv[], struct opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt(argc, argv, "df:nvV")) != -1) {
		switch (ch) {
		case 'd':
			o->foreground = 1;
			break;
		case 'f':
			o->path = optarg;
			break;
		case 'n':
			o->check = 1;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			printf("sixgated %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* Every listening socket, while we still have the rights to bind. */
static void
open_sockets(const struct config *c)
{
	char err[CONFIG_ERRLEN];

	/* First: a second daemon stops here before touching any port, and
	 * once "listening on" is logged the control socket answers.  A
	 * fatal exit from here on removes it (control_open's atexit). */
	if (control_open(c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (acceptor_open(c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (portmap_udp_open(c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (dns_udp_open(c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (fake_configure(c) == -1)
		fatalx("out of memory for the fake table");
	if (metrics_open(c, err, sizeof(err)) == -1)
		fatalx("%s", err);
}

/* The service threads, once the configuration is published. */
static void
start_threads(const struct config *c)
{
	if (authpool_set_limit((unsigned)c->auth_max_concurrent) == -1)
		fatal("cannot start the PAM workers");
	stats_init();
	/* Before the first client: its quota must already count. */
	if (statekeep_start(c) == -1)
		fatal("cannot start the state thread");
	if (control_start() == -1)
		fatal("cannot start the control thread");
	if (metrics_start() == -1)
		fatal("cannot start the metrics thread");
	if (acceptor_start() == -1)
		fatal("cannot start the accept thread");
	if (portmap_udp_start() == -1)
		fatal("cannot start the udp port mapping thread");
	if (dns_udp_start() == -1)
		fatal("cannot start the dns thread");
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct config *c;
	char err[CONFIG_ERRLEN];
	int sig;
	sigset_t set;

	parse_opts(argc, argv, &o);
	/* Until detached, everything goes to the terminal. */
	log_init(1, o.verbose);
	if ((c = load_config(o.path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* A missing user would only show at start-up: say so now. */
	if (c->user[0] != '\0' && getpwnam(c->user) == NULL) {
		fprintf(stderr, "%s:%d: user \"%s\" does not exist\n",
		    c->source, c->user_line, c->user);
		config_free(c);
		return 1;
	}
	if (o.check) {
		printf("configuration OK\n");
		config_free(c);
		return 0;
	}

	/* Sends use MSG_NOSIGNAL; splice to a closed peer still raises it. */
	signal(SIGPIPE, SIG_IGN);
	notify_init();
	log_info("sixgated %s starting, configuration %s", PACKAGE_VERSION,
	    c->source);
	fd_budget(c);
	open_sockets(c);
	drop_privileges(c->user);
	if (!o.foreground)
		detach();

	/* Every thread inherits this mask; only sigwait sees the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	config_publish(c);
	start_threads(c);
	notify_ready();
	for (;;) {
		if ((sig = notify_sigwait(&set)) == -1)
			continue;
		if (sig == SIGHUP) {
			notify_reloading();
			reload(o.path);
			notify_ready();
		} else
			shut_down(&set);
	}
	/* NOTREACHED */
}
