/*
 * sgload.c - the load generator of bench/run: SOCKS5 (RFC 1928) and
 * username/password (RFC 1929) spoken here, with blocking sockets and
 * one thread per stream or worker, so that the client does little more
 * than the system calls the proxy under test answers.
 *
 *   sgload sink|echo [--bind ADDR]... [--port N] [--threads T]
 *                    [--port-file F] [--max-secs S]
 *   sgload bulk     [--proxy ADDR] --dest ADDR [--streams N] [--secs D]
 *                    [--spread]
 *   sgload connrate [--proxy ADDR] --dest ADDR [--workers W] [--secs D]
 *                    [--count N] [--spread]
 *   sgload idle      --proxy ADDR  --dest ADDR  --count N [--workers W]
 *                    [--hold S] [--spread]
 *   sgload pam       --service S --user U [--workers W] [--secs D]
 *
 * ADDR is HOST:PORT or [V6]:PORT; a destination HOST that is not a
 * literal address goes to the proxy as a DOMAINNAME (without --proxy it
 * is resolved once, here).  --user U logs in with method 0x02; the
 * password comes from the environment (SGLOAD_PASSWORD), never argv.
 * --spread gives each stream or worker its own client address: worker k
 * (from 0) binds 127.0.0.2 + k (127.0.0.2, .3, ...) before it connects,
 * so that a proxy which shares something out per client address (as
 * sixgated does its PAM workers) sees W clients, not one.  IPv4 only:
 * the proxy (or, without one, the destination) must be an address in
 * 127.0.0.0/8, where every address is local on Linux; with ::1 sgload
 * refuses it (there is one IPv6 loopback address).
 * The sink answers the bytes it got, as a decimal line, at EOF or at a
 * byte 1 (bulk sends zeros, then that byte, then waits for the count).
 * Results are one line of KEY=VALUE words on standard output.  Every
 * loop is bounded by a deadline; every socket read or write by
 * --timeout (default 10 s).  This is a benchmark tool: nothing here is
 * part of the daemon.
 */
#include "sgconfig.h"

#include "sgload.h"

struct opts o;
struct worker workers[MAX_THREADS];
pthread_barrier_t barrier;
double deadline;
atomic_long claimed;

void
run_workers(int n, void *(*fn)(void *), long *done, long *errors,
    double *start, double *end)
{
	int k;

	pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
	for (k = 0; k < n; k++) {
		workers[k].id = k;
		if (pthread_create(&workers[k].tid, NULL, fn, &workers[k]))
			die("pthread_create failed");
	}
	deadline = now() + o.secs;	/* the barrier publishes it */
	pthread_barrier_wait(&barrier);
	for (k = 0; k < n; k++) {
		pthread_join(workers[k].tid, NULL);
		*done += workers[k].done;
		*errors += workers[k].errors;
		if (workers[k].start < *start)
			*start = workers[k].start;
		if (workers[k].end > *end)
			*end = workers[k].end;
	}
	pthread_barrier_destroy(&barrier);
}

/* ------------------------------------------------------------ bulk */


static void *
bulk_stream(void *arg)
{
	struct worker *w = arg;
	static const char zero[BULK_CHUNK];
	char line[32];
	ssize_t r;
	size_t got = 0;
	int fd;

	fd = open_relay(w);
	pthread_barrier_wait(&barrier);
	w->start = now();
	if (fd < 0) {
		w->errors++;
		return NULL;
	}
	set_timeouts(fd, o.timeout + o.secs);
	while (now() < w->start + o.secs)
		if (write_all(fd, zero, sizeof(zero)) != 0) {
			w->why = "write";
			w->errors++;
			break;
		}
	/*
	 * The blocks are zeros; one byte 1 ends them, and the sink answers
	 * the count: no half-close needed, which not every proxy carries
	 * (microsocks closes both ways on the first EOF).
	 */
	if (!w->errors && write_all(fd, "\1", 1) != 0) {
		w->why = "write";
		w->errors++;
	}
	while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL &&
	    (r = recv(fd, line + got, sizeof(line) - 1 - got, 0)) > 0)
		got += (size_t)r;
	line[got] = '\0';
	w->end = now();
	if (got == 0 || sscanf(line, "%" SCNu64, &w->bytes) != 1) {
		w->why = "sink answer";
		w->errors++;
	}
	close(fd);
	return NULL;
}

