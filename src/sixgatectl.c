/*
 * sixgatectl.c - talk to a running sixgated over its control socket
 * (sixgatectl(8)): send one request line, print the answer.  Exit 0 on
 * success, 1 when the daemon reports an error, 2 on usage or connection
 * errors.
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sgio.h"

#define DEFAULT_SOCKET	"/run/sixgate/control.sock"
#define TIMEOUT_MS	15000	/* reload may take up to 10 s */

static void
usage(void)
{
	fprintf(stderr, "usage: sixgatectl [-s socket] [--json] command "
	    "[args]\n"
	    "commands: status | sessions | kill ID | kill --user NAME | "
	    "reload [--revoke] | quota [USER]\n");
	exit(2);
}

/*
 * The request line from the words after the options (argv[i..]), with
 * "--json" in front when asked: its length, or exits 2.
 */
static size_t
build_request(int i, int argc, char *argv[], int json, char *line,
    size_t size)
{
	int n = snprintf(line, size, "%s", json ? "--json" : "");

	for (; i < argc; i++) {
		if (strpbrk(argv[i], " \t\r\n") != NULL || argv[i][0] == '\0') {
			fprintf(stderr, "sixgatectl: arguments cannot hold "
			    "spaces or be empty\n");
			exit(2);
		}
		n += snprintf(line + n, size - (size_t)n, "%s%s", n ? " " : "",
		    argv[i]);
		if ((size_t)n >= size - 2) {
			fprintf(stderr, "sixgatectl: request too long\n");
			exit(2);
		}
	}
	line[n++] = '\n';
	line[n] = '\0';
	return (size_t)n;
}

/* A connected socket to the daemon, or exits 2 with the reason. */
static int
connect_control(const char *sock)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sixgatectl: %s: path too long\n", sock);
		exit(2);
	}
	memcpy(sun.sun_path, sock, strlen(sock));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "sixgatectl: cannot connect to %s: %s "
		    "(is sixgated running with a control socket?)\n", sock,
		    strerror(errno));
		exit(2);
	}
	return fd;
}

/*
 * The answer: "OK" or "ERR" on the first line, then the body, printed
 * as it comes (to stderr for ERR in text mode).  0, 1, or -1 when it is
 * not a sixgated answer; exits 2 on I/O errors.
 */
static int
read_answer(int fd, const char *sock, int json)
{
	char buf[8192], *nl;
	int status = -1;
	size_t len = 0;
	ssize_t r;

	for (;;) {
		/* TIMEOUT_MS without a byte is no answer. */
		r = sgio_recv_some(&sgio_libc, fd, buf + len,
		    sizeof(buf) - 1 - len, sgio_now_ms() + TIMEOUT_MS);
		if (r == -1 && errno == ETIMEDOUT) {
			fprintf(stderr, "sixgatectl: %s: no answer\n", sock);
			exit(2);
		}
		if (r == -1) {
			fprintf(stderr, "sixgatectl: %s: %s\n", sock,
			    strerror(errno));
			exit(2);
		}
		if (r == 0)
			return status;
		len += (size_t)r;
		buf[len] = '\0';
		if (status == -1) {
			if ((nl = memchr(buf, '\n', len)) == NULL) {
				if (len < 8)
					continue;
				return -1;
			}
			*nl = '\0';
			if (strcmp(buf, "OK") == 0)
				status = 0;
			else if (strcmp(buf, "ERR") == 0)
				status = 1;
			else
				return -1;
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		if (len > 0) {
			fwrite(buf, 1, len, status == 0 || json ? stdout :
			    stderr);
			len = 0;
		}
	}
}

int
main(int argc, char *argv[])
{
	const char *sock = DEFAULT_SOCKET;
	char line[600];
	int i, fd, json = 0, status;
	size_t n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			sock = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			usage();
		else if (strcmp(argv[i], "-V") == 0) {
			printf("sixgatectl %s\n", PACKAGE_VERSION);
			return 0;
		} else
			break;
	}
	if (i == argc)
		usage();
	n = build_request(i, argc, argv, json, line, sizeof(line));
	fd = connect_control(sock);
	if (send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n) {
		fprintf(stderr, "sixgatectl: %s: %s\n", sock, strerror(errno));
		return 2;
	}
	status = read_answer(fd, sock, json);
	close(fd);
	if (status == -1) {
		fprintf(stderr, "sixgatectl: %s: not a sixgated control "
		    "answer\n", sock);
		return 2;
	}
	return status;
}
