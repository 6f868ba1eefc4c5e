// SPDX-License-Identifier: GPL-2.0
/*
 * rs-fuzz KIND FILE STATE KEY SEED [CAP NODES]
 *
 * Fuzzes one writable reclaimscope file.  KIND is reset, drain or grow;
 * STATE is the file whose KEY shows what a write did (reset: the demo
 * shrinker's count_calls, which a reset zeroes and dropping the slab
 * caches raises again; drain and grow: the demo pool's "objects").  The
 * guest must be idle, so that nothing else moves KEY.
 *
 * Writes: random bytes at lengths 0, 1, 2, 7, 64, 4095, 4096, 4097 and
 * 65536 (56 of each), then crafted cases (signs, overflow, base prefixes,
 * spaces, NUL bytes, offline nodes, extra words).  Each write is judged
 * by an oracle of its own that follows the grammar in
 * Documentation/reclaimscope.rst (not the module's parser):
 *
 *   write  := words [ "\n" ]      words := word { " " word }
 *   reset, drain: words = "1";    grow: words = count [ " " node ]
 *   count, node: decimal digits only; count >= 1; node online;
 *   grow: at most 31 bytes; count within the pool's cap (else ERANGE)
 *
 * A write the oracle refuses must fail and leave KEY as it was (reset:
 * not lower); one it accepts must return its length and do what the
 * Documentation says (reset and drain: KEY drops to 0 from above 0;
 * grow: KEY rises by count).  Prints "rs-fuzz <kind> <writes>
 * <accepted>" and exits 0, or prints the first wrong case and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LEN	65536
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum kind { RESET, DRAIN, GROW };

static enum kind kind;
static const char *file, *state, *key;
static unsigned long long cap, nodes;
static unsigned long writes, accepted;

static unsigned long long read_key(void)
{
	char line[256], name[128];
	unsigned long long v;
	FILE *f = fopen(state, "r");

	if (!f) {
		perror(state);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %llu", name, &v) == 2 &&
		    !strcmp(name, key)) {
			fclose(f);
			return v;
		}
	}
	fclose(f);
	fprintf(stderr, "rs-fuzz: no key %s in %s\n", key, state);
	exit(2);
}

/* Decimal digits only, and a value that fits 64 bits. */
static int decimal(const char *s, size_t len, unsigned long long *v)
{
	size_t i;

	if (!len)
		return -1;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    *v > (~0ULL - (s[i] - '0')) / 10)
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * 0: accepted (grow: *count set); else -EINVAL or -ERANGE, the error the
 * write should fail with (only "accepted or not" is compared; the error
 * is printed when a case is wrong).
 */
static int oracle(const char *buf, size_t len, unsigned long long *count)
{
	unsigned long long node, objects;
	const char *sp;

	if (kind == GROW && len > 31)
		return -EINVAL;
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || memchr(buf, '\0', len))
		return -EINVAL;
	if (kind != GROW)
		return len == 1 && buf[0] == '1' ? 0 : -EINVAL;
	sp = memchr(buf, ' ', len);
	if (sp) {
		if (decimal(sp + 1, buf + len - sp - 1, &node) || node >= nodes)
			return -EINVAL;
		len = sp - buf;
	}
	if (decimal(buf, len, count) || !*count)
		return -EINVAL;
	objects = read_key();
	return *count > cap || objects + *count > cap ? -ERANGE : 0;
}

static void dump(const char *what, const char *buf, size_t len, long r)
{
	size_t i;

	printf("rs-fuzz %s FAIL %s: write of %zu bytes returned %ld (%s):",
	       file, what, len, r, r < 0 ? strerror(errno) : "ok");
	for (i = 0; i < len && i < 48; i++)
		printf(" %02x", (unsigned char)buf[i]);
	puts(len > 48 ? " ..." : "");
	exit(1);
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror(path);
		exit(2);
	}
	close(fd);
}

