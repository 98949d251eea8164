/*
 * hello: the smallest useful guest. Prints its arguments and checks the auxiliary
 * vector the loader put above the environment, since every later program relies on
 * the same initial stack.
 *
 *   hello [ARG...]    prints "hello from hartlab", argc, each argv[i], "auxv ok"
 *
 * argv[0] is printed without its directory: qemu passes the host path it was given,
 * hartlab the guest path, and both runs must print the same thing.
 * Exit status 0, or 1 if an auxv check failed (the failing check is named).
 */
#include "libc.h"

/* The bits of <elf.h> needed here; the ELF header is mapped with the first segment,
   and the linker names its address __ehdr_start. */
struct elf64_ehdr {
	unsigned char	e_ident[16];
	uint16_t	e_type, e_machine;
	uint32_t	e_version;
	uint64_t	e_entry, e_phoff, e_shoff;
	uint32_t	e_flags;
	uint16_t	e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t	p_type, p_flags;
	uint64_t	p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define PT_LOAD			1
#define PT_NOTE			4
#define PT_PHDR			6
#define PT_TLS			7
#define PT_GNU_STACK		0x6474e551
#define PT_RISCV_ATTRIBUTES	0x70000003
#define PF_X			1

extern const struct elf64_ehdr __ehdr_start;
extern void _start(void);

static int failures;

static void expect(int ok, const char *what, unsigned long got, unsigned long want)
{
	if (!ok) {
		printf("auxv: %s: got 0x%lx, want 0x%lx\n", what, got, want);
		failures++;
	}
}

static int plausible_first_type(uint32_t t)
{
	return t == PT_LOAD || t == PT_PHDR || t == PT_NOTE || t == PT_TLS ||
	       t == PT_GNU_STACK || t == PT_RISCV_ATTRIBUTES;
}

static void check_auxv(void)
{
	unsigned long pagesz = getauxval(AT_PAGESZ);
	unsigned long phdr = getauxval(AT_PHDR);
	unsigned long phent = getauxval(AT_PHENT);
	unsigned long phnum = getauxval(AT_PHNUM);
	unsigned long entry = getauxval(AT_ENTRY);
	unsigned long random = getauxval(AT_RANDOM);
	unsigned long want_phdr = (unsigned long)&__ehdr_start + __ehdr_start.e_phoff;
	const struct elf64_phdr *ph = (const struct elf64_phdr *)phdr;
	int entry_in_text = 0;
	unsigned long i;

	expect(pagesz == 4096, "AT_PAGESZ", pagesz, 4096);
	expect(entry == (unsigned long)_start, "AT_ENTRY is not _start", entry,
	       (unsigned long)_start);
	expect(random != 0, "AT_RANDOM is null", random, 1);
	expect(phent == sizeof(struct elf64_phdr), "AT_PHENT", phent, sizeof(struct elf64_phdr));
	expect(phdr != 0, "AT_PHDR is null", phdr, want_phdr);
	if (phdr == 0)
		return;
	expect(phdr == want_phdr, "AT_PHDR is not where the ELF header says", phdr, want_phdr);
	expect(phnum == __ehdr_start.e_phnum, "AT_PHNUM differs from e_phnum", phnum,
	       __ehdr_start.e_phnum);
	if (phdr != want_phdr)
		return;		/* do not read headers from a bad pointer */
	expect(plausible_first_type(ph[0].p_type), "implausible type of first program header",
	       ph[0].p_type, PT_LOAD);
	for (i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) && entry >= ph[i].p_vaddr &&
		    entry < ph[i].p_vaddr + ph[i].p_memsz)
			entry_in_text = 1;
	}
	expect(entry_in_text, "no executable PT_LOAD holds AT_ENTRY", 0, 1);
}

static const char *basename(const char *path)
{
	const char *base = path;

	for (; *path; path++) {
		if (*path == '/' && path[1])
			base = path + 1;
	}
	return base;
}

int main(int argc, char **argv)
{
	int i;

	puts("hello from hartlab");
	printf("argc=%d\n", argc);
	for (i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, i == 0 ? basename(argv[0]) : argv[i]);
	check_auxv();
	if (failures) {
		printf("auxv: %d check(s) failed\n", failures);
		return 1;
	}
	puts("auxv ok");
	return 0;
}
