/*
 * wrap_elf.c - programs the Socks Lib cannot enter (see wrap.h): the
 * loader ignores LD_PRELOAD for setuid, setgid and file-capability
 * programs; static programs have no loader; Go makes its own system
 * calls.  Found by looking at the file execvp(3) would run.
 */
#include "sgconfig.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "wrap.h"

/* The file execvp(3) would run for prog, searching PATH as it does. */
static bool
find_program(const char *prog, char *out, size_t len)
{
	const char *p, *e, *path = getenv("PATH");
	struct stat st;
	int n;

	if (strchr(prog, '/') != NULL)
		return snprintf(out, len, "%s", prog) < (int)len;
	for (p = path != NULL ? path : "/bin:/usr/bin"; ; p = e + 1) {
		e = strchrnul(p, ':');
		n = e == p ? snprintf(out, len, "%s", prog) :
		    snprintf(out, len, "%.*s/%s", (int)(e - p), p, prog);
		if (n < (int)len && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return true;
		if (*e == '\0')
			return false;
	}
}

/* Does a PT_NOTE segment hold Go's build-ID note ("Go", type 4)? */
static bool
notes_have_go(const unsigned char *p, size_t len)
{
	ElfW(Nhdr) nh;
	size_t off = 0, nsz, dsz;

	while (len - off >= sizeof(nh)) {
		memcpy(&nh, p + off, sizeof(nh));
		off += sizeof(nh);
		nsz = ((size_t)nh.n_namesz + 3) & ~(size_t)3;
		dsz = ((size_t)nh.n_descsz + 3) & ~(size_t)3;
		if (nsz > len - off || dsz > len - off - nsz)
			return false;
		/* Go writes the name as "Go\0\0", namesz 4. */
		if ((nh.n_namesz == 3 || nh.n_namesz == 4) &&
		    memcmp(p + off, "Go", 3) == 0 && nh.n_type == 4)
			return true;
		off += nsz + dsz;
	}
	return false;
}

/* Warn when the ELF image m[0..len) cannot take the module. */
static void
elf_warn(const char *prog, const unsigned char *m, size_t len)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	bool interp = false, go = false;
	size_t i;

	if (len < sizeof(eh) || memcmp(m, ELFMAG, SELFMAG) != 0)
		return;		/* a script: its interpreter is what runs */
	if (m[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32))
		return;		/* ld.so itself says it cannot preload */
	memcpy(&eh, m, sizeof(eh));
	if (eh.e_phentsize != sizeof(ph) || eh.e_phoff > len ||
	    eh.e_phnum > (len - eh.e_phoff) / sizeof(ph))
		return;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, m + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			interp = true;
		else if (ph.p_type == PT_NOTE && ph.p_offset <= len &&
		    ph.p_filesz <= len - ph.p_offset && !go)
			go = notes_have_go(m + ph.p_offset, ph.p_filesz);
	}
	if (go)
		wrap_warn(false, "%s is a Go program: Go makes its own system "
		    "calls, so its connections bypass sixgate", prog);
	else if (!interp)
		wrap_warn(false, "%s is statically linked: the loader cannot "
		    "add the Socks Lib, so its connections bypass sixgate",
		    prog);
}

/* Warnings only: the program runs anyway. */
void
wrap_elf_warn(const char *prog)
{
	char path[ENV_PATH_MAX];
	struct stat st;
	void *m;
	int fd;

	if (!find_program(prog, path, sizeof(path)) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == -1)
		goto out;
	/* The loader ignores LD_PRELOAD when exec changes credentials. */
	if (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getgid()) ||
	    (getuid() != 0 && fgetxattr(fd, "security.capability", NULL,
	    0) > 0))
		wrap_warn(false, "%s is setuid, setgid or has file "
		    "capabilities: the loader ignores LD_PRELOAD for it, so "
		    "its connections bypass sixgate", prog);
	if (st.st_size > 0 && (m = mmap(NULL, (size_t)st.st_size, PROT_READ,
	    MAP_PRIVATE, fd, 0)) != MAP_FAILED) {
		elf_warn(prog, m, (size_t)st.st_size);
		munmap(m, (size_t)st.st_size);
	}
out:
	close(fd);
}