/*
 * Make KEY non-zero again, so that the next accepted write shows its
 * effect: reset's KEY (the demo shrinker's count_calls) rises when the
 * kernel asks every shrinker to count (drop the slab caches); drain's
 * (the pool's objects) when the pool grows.
 */
static unsigned long long refill(void)
{
	char grow[4096];

	if (kind == RESET) {
		write_str("/proc/sys/vm/drop_caches", "2");
	} else {
		snprintf(grow, sizeof(grow), "%.*s/grow",
			 (int)(strrchr(file, '/') - file), file);
		write_str(grow, "64");
	}
	return read_key();
}

static void one(const char *buf, size_t len)
{
	unsigned long long before, after, count = 0;
	int expect, fd;
	long r;

	before = read_key();
	if (kind != GROW && !before)
		before = refill();
	if (kind != GROW && !before) {
		fprintf(stderr, "rs-fuzz: %s stays 0\n", key);
		exit(2);
	}
	expect = oracle(buf, len, &count);
	fd = open(file, O_WRONLY);
	if (fd < 0) {
		perror(file);
		exit(2);
	}
	r = write(fd, buf, len);
	close(fd);
	after = read_key();
	writes++;

	if (!len && r <= 0) {		/* an empty write: nothing at all */
		if (after != before && kind != RESET)
			dump("empty write changed state", buf, len, r);
		return;
	}
	if (expect) {
		if (r >= 0)
			dump("accepted what the grammar refuses", buf, len, r);
		if (kind == RESET ? after < before : after != before)
			dump("refused write changed state", buf, len, r);
		return;
	}
	if (r != (long)len)
		dump("refused what the grammar accepts", buf, len, r);
	accepted++;
	if ((kind != GROW && after != 0) ||
	    (kind == GROW && after != before + count))
		dump("accepted write did not do what it says", buf, len, r);
}

static void crafted(void)
{
	static const char *const words[] = {
		"+1", "-1", "1\n\n", "1 -0", "1 +0", "0x10", "0X1", " 1", "1 ",
		"1  0", "01", "1\t", "\t1", "1\r\n", "\n", "1 0 0", "2", "0",
		"18446744073709551616", "99999999999999999999",
		"0000000000000000000000000000000001junk", "1junk", "1 7",
		"1 1023", "1 -1", "1 0\n\n", "١", "1\xff", "\xff", "3\n",
		"1", "1\n", "5 0", "5 1\n", "7",
	};
	char buf[4096 + 8];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		one(words[i], strlen(words[i]));
	one("1\0junk", 6);			/* a NUL inside */
	memset(buf, 0, sizeof(buf));
	buf[0] = '1';
	one(buf, 4096);				/* "1" and 4095 NULs */
	one(buf, 2);				/* "1\0" */
}

int main(int argc, char **argv)
{
	static const size_t lens[] = { 0, 1, 2, 7, 64, 4095, 4096, 4097,
				       MAX_LEN };
	static char buf[MAX_LEN];
	size_t i, j, k;

	if (argc < 6) {
		fprintf(stderr,
			"usage: rs-fuzz reset|drain|grow FILE STATE KEY SEED [CAP NODES]\n");
		return 2;
	}
	kind = !strcmp(argv[1], "grow") ? GROW :
	       !strcmp(argv[1], "drain") ? DRAIN : RESET;
	file = argv[2];
	state = argv[3];
	key = argv[4];
	srandom(strtoul(argv[5], NULL, 0));
	cap = argc > 6 ? strtoull(argv[6], NULL, 0) : 0;
	nodes = argc > 7 ? strtoull(argv[7], NULL, 0) : 0;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (j = 0; j < 56; j++) {
			for (k = 0; k < lens[i]; k++)
				buf[k] = random();
			/* Now and then digits, spaces and newlines only. */
			if (j % 4 == 0)
				for (k = 0; k < lens[i]; k++)
					buf[k] = "0123456789\n "[random() % 12];
			one(buf, lens[i]);
		}
	}
	crafted();
	printf("rs-fuzz %s %lu %lu\n", argv[1], writes, accepted);
	return 0;
}