static int
run_bulk(void)
{
	double start = 1e300, end = 0;
	uint64_t bytes = 0;
	long errors = 0;
	int i;

	pthread_barrier_init(&barrier, NULL, (unsigned)o.streams);
	for (i = 0; i < o.streams; i++) {
		workers[i].id = i;
		if (pthread_create(&workers[i].tid, NULL, bulk_stream, &workers[i]))
			die("pthread_create failed");
	}
	for (i = 0; i < o.streams; i++) {
		pthread_join(workers[i].tid, NULL);
		if (workers[i].errors) {
			fprintf(stderr, "sgload: stream %d: %s failed\n", i,
			    workers[i].why);
			errors += workers[i].errors;
		}
		bytes += workers[i].bytes;
		if (workers[i].start < start)
			start = workers[i].start;
		if (workers[i].end > end)
			end = workers[i].end;
	}
	printf("bulk streams=%d secs=%.3f bytes=%llu mbps=%.1f errors=%ld\n",
	    o.streams, end - start, (unsigned long long)bytes,
	    end > start ? bytes / (end - start) / 1e6 : 0.0, errors);
	return errors ? 1 : 0;
}

/* ------------------------------------------------------------ connrate */

static void *
conn_worker(void *arg)
{
	struct worker *w = arg;
	double t0;
	int fd;

	w->lat = malloc(MAX_SAMPLES * sizeof(*w->lat));
	if (w->lat == NULL)
		die("out of memory");
	pthread_barrier_wait(&barrier);
	w->start = now();
	while ((t0 = now()) < deadline) {
		if (o.count > 0 && atomic_fetch_add(&claimed, 1) >= o.count)
			break;
		fd = open_relay(w);
		if (fd < 0 || echo_byte(fd, 'c') != 0) {
			if (fd >= 0) {
				w->why = "echo";
				close(fd);
			}
			if (w->errors++ < 3)
				fprintf(stderr, "sgload: worker %d: %s failed: "
				    "%s\n", w->id, w->why, strerror(errno));
			usleep(1000);
			continue;
		}
		close(fd);
		w->done++;
		if (w->nlat < MAX_SAMPLES)
			w->lat[w->nlat++] = (uint32_t)((now() - t0) * 1e6);
	}
	w->end = now();
	return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
run_connrate(void)
{
	uint32_t *all;
	long done = 0, errors = 0, n = 0, i;
	double start = 1e300, end = 0;
	int k;

	run_workers(o.workers, conn_worker, &done, &errors, &start, &end);
	for (k = 0; k < o.workers; k++)
		n += workers[k].nlat;
	all = malloc((size_t)(n + 1) * sizeof(*all));
	if (all == NULL)
		die("out of memory");
	for (n = 0, k = 0; k < o.workers; k++)
		for (i = 0; i < workers[k].nlat; i++)
			all[n++] = workers[k].lat[i];
	qsort(all, (size_t)n, sizeof(*all), cmp_u32);
	printf("connrate workers=%d conns=%ld secs=%.3f rate=%.1f p50_us=%u "
	    "p99_us=%u errors=%ld\n", o.workers, done, end - start,
	    end > start ? done / (end - start) : 0.0,
	    n ? all[n / 2] : 0, n ? all[n * 99 / 100] : 0, errors);
	free(all);
	return done > 0 && errors == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ idle */

static void *
idle_opener(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = 0; i < w->nfds; i++) {
		w->fds[i] = -1;
		if (now() > deadline)
			break;
		w->fds[i] = open_relay(w);
		if (w->fds[i] < 0 || echo_byte(w->fds[i], 'i') != 0) {
			if (w->errors++ < 3)
				fprintf(stderr, "sgload: relay %ld: %s failed: "
				    "%s\n", i, w->why, strerror(errno));
			if (w->fds[i] >= 0)
				close(w->fds[i]);
			w->fds[i] = -1;
			continue;
		}
		w->done++;
	}
	return NULL;
}

static int
run_idle(void)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	char line[64];
	int *fds;
	long opened = 0, errors = 0, ok = 0, i, per;
	double t0 = now();
	int k;

	if (o.count <= 0)
		die("idle needs --count N");
	fds = calloc((size_t)o.count, sizeof(*fds));
	if (fds == NULL)
		die("out of memory");
	per = (o.count + o.workers - 1) / o.workers;
	deadline = now() + o.timeout * 30;
	for (k = 0; k < o.workers; k++) {
		workers[k].id = k;
		workers[k].fds = fds + k * per;
		workers[k].nfds = k * per >= o.count ? 0 :
		    (o.count - k * per < per ? o.count - k * per : per);
		if (pthread_create(&workers[k].tid, NULL, idle_opener,
		    &workers[k]))
			die("pthread_create failed");
	}
	for (k = 0; k < o.workers; k++) {
		pthread_join(workers[k].tid, NULL);
		opened += workers[k].done;
		errors += workers[k].errors;
	}
	printf("ready relays=%ld errors=%ld secs=%.3f\n", opened, errors,
	    now() - t0);
	fflush(stdout);
	/* Hold until a line (or EOF) on stdin, or --hold seconds. */
	if (poll(&pfd, 1, (int)(o.hold * 1000)) == 1)
		(void)!read(0, line, sizeof(line));
	for (i = 0; i < o.count; i++) {
		if (fds[i] < 0)
			continue;
		if (echo_byte(fds[i], 'v') == 0)
			ok++;
		close(fds[i]);
	}
	printf("verified relays=%ld ok=%ld failed=%ld\n", o.count, ok,
	    o.count - ok);
	free(fds);
	return ok == o.count ? 0 : 1;
}

