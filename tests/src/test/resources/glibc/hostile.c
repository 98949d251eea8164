/* A guest that tries to leave its root, write the host, and exhaust the kernel: every attempt
 * must end in a precise errno. Run as /bin/hostile in a root holding /inside.txt, a link /abs to
 * a host file outside the root, /run.sh ("#!/bin/hostile argv") and /loop.sh ("#!/loop.sh"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void check(const char *what, long r) {
  printf("%-36s %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static void run(char *const argv[]) {
  pid_t pid = fork();
  if (pid == 0) {
    execv(argv[0], argv);
    printf("execv %s: %s\n", argv[0], strerror(errno));
    fflush(stdout);
    _exit(1);
  }
  int status;
  waitpid(pid, &status, 0);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "argv")) {
    for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
    return 0;
  }
  if (argc > 2 && !strcmp(argv[1], "fd")) {
    int fd = atoi(argv[2]);
    printf("fd %d after exec: %s\n", fd, fcntl(fd, F_GETFD) < 0 ? strerror(errno) : "open");
    return 0;
  }
  char buf[256];
  /* Out of the root. */
  check("open ../../../../etc/hostname", open("../../../../etc/hostname", O_RDONLY));
  check("open /abs (link to a host file)", open("/abs", O_RDONLY));
  check("create through /abs", open("/abs", O_WRONLY | O_CREAT, 0644));
  check("open /../../.. (the root)", open("/../../..", O_RDONLY | O_DIRECTORY));
  /* Writes stay in memory. */
  int fd = open("/inside.txt", O_WRONLY | O_TRUNC);
  check("truncate /inside.txt", fd);
  check("write /inside.txt", write(fd, "guest\n", 6));
  close(fd);
  fd = open("/inside.txt", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  printf("guest reads back: %s", buf);
  check("mkdir /newdir", mkdir("/newdir", 0755));
  check("unlink /abs", unlink("/abs"));
  /* Bad pointers and sizes. */
  check("read into a bad pointer", read(0, (void *)16, 8));
  check("write from a bad pointer", write(1, (void *)16, 8));
  check("open a bad path pointer", open((char *)16, O_RDONLY));
  check("read count -1", syscall(SYS_read, 0, buf, -1L));
  check("getdents64 into a bad pointer", syscall(SYS_getdents64, open("/", O_RDONLY), 16, 4096));
  /* Long paths and loops. */
  char *deep = malloc(8192);
  memset(deep, 'a', 8191);
  deep[8191] = 0;
  check("open an 8191-byte path", open(deep, O_RDONLY));
  deep[300] = 0;
  check("open a 300-byte name", open(deep, O_RDONLY));
  check("symlink loop", (symlink("/l2", "/l1"), symlink("/l1", "/l2"), open("/l1", O_RDONLY)));
  check("readlink into a bad pointer", readlink("/l1", (char *)16, 100));
  /* Descriptors run out. */
  int opened = 0;
  while (open("/inside.txt", O_RDONLY) >= 0) opened++;
  printf("descriptors before EMFILE: %d (%s)\n", opened, strerror(errno));
  for (int i = 3; i < 1024; i++) close(i);
  /* The overlay fills the machine's memory, not the host's. */
  fd = open("/bomb", O_WRONLY | O_CREAT, 0644);
  static char block[1 << 16];
  long total = 0;
  ssize_t w;
  while ((w = write(fd, block, sizeof block)) > 0) total += w;
  printf("overlay bomb stopped: %s, more than 1 MiB written: %d\n", strerror(errno),
         total > (1 << 20));
  check("ftruncate to 1 TiB", ftruncate(fd, 1L << 40));
  close(fd);
  check("unlink /bomb", unlink("/bomb"));
  fd = open("/after", O_WRONLY | O_CREAT, 0644);
  check("write after freeing", write(fd, block, 4096));
  close(fd);
  /* Scripts and close-on-exec. */
  run((char *[]){"/run.sh", "x", "y", NULL});
  run((char *[]){"/loop.sh", NULL});
  run((char *[]){"/inside.txt", NULL});
  fd = open("/inside.txt", O_RDONLY | O_CLOEXEC);
  int kept = dup(fd);
  snprintf(buf, sizeof buf, "%d", fd);
  run((char *[]){"/bin/hostile", "fd", buf, NULL});
  snprintf(buf, sizeof buf, "%d", kept);
  run((char *[]){"/bin/hostile", "fd", buf, NULL});
  return 0;
}
