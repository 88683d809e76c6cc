/*
 * Test reference (crates/launch/tests/seccomp.rs): the libseccomp generator the bash runtime
 * used (formerly nix/runtime/seccomp/tiocsti-filter.c), kept so that the Rust program is
 * compared with what libseccomp makes of the same rules.
 *
 * jailgen: write a seccomp BPF program that makes ioctl(TIOCSTI) and
 * ioctl(TIOCLINUX) fail with EPERM and allows every other system call.
 *
 * Why: jail.nix's `no-new-session` (needed by TUI agents for signals and
 * resizes) leaves the user's terminal as the jail's controlling tty. With
 * TIOCSTI a jailed process can push keystrokes into that terminal's input,
 * which the user's shell then runs on the host after the agent exits;
 * TIOCLINUX can do the same on a Linux virtual console.
 *
 * The kernel truncates the ioctl request to 32 bits, so the filter compares
 * only the low 32 bits of the argument: a request with junk in the upper half
 * cannot slip past it. Compatible architectures (32-bit x86 and x32 on
 * x86_64, 32-bit ARM on aarch64) get the same rules, so the int 0x80 entry
 * point is covered too.
 *
 * Usage: tiocsti-filter [OUTPUT]   (default: standard output)
 * The output is raw BPF, as bwrap's --seccomp / --add-seccomp-fd expects.
 * The Nix library runs this at build time and hands the file to jail.nix's
 * `add-seccomp`.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int fail(const char *what, int rc)
{
	fprintf(stderr, "tiocsti-filter: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	return 1;
}

static void add_compatible_arches(scmp_filter_ctx ctx)
{
	/* Best effort: an architecture the kernel or libseccomp lacks is skipped. */
	uint32_t native = seccomp_arch_native();
	if (native == SCMP_ARCH_X86_64) {
		(void)seccomp_arch_add(ctx, SCMP_ARCH_X86);
		(void)seccomp_arch_add(ctx, SCMP_ARCH_X32);
	} else if (native == SCMP_ARCH_AARCH64) {
		(void)seccomp_arch_add(ctx, SCMP_ARCH_ARM);
	}
}

int main(int argc, char **argv)
{
	static const unsigned long blocked[] = { TIOCSTI, TIOCLINUX };
	scmp_filter_ctx ctx;
	int rc, fd = STDOUT_FILENO;
	size_t i;

	if (argc > 2) {
		fprintf(stderr, "usage: tiocsti-filter [OUTPUT]\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL)
		return fail("seccomp_init", ENOMEM);
	add_compatible_arches(ctx);
	for (i = 0; i < sizeof blocked / sizeof blocked[0]; i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				      SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, blocked[i]));
		if (rc < 0) {
			seccomp_release(ctx);
			return fail("seccomp_rule_add", rc);
		}
	}
	if (argc == 2) {
		fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			seccomp_release(ctx);
			return fail(argv[1], errno);
		}
	}
	rc = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rc < 0)
		return fail("seccomp_export_bpf", rc);
	if (fd != STDOUT_FILENO && close(fd) != 0)
		return fail(argv[1], errno);
	return 0;
}