/* ------------------------------------------------------------ pam */

static int
pam_conv_fn(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	struct pam_response *r;
	int i;

	(void)appdata;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF)
			r[i].resp = strdup(o.pass);
		else if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(o.user);
	}
	*resp = r;
	return PAM_SUCCESS;
}

static void *
pam_worker(void *arg)
{
	struct worker *w = arg;
	struct pam_conv conv = { pam_conv_fn, NULL };
	pam_handle_t *ph;
	double t0;
	int rc;

	pthread_barrier_wait(&barrier);
	w->start = now();
	while ((t0 = now()) < deadline) {
		ph = NULL;
		rc = pam_start(o.service, o.user, &conv, &ph);
		if (rc == PAM_SUCCESS)
			rc = pam_authenticate(ph, PAM_SILENT);
		if (rc == PAM_SUCCESS)
			rc = pam_acct_mgmt(ph, PAM_SILENT);
		if (ph != NULL)
			pam_end(ph, rc);
		if (rc != PAM_SUCCESS) {
			if (w->errors++ < 3)
				fprintf(stderr, "sgload: pam: %s\n",
				    pam_strerror(NULL, rc));
			usleep(10000);
			continue;
		}
		w->done++;
	}
	w->end = now();
	(void)t0;
	return NULL;
}

static int
run_pam(void)
{
	long done = 0, errors = 0;
	double start = 1e300, end = 0;

	if (o.service == NULL || o.user == NULL)
		die("pam needs --service and --user");
	run_workers(o.workers, pam_worker, &done, &errors, &start, &end);
	printf("pam workers=%d auths=%ld secs=%.3f rate=%.1f errors=%ld\n",
	    o.workers, done, end - start,
	    end > start ? done / (end - start) : 0.0, errors);
	return done > 0 && errors == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ main */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: sgload sink|echo|bulk|connrate|idle|pam "
	    "[options] (see the comment at the top of bench/sgload.c)\n"
	    "  --spread (bulk, connrate, idle): worker k connects from "
	    "127.0.0.2 + k;\n  IPv4 only: the proxy must be on 127.0.0.0/8, "
	    "not ::1\n");
	exit(2);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The options checked, then the command run: its exit status. */
