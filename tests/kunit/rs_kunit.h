/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by reclaimscope's KUnit suites. */
#ifndef _RS_KUNIT_H
#define _RS_KUNIT_H

#include <kunit/test.h>
#include <linux/seq_file.h>
#include <linux/string.h>

/*
 * A seq_file that writes into a test-owned buffer, so the code that
 * prints debugfs files can be checked byte for byte without debugfs.
 */
static inline void rs_kunit_seq_init(struct kunit *test, struct seq_file *m)
{
	memset(m, 0, sizeof(*m));
	m->size = PAGE_SIZE;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
}

static inline const char *rs_kunit_seq_str(struct seq_file *m)
{
	m->buf[min(m->count, m->size - 1)] = '\0';
	return m->buf;
}

static inline int rs_kunit_count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#endif /* _RS_KUNIT_H */
