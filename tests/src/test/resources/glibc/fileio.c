/* File I/O through glibc, run from the root of a prepared directory (its working directory):
 * stdio, descriptors, positions, directories, links, renames and the errors Linux gives. Prints
 * only what does not depend on where the directory is, so that hartlab (the directory as its
 * root) and qemu-riscv64 (the directory as its working directory) print the same. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static void check(const char *what, int r) {
  printf("%-28s %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("opendir %s: %s\n", dir, strerror(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) {
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("%s:", dir);
  for (int i = 0; i < n; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

int main(void) {
  /* Reading a file the directory holds, line by line. */
  FILE *in = fopen("data/lines.txt", "r");
  char line[128];
  int count = 0;
  long sum = 0;
  while (in && fgets(line, sizeof line, in)) {
    count++;
    sum += strtol(line, NULL, 10);
  }
  if (in) fclose(in);
  printf("lines %d sum %ld\n", count, sum);

  /* Writing a new file and reading it back with positions. */
  check("mkdir out", mkdir("out", 0755));
  check("mkdir out again", mkdir("out", 0755));
  FILE *f = fopen("out/report.txt", "w");
  for (int i = 0; i < 100; i++) fprintf(f, "row %03d %d\n", i, i * i);
  fclose(f);
  struct stat st;
  check("stat report", stat("out/report.txt", &st));
  printf("size %lld regular %d mode %o\n", (long long)st.st_size, S_ISREG(st.st_mode),
         st.st_mode & 0777);
  int fd = open("out/report.txt", O_RDWR);
  char buf[32] = {0};
  pread(fd, buf, 12, 13 * 50);
  printf("pread: %.12s", buf);
  printf("lseek end %ld\n", (long)lseek(fd, 0, SEEK_END));
  pwrite(fd, "ROW", 3, 0);
  lseek(fd, 0, SEEK_SET);
  struct iovec iov[2] = {{buf, 4}, {buf + 4, 8}};
  ssize_t n = readv(fd, iov, 2);
  printf("readv %zd: %.12s", n, buf);
  check("ftruncate 20", ftruncate(fd, 20));
  fstat(fd, &st);
  printf("truncated size %lld\n", (long long)st.st_size);
  check("ftruncate -1", ftruncate(fd, -1));
  close(fd);

  /* Appending, dup and close-on-exec. */
  fd = open("out/log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  write(fd, "one\n", 4);
  int copy = fcntl(fd, F_DUPFD, 10);
  printf("dup >= 10: %d, cloexec %d/%d\n", copy >= 10, fcntl(fd, F_GETFD) & FD_CLOEXEC,
         fcntl(copy, F_GETFD) & FD_CLOEXEC);
  lseek(copy, 0, SEEK_SET);
  write(copy, "two\n", 4);
  close(fd);
  close(copy);
  f = fopen("out/log", "r");
  while (fgets(line, sizeof line, f)) printf("log: %s", line);
  fclose(f);

  /* Renames, links and removals. */
  check("rename report", rename("out/report.txt", "out/r.txt"));
  check("symlink", symlink("r.txt", "out/link"));
  char target[64] = {0};
  printf("readlink: %zd %s\n", readlink("out/link", target, sizeof target - 1), target);
  check("lstat link", lstat("out/link", &st));
  printf("link is symlink %d\n", S_ISLNK(st.st_mode));
  check("access link R_OK", access("out/link", R_OK));
  check("access data X_OK", access("data/lines.txt", X_OK));
  check("rmdir nonempty", rmdir("out"));
  check("unlink dir", unlink("out"));
  check("open missing", open("out/missing", O_RDONLY));
  check("open file as dir", open("data/lines.txt/x", O_RDONLY));
  check("open dir for write", open("out", O_WRONLY));
  check("excl create", open("out/r.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
  list("out");
  list("data");

  /* The working directory. */
  check("chdir out", chdir("out"));
  char cwd[512];
  getcwd(cwd, sizeof cwd);
  printf("cwd ends in /out: %d\n", strlen(cwd) >= 4 && !strcmp(cwd + strlen(cwd) - 4, "/out"));
  f = fopen("r.txt", "r");
  fgets(line, sizeof line, f);
  printf("first row via cwd: %s", line);
  fclose(f);
  check("chdir ..", chdir(".."));
  check("unlink link", unlink("out/link"));
  check("unlink r.txt", unlink("out/r.txt"));
  check("unlink log", unlink("out/log"));
  check("rmdir out", rmdir("out"));
  check("access out after rmdir", access("out", F_OK));

  /* Devices. */
  fd = open("/dev/null", O_WRONLY);
  printf("write /dev/null %zd\n", write(fd, "gone", 4));
  close(fd);
  fd = open("/dev/zero", O_RDONLY);
  memset(buf, 7, sizeof buf);
  printf("read /dev/zero %zd first %d\n", read(fd, buf, 8), buf[0]);
  close(fd);
  return 0;
}