static int
run(const char *dest)
{
	if (o.threads < 1 || o.threads > MAX_THREADS ||
	    o.streams < 1 || o.streams > MAX_THREADS || o.workers < 1 ||
	    o.workers > MAX_THREADS || o.secs <= 0 || o.secs > 3600 ||
	    o.timeout <= 0 || o.hold < 0 || o.hold > 86400)
		usage();
	if (o.use_proxy && o.proxy.is_name)
		die("--proxy wants an address, not a name");
	if (o.spread && (strcmp(o.mode, "sink") == 0 ||
	    strcmp(o.mode, "echo") == 0 || strcmp(o.mode, "pam") == 0))
		die("--spread is for bulk, connrate and idle");
	raise_nofile();
	if (o.user != NULL && (o.pass = getenv("SGLOAD_PASSWORD")) == NULL)
		die("--user needs SGLOAD_PASSWORD in the environment");
	if (o.user != NULL && (strlen(o.user) > 255 || strlen(o.pass) > 255))
		die("user or password longer than 255 bytes");
	if (strcmp(o.mode, "sink") == 0 || strcmp(o.mode, "echo") == 0)
		return run_server(o.mode[0] == 'e');
	if (strcmp(o.mode, "pam") == 0)
		return run_pam();
	if (dest == NULL)
		usage();
	parse_addr(dest, &o.dest);
	if (o.dest.is_name && !o.use_proxy)
		resolve_name(&o.dest);
	if (o.spread && !spread_ok(o.use_proxy ? &o.proxy : &o.dest))
		die("--spread is IPv4 only: worker k connects from 127.0.0.2 + k, "
		    "so the %s must be an address in 127.0.0.0/8 (not %s)",
		    o.use_proxy ? "proxy" : "destination",
		    o.use_proxy ? o.proxy.host : o.dest.host);
	if (strcmp(o.mode, "bulk") == 0)
		return run_bulk();
	if (strcmp(o.mode, "connrate") == 0)
		return run_connrate();
	if (strcmp(o.mode, "idle") == 0)
		return run_idle();
	usage();
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "proxy", 1, NULL, 'x' }, { "dest", 1, NULL, 'd' },
		{ "user", 1, NULL, 'u' }, { "service", 1, NULL, 'S' },
		{ "bind", 1, NULL, 'b' }, { "port", 1, NULL, 'p' },
		{ "threads", 1, NULL, 'T' }, { "streams", 1, NULL, 'n' },
		{ "workers", 1, NULL, 'w' }, { "count", 1, NULL, 'c' },
		{ "secs", 1, NULL, 's' }, { "hold", 1, NULL, 'H' },
		{ "timeout", 1, NULL, 't' }, { "max-secs", 1, NULL, 'M' },
		{ "port-file", 1, NULL, 'P' }, { "spread", 0, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dest = NULL;
	int ch;

	if (argc < 2)
		usage();
	o.mode = argv[1];
	o.threads = 2;
	o.streams = 1;
	o.workers = 1;
	o.secs = 3;
	o.hold = 60;
	o.timeout = 10;
	o.max_secs = 3600;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'x': parse_addr(optarg, &o.proxy); o.use_proxy = 1; break;
		case 'd': dest = optarg; break;
		case 'u': o.user = optarg; break;
		case 'S': o.service = optarg; break;
		case 'b':
			if (o.nbinds == MAX_BINDS)
				die("at most %d --bind", MAX_BINDS);
			o.binds[o.nbinds++] = optarg;
			break;
		case 'p': o.port = atoi(optarg); break;
		case 'T': o.threads = atoi(optarg); break;
		case 'n': o.streams = atoi(optarg); break;
		case 'w': o.workers = atoi(optarg); break;
		case 'c': o.count = atol(optarg); break;
		case 's': o.secs = atof(optarg); break;
		case 'H': o.hold = atof(optarg); break;
		case 't': o.timeout = atof(optarg); break;
		case 'M': o.max_secs = atof(optarg); break;
		case 'P': o.port_file = optarg; break;
		case 'R': o.spread = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	return run(dest);
}
