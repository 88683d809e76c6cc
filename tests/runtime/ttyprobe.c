/*
 * Test helper for the TIOCSTI seccomp filter (tests/runtime.rs).
 *
 *   ttyprobe run CMD ARGS...
 *     Opens a pseudo-terminal (raw mode, 33 rows x 101 columns), runs CMD in a
 *     new session with the pty slave as its controlling terminal and as
 *     stdin/stdout/stderr (like a terminal emulator running a shell), copies
 *     CMD's output to our stdout, and after CMD exits reads whatever is
 *     waiting in the terminal's INPUT queue, i.e. what the user's shell would
 *     read next. Prints "input-queue=<bytes, hex>" and "exit=<status>".
 *
 *   ttyprobe inject
 *     Run inside the jail: tries to push "id\n" into its controlling terminal
 *     with TIOCSTI, tries TIOCLINUX, and checks the ioctls a TUI needs
 *     (TIOCGWINSZ, tcgetattr, tcsetattr). Prints one key=value line each,
 *     the value being "ok" or the errno name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EIO: return "EIO";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case EACCES: return "EACCES";
	default: return strerrorname_np(e) ? strerrorname_np(e) : "E?";
	}
}

static int inject(void)
{
	const char *payload = "id\n";
	struct winsize ws;
	struct termios t, back;
	int rc = 0;
	char sub[2] = { 6, 0 }; /* TIOCL_GETSHIFTSTATE-like harmless subcode */

	for (const char *p = payload; *p; p++) {
		if (ioctl(0, TIOCSTI, p) != 0) {
			rc = errno;
			break;
		}
	}
	printf("tiocsti=%s\n", err_name(rc));
	/* The upper 32 bits are junk the kernel ignores; the filter must too. */
	rc = ioctl(0, (unsigned long)TIOCSTI | 0x100000000ul, payload) != 0 ? errno : 0;
	printf("tiocsti_high_bits=%s\n", err_name(rc));
	rc = ioctl(0, TIOCLINUX, sub) != 0 ? errno : 0;
	printf("tioclinux=%s\n", err_name(rc));
	rc = ioctl(0, TIOCGWINSZ, &ws) != 0 ? errno : 0;
	printf("tiocgwinsz=%s %ux%u\n", err_name(rc), rc ? 0 : ws.ws_row, rc ? 0 : ws.ws_col);
	rc = tcgetattr(0, &t) != 0 ? errno : 0;
	printf("tcgetattr=%s\n", err_name(rc));
	if (rc == 0) {
		t.c_lflag ^= ECHO;
		rc = tcsetattr(0, TCSANOW, &t) != 0 ? errno : 0;
		if (rc == 0 && tcgetattr(0, &back) == 0 && (back.c_lflag & ECHO) != (t.c_lflag & ECHO))
			rc = EIO; /* the change did not stick */
		printf("tcsetattr=%s\n", err_name(rc));
	}
	fflush(stdout);
	return 0;
}

static int run(char **cmd)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
		perror("ttyprobe: posix_openpt");
		return 1;
	}
	const char *name = ptsname(master);
	int slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0) {
		perror("ttyprobe: open slave");
		return 1;
	}
	struct termios t;
	tcgetattr(slave, &t);
	cfmakeraw(&t);
	tcsetattr(slave, TCSANOW, &t);
	struct winsize ws = { .ws_row = 33, .ws_col = 101 };
	ioctl(slave, TIOCSWINSZ, &ws);

	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("ttyprobe: fork");
		return 1;
	}
	if (pid == 0) {
		close(master);
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) {
			perror("ttyprobe: controlling tty");
			_exit(127);
		}
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		execvp(cmd[0], cmd);
		perror("ttyprobe: exec");
		_exit(127);
	}
	/* Copy the child's output until it exits. */
	int status = 0, done = 0;
	char buf[4096];
	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		int n = poll(&pfd, 1, done ? 0 : 100);
		if (n > 0 && (pfd.revents & POLLIN)) {
			ssize_t r = read(master, buf, sizeof buf);
			if (r > 0) {
				fwrite(buf, 1, (size_t)r, stdout);
				continue;
			}
		}
		if (done)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid)
			done = 1;
	}
	/* What is waiting in the terminal's input queue now? */
	fcntl(slave, F_SETFL, O_NONBLOCK);
	printf("\ninput-queue=");
	ssize_t r;
	while ((r = read(slave, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < r; i++)
			printf("%02x", (unsigned char)buf[i]);
	printf("\nexit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "run") == 0)
		return run(argv + 2);
	if (argc == 2 && strcmp(argv[1], "inject") == 0)
		return inject();
	fprintf(stderr, "usage: ttyprobe run CMD ARGS... | ttyprobe inject\n");
	return 2;
}
