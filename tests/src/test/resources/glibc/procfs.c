/* /proc through glibc: the directory lists the caller's own pid and "self", /proc/self is a link to
 * that pid, a child's directory is there while it lives and gone once it is reaped (ENOENT; ESRCH
 * through a descriptor held on it), and /proc/self/maps, read with stdio and through a directory
 * descriptor, has well-formed lines in increasing, non-overlapping order that show the stack and
 * an area the program mapped. qemu-user shows the host's /proc for most of this, so only facts
 * true on any Linux are printed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int b) { return b ? "yes" : "no"; }

/* Whether /proc lists entry NAME. */
static int listed(const char *name) {
	DIR *d = opendir("/proc");
	if (!d) {
		printf("opendir /proc: %s\n", strerror(errno));
		return 0;
	}
	int found = 0;
	for (struct dirent *e; (e = readdir(d));)
		found |= strcmp(e->d_name, name) == 0;
	closedir(d);
	return found;
}

/* Checks the lines of a maps file: format, order, the stack, and unless WANT is 0 the area there
 * (rw-p). Through a directory descriptor qemu-user shows its own, host, maps: no area to look for. */
static void maps(const char *what, FILE *f, unsigned long want) {
	char line[512];
	unsigned long prev_end = 0, start, end, off, ino;
	char perms[8];
	unsigned maj, min;
	int lines = 0, formed = 1, ordered = 1, stack = 0, mine = 0;
	while (fgets(line, sizeof line, f)) {
		lines++;
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu", &start, &end, perms, &off, &maj, &min,
			   &ino) != 7 || start >= end || strchr(line, '\n') == NULL) {
			formed = 0;
			continue;
		}
		ordered &= start >= prev_end;
		prev_end = end;
		stack |= strstr(line, "[stack]") != NULL;
		mine |= start <= want && want < end && strcmp(perms, "rw-p") == 0;
	}
	printf("%s: lines %s, well-formed %s, ordered %s, [stack] %s", what, yes(lines > 2),
	       yes(formed), yes(ordered), yes(stack));
	if (want)
		printf(", my area rw-p %s", yes(mine));
	printf("\n");
}

int main(void) {
	char self[64], pid[32], buf[64];
	snprintf(pid, sizeof pid, "%d", getpid());

	ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = 0;
	printf("readlink /proc/self is my pid: %s\n", yes(strcmp(buf, pid) == 0));
	struct stat st;
	printf("lstat /proc/self is a link: %s\n",
	       yes(lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode)));
	printf("/proc lists self: %s, my pid: %s\n", yes(listed("self")), yes(listed(pid)));

	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = 0;
	printf("readlink /proc/self/exe ends in /procfs: %s\n",
	       yes(n > 7 && strcmp(buf + n - 7, "/procfs") == 0));

	unsigned long area = (unsigned long)mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f) {
		printf("fopen /proc/self/maps: %s\n", strerror(errno));
		return 1;
	}
	maps("/proc/self/maps", f, area);
	fclose(f);
	snprintf(self, sizeof self, "/proc/%s/maps", pid);
	f = fopen(self, "r");
	maps("/proc/PID/maps", f, area);
	fclose(f);
	int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);
	int fd = openat(dir, "maps", O_RDONLY);
	f = fdopen(fd, "r");
	maps("openat(/proc/self, maps)", f, 0);
	fclose(f);
	close(dir);

	errno = 0;
	printf("open /proc/self/maps/x: %s\n",
	       open("/proc/self/maps/x", O_RDONLY) < 0 ? strerror(errno) : "opened");
	printf("open /proc/self/nothing: %s\n",
	       open("/proc/self/nothing", O_RDONLY) < 0 ? strerror(errno) : "opened");

	int go[2];
	if (pipe(go) < 0)
		return 1;
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(go[1]);
		read(go[0], &c, 1); /* live until told */
		_exit(0);
	}
	close(go[0]);
	char cpid[32], cmaps[64];
	snprintf(cpid, sizeof cpid, "%d", child);
	snprintf(cmaps, sizeof cmaps, "/proc/%d/maps", child);
	fd = open(cmaps, O_RDONLY);
	printf("a live child: listed %s, its maps open %s\n", yes(listed(cpid)), yes(fd >= 0));
	close(fd);
	char cdir[32];
	snprintf(cdir, sizeof cdir, "/proc/%d", child);
	int held = open(cdir, O_RDONLY | O_DIRECTORY);
	close(go[1]);
	int status;
	waitpid(child, &status, 0);
	errno = 0;
	fd = open(cmaps, O_RDONLY);
	printf("a reaped child: listed %s, its maps: %s, stat: %s\n", yes(listed(cpid)),
	       fd < 0 ? strerror(errno) : "opened",
	       stat(cmaps, &st) < 0 ? strerror(errno) : "found");
	errno = 0;
	fd = openat(held, "maps", O_RDONLY);
	printf("its maps through a descriptor held on its directory: %s\n",
	       fd < 0 ? strerror(errno) : "opened");
	return 0;
}
